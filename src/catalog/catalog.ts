// The model catalog: every model of every enabled provider under its composite id, the same for every
// user. Ordered by provider (registry order), then by id, so the same lists give the same answer.
import type { Env } from "../env.ts";
import { displayName, formatModelId } from "../model-id.ts";
import type { Registry } from "../registry/loader.ts";
import type { Provider } from "../registry/schema.ts";
import type { HostModel } from "./host-list.ts";
import { providerLists, type ProviderList } from "./provider-lists.ts";
import type { Catalog, CatalogModel, ModelStatus } from "./types.ts";

/**
 * `created` is fixed at 0: llama-swap reports the time of the request, which would make every answer
 * differ. Status when a host does not report one: a llama-swap model is `unloaded` (the honest
 * default: using it may mean a swap); a hosted API's or static model is `loaded` (always ready).
 */
export function toRecord(provider: Provider, model: HostModel, reachable: boolean): CatalogModel {
  const id = formatModelId({ provider: provider.id, model: model.id });
  const ready: ModelStatus = provider.kind === "llama-swap" && !provider.models ? "unloaded" : "loaded";
  return {
    id,
    object: "model",
    created: 0,
    owned_by: provider.id,
    name: displayName(id, provider.id),
    provider: { id: provider.id, label: provider.label },
    status: reachable ? (model.status ?? ready) : "unavailable",
    ...(model.context_length ? { context_length: model.context_length } : {}),
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

export async function getCatalog(env: Env, ctx: ExecutionContext, registry: Registry): Promise<Catalog> {
  const enabled = registry.providers.filter((p) => p.enabled);
  return buildCatalog(enabled, await providerLists(env, ctx, enabled));
}

/** One provider's list as the catalog sees it (cached, stale-while-revalidate), for model lookups. */
export async function getProviderList(env: Env, ctx: ExecutionContext, provider: Provider): Promise<ProviderList> {
  const [list] = await providerLists(env, ctx, [provider]);
  return list as ProviderList;
}
