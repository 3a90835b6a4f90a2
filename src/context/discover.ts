// How large is a model's context? In this order, and never by making a host load a model:
// 1. the host's model list says so (`context_length` / `meta.n_ctx`): source `catalog`;
// 2. the model is loaded RIGHT NOW: llama-server's props through llama-swap (`/upstream/<id>/props`),
//    whose `default_generation_settings.n_ctx` is the context of one slot: source `props`. Reading props
//    of an unloaded model would load it (a swap), so `/running` is checked immediately before, also for
//    hosts that list a `status` (the list may be seconds old and models unload at any moment);
// 3. what this user's Durable Object cached from an earlier answer (24 h): source `cache`;
// 4. unknown: `context_length: null`.
// The cache is keyed by the FULL composite id: two hosts serving the same wire name never share it.
import type { PoolLookup } from "../catalog/lookup.ts";
import type { HostModel } from "../catalog/types.ts";
import type { Provider } from "../registry/schema.ts";
import type { Scope } from "../scope.ts";
import type { ContextEntry } from "../users/user-state.ts";

export const CONTEXT_CACHE_MS = 24 * 3600 * 1000;
const PROBE_MS = 2_500;

export interface ContextAnswer {
  id: string;
  context_length: number | null;
  total_slots: number | null;
  source: "catalog" | "props" | "cache" | null;
  fetched_at: string | null;
}

export interface ContextCache {
  get(compositeId: string): Promise<ContextEntry | undefined>;
  put(entry: ContextEntry): Promise<void>;
}

export interface DiscoverInput {
  compositeId: string;
  provider: Provider;
  wireModel: string;
  /** The model as the catalog lists it; `reachable` false when the host's list could not be read. */
  model: HostModel | undefined;
  reachable: boolean;
}

export async function discoverContext(scope: Scope, input: DiscoverInput, cache: ContextCache, now = Date.now()): Promise<ContextAnswer> {
  const { compositeId, provider, wireModel, model } = input;
  const answer = (
    entry: { context_length: number; slots: number | null; fetched_at: number },
    source: ContextAnswer["source"],
  ): ContextAnswer => ({
    id: compositeId,
    context_length: entry.context_length,
    total_slots: entry.slots,
    source,
    fetched_at: new Date(entry.fetched_at).toISOString(),
  });

  if (model?.context_length) return answer({ context_length: model.context_length, slots: null, fetched_at: now }, "catalog");

  // Only a model that may be loaded is asked about, and only after the host says it is loaded right now
  // (the list may be seconds old and models unload at any moment). Kinds without props answer undefined.
  const host = scope.host(provider);
  const mayBeLoaded = input.reachable && !provider.models && model !== undefined && model.status !== "unloaded";
  const loadedNow = mayBeLoaded ? await host.kind.loadedModels(host, AbortSignal.timeout(PROBE_MS)) : undefined;
  if (loadedNow?.has(wireModel)) {
    const props = await host.kind.readProps(host, wireModel, AbortSignal.timeout(PROBE_MS));
    if (props) {
      const entry: ContextEntry = {
        composite_id: compositeId,
        context_length: props.n_ctx,
        slots: props.slots,
        source: "props",
        fetched_at: now,
      };
      await cache.put(entry);
      return answer(entry, "props");
    }
  }

  const cached = await cache.get(compositeId);
  if (cached) return answer(cached, "cache");
  return { id: compositeId, context_length: null, total_slots: null, source: null, fetched_at: null };
}

/**
 * A pool model's context: the smallest among its members (each learned as above), so a prompt that fits
 * fits whichever member serves it. `total_slots` and `fetched_at` are that member's.
 */
export async function discoverPoolContext(scope: Scope, found: PoolLookup, cache: ContextCache, now = Date.now()): Promise<ContextAnswer> {
  const answers = await Promise.all(found.members.map((m) => discoverContext(scope, { ...m, reachable: m.list.ok }, cache, now)));
  const known = answers
    .filter((a) => a.context_length !== null)
    .sort((a, b) => (a.context_length as number) - (b.context_length as number));
  const smallest = known[0];
  return smallest
    ? { ...smallest, id: found.pool.compositeId }
    : { id: found.pool.compositeId, context_length: null, total_slots: null, source: null, fetched_at: null };
}
