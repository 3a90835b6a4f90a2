// The model catalog: every model of every enabled provider under its composite id, the same for every
// user. Ordered by provider (registry order), then by id, so the same lists give the same answer.
import { displayName, formatModelId } from "../model-id.ts";
import { kindOf } from "../provider-kinds/kind.ts";
import { poolModelIds } from "../pools/members.ts";
import { poolRecord } from "../pools/records.ts";
import type { Provider } from "../registry/schema.ts";
import type { Scope } from "../scope.ts";
import { providerLists, type ProviderList } from "./provider-lists.ts";
import type { Catalog, CatalogModel, HostModel, ModelStatus } from "./types.ts";

/**
 * `created` is fixed at 0: llama-swap reports the time of the request, which would make every answer
 * differ. Status when a host does not report one comes from the provider's kind (a llama-swap model is
 * `unloaded`, the honest default: using it may mean a swap); a static model is always `loaded`.
 */
export function toRecord(provider: Provider, model: HostModel, reachable: boolean): CatalogModel {
  const id = formatModelId({ provider: provider.id, model: model.id });
  const ready: ModelStatus = provider.models ? "loaded" : kindOf(provider).unreportedStatus;
  return {
    id,
    object: "model",
    created: 0,
    owned_by: provider.id,
    name: displayName(id, provider.id),
    provider: { id: provider.id, label: provider.label },
    status: reachable ? (model.status ?? ready) : "unavailable",
    ...(model.context_length ? { context_length: model.context_length } : {}),
    ...(model.capabilities ? { capabilities: model.capabilities } : {}),
    ...(model.architecture ? { architecture: model.architecture } : {}),
    ...(model.supported_parameters ? { supported_parameters: model.supported_parameters } : {}),
  };
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function buildCatalog(providers: readonly Provider[], lists: readonly ProviderList[]): Catalog {
  const catalog: Catalog = { models: [], providers: [], degraded: [] };
  providers.forEach((provider, i) => {
    const list = lists[i] as ProviderList;
    catalog.providers.push({ id: provider.id, label: provider.label, status: list.ok ? "ok" : "unavailable" });
    if (!list.ok) catalog.degraded.push(provider.id);
    const records = list.models.map((m) => toRecord(provider, m, list.ok));
    catalog.models.push(...records.sort((a, b) => byCodeUnits(a.id, b.id)));
  });
  return catalog;
}

export async function getCatalog(scope: Scope): Promise<Catalog> {
  const registry = await scope.registry();
  const enabled = registry.providers.filter((p) => p.enabled);
  const catalog = buildCatalog(enabled, await providerLists(scope, enabled));
  // Pools come after the hosts, each as its own section; their members' lists are the ones just read.
  const byId = new Map(catalog.models.map((m) => [m.id, m]));
  for (const pool of registry.pools.filter((p) => p.enabled)) {
    catalog.providers.push({ id: pool.id, label: pool.label, status: "ok" });
    const records = [...(await poolModelIds(scope, registry, pool))].map(([wire, members]) => poolRecord(pool, wire, members, byId));
    catalog.models.push(...records.sort((a, b) => byCodeUnits(a.id, b.id)));
  }
  return catalog;
}

/** One provider's list as the catalog sees it (cached, stale-while-revalidate), for model lookups. */
export async function getProviderList(scope: Scope, provider: Provider): Promise<ProviderList> {
  const [list] = await providerLists(scope, [provider]);
  return list as ProviderList;
}
