// Per-provider health for operators: can the router reach the host right now, how fast, and which
// models are loaded. Reads the model list (and `/running` for hosts whose list has no status, through
// fetchHostList), never `/props`: a health check must not load anything.
import type { Env } from "../env.ts";
import type { Registry } from "../registry/loader.ts";
import type { Provider } from "../registry/schema.ts";
import { fetchHostList } from "./host-list.ts";
import { DEFAULT_CATALOG_MS } from "./provider-lists.ts";

export interface ProviderHealth {
  id: string;
  label: string;
  enabled: boolean;
  reachable: boolean | null;
  latency_ms: number | null;
  models: number | null;
  loaded: string[];
}

async function check(env: Env, provider: Provider): Promise<ProviderHealth> {
  const base = { id: provider.id, label: provider.label, enabled: provider.enabled };
  if (!provider.enabled) return { ...base, reachable: null, latency_ms: null, models: null, loaded: [] };
  const budget = provider.timeouts.catalogMs ?? DEFAULT_CATALOG_MS;
  const signal = AbortSignal.timeout(budget);
  const started = Date.now();
  const models = await fetchHostList(env, provider, signal, budget);
  const latency = Date.now() - started;
  if (!models) return { ...base, reachable: false, latency_ms: latency, models: null, loaded: [] };
  const loaded = models.filter((m) => m.status === "loaded").map((m) => m.id);
  return { ...base, reachable: true, latency_ms: latency, models: models.length, loaded };
}

export async function providerHealth(env: Env, registry: Registry): Promise<ProviderHealth[]> {
  return Promise.all(registry.providers.map((p) => check(env, p)));
}
