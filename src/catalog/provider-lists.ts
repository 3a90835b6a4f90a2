// The last good model list of every provider, kept at the edge and served stale-while-revalidate:
// - in each isolate's memory: fresh for 10 s; after that the list is served at once and refreshed in
//   the background (`ctx.waitUntil`), so repeated calls never wait on hosts;
// - in the Cache API of the location (no write limits, unlike KV's 1 write/s/key and 1,000/day on
//   the free plan): the last good list, so a new isolate can still list a dead host's models, marked
//   unavailable, instead of forgetting them.
// Only a provider never seen before by this isolate is fetched while the client waits, and then at
// most until the catalog deadline (2.5 s by default, `timeouts.catalogMs` per provider).
import type { Env } from "../env.ts";
import type { Provider } from "../registry/schema.ts";
import { fetchHostList, staticModels, type HostModel } from "./host-list.ts";

export const FRESH_MS = 10_000;
export const DEFAULT_CATALOG_MS = 2_500;
const LAST_GOOD_TTL_S = 7 * 24 * 3600;

export interface ProviderList {
  /** The host's list now, or its last good list when `ok` is false (empty when there never was one). */
  models: HostModel[];
  /** The list was read from the host (now or within the fresh window). */
  ok: boolean;
}

interface Entry extends ProviderList {
  signature: string;
  fetchedAt: number;
  refreshing?: Promise<void>;
}

const entries = new Map<string, Entry>();

/** Where the list comes from; a registry change that alters it must not reuse the old list. */
const signatureOf = (p: Provider) => `${p.kind}|${p.baseUrl}|${JSON.stringify(p.transport)}|${p.models ? JSON.stringify(p.models) : ""}`;

const cacheKey = (signature: string) => `https://llama-edge.invalid/catalog/v1/${encodeURIComponent(signature)}`;

async function readLastGood(signature: string): Promise<HostModel[] | undefined> {
  try {
    const hit = await caches.default.match(cacheKey(signature));
    return hit ? ((await hit.json()) as HostModel[]) : undefined;
  } catch {
    return undefined;
  }
}

async function writeLastGood(signature: string, models: HostModel[]): Promise<void> {
  try {
    const body = JSON.stringify(models);
    await caches.default.put(cacheKey(signature), new Response(body, { headers: { "content-type": "application/json", "cache-control": `max-age=${LAST_GOOD_TTL_S}` } }));
  } catch {
    // The Cache API is unavailable on workers.dev and in some local setups; memory still serves.
  }
}

async function fetchInto(env: Env, ctx: ExecutionContext, provider: Provider, deadline: number): Promise<Entry> {
  const signature = signatureOf(provider);
  const previous = entries.get(provider.id);
  const remaining = Math.max(100, deadline - Date.now());
  const models = await fetchHostList(env, provider, AbortSignal.timeout(remaining), remaining);
  let entry: Entry;
  if (models) {
    entry = { signature, models, ok: true, fetchedAt: Date.now() };
    if (!staticModels(provider)) ctx.waitUntil(writeLastGood(signature, models));
  } else {
    const lastGood = previous?.signature === signature ? previous.models : await readLastGood(signature);
    entry = { signature, models: lastGood ?? [], ok: false, fetchedAt: Date.now() };
  }
  entries.set(provider.id, entry);
  return entry;
}

const budgetOf = (provider: Provider) => provider.timeouts.catalogMs ?? DEFAULT_CATALOG_MS;

/** The lists of these providers, in the same order; never waits on a host beyond its catalog timeout. */
export async function providerLists(env: Env, ctx: ExecutionContext, providers: readonly Provider[]): Promise<ProviderList[]> {
  const started = Date.now();
  return Promise.all(
    providers.map(async (provider) => {
      const entry = entries.get(provider.id);
      if (!entry || entry.signature !== signatureOf(provider)) return fetchInto(env, ctx, provider, started + budgetOf(provider));
      if (started - entry.fetchedAt >= FRESH_MS && !entry.refreshing) {
        entry.refreshing = fetchInto(env, ctx, provider, Date.now() + budgetOf(provider)).then(() => undefined);
        ctx.waitUntil(entry.refreshing);
      }
      return entry;
    }),
  );
}

/** Drops the memory cache (tests; and after the registry changes in this isolate). */
export function forgetProviderLists(): void {
  entries.clear();
}
