// Per-provider health for operators: can the router reach the host right now, how fast, and which
// models are loaded. Reads the model list (and `/running` for hosts whose list has no status, through the
// provider's kind), never `/props`: a health check must not load anything.
import type { Provider } from "../registry/schema.ts";
import type { Scope } from "../scope.ts";
import { toApiError } from "../upstream/failure.ts";
import { fetchHostList } from "./host-list.ts";

export interface ProviderHealth {
  id: string;
  label: string;
  enabled: boolean;
  reachable: boolean | null;
  latency_ms: number | null;
  models: number | null;
  loaded: string[];
  /** Why the host could not be read: the code a client would see (`provider_unreachable`, `configuration_error`...). */
  problem?: string;
}

async function check(scope: Scope, provider: Provider): Promise<ProviderHealth> {
  const base = { id: provider.id, label: provider.label, enabled: provider.enabled };
  if (!provider.enabled) return { ...base, reachable: null, latency_ms: null, models: null, loaded: [] };
  const started = Date.now();
  const result = await fetchHostList(scope.host(provider), AbortSignal.timeout(provider.timeouts.catalogMs));
  const latency = Date.now() - started;
  if (!result.ok) return { ...base, reachable: false, latency_ms: latency, models: null, loaded: [], problem: toApiError(result.failure).code };
  const loaded = result.models.filter((m) => m.status === "loaded").map((m) => m.id);
  return { ...base, reachable: true, latency_ms: latency, models: result.models.length, loaded };
}

export async function providerHealth(scope: Scope): Promise<ProviderHealth[]> {
  const registry = await scope.registry();
  return Promise.all(registry.providers.map((p) => check(scope, p)));
}
