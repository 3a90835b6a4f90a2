// Per-provider health for operators: can the router reach the host right now, how fast, which models
// are loaded, and when it cannot, why (`reason`, the doctor's codes: secret_missing, tunnel_down,
// access_refused, double_v1...). Reads the model list (and `/running` for hosts whose list has no
// status), never `/props`: a health check must not load anything.
import { type ListReason, probeModelList } from "../doctor/list-probe.ts";
import type { Provider } from "../registry/schema.ts";
import type { Scope } from "../scope.ts";

export interface ProviderHealth {
  id: string;
  label: string;
  enabled: boolean;
  reachable: boolean | null;
  /** "ok", "disabled", or why the list could not be read. */
  reason: ListReason | "disabled";
  message?: string;
  fix?: string;
  latency_ms: number | null;
  models: number | null;
  loaded: string[];
}

async function check(scope: Scope, provider: Provider): Promise<ProviderHealth> {
  const base = { id: provider.id, label: provider.label, enabled: provider.enabled };
  if (!provider.enabled) return { ...base, reachable: null, reason: "disabled", latency_ms: null, models: null, loaded: [] };
  const probe = await probeModelList(scope, provider, provider.timeouts.catalogMs);
  const why = probe.message ? { message: probe.message, fix: probe.fix } : {};
  if (probe.reason !== "ok" || !probe.models)
    return { ...base, reachable: false, reason: probe.reason, ...why, latency_ms: probe.latency_ms, models: null, loaded: [] };
  const loaded = probe.models.filter((m) => m.status === "loaded").map((m) => m.id);
  return { ...base, reachable: true, reason: "ok", latency_ms: probe.latency_ms, models: probe.models.length, loaded };
}

export async function providerHealth(scope: Scope): Promise<ProviderHealth[]> {
  const registry = await scope.registry();
  return Promise.all(registry.providers.map((p) => check(scope, p)));
}
