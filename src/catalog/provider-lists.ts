// The last good model list of every provider, kept at the edge and served stale-while-revalidate:
// - in each isolate's memory: fresh for 10 s; after that the list is served at once and refreshed in
//   the background (`waitUntil`), so repeated calls never wait on hosts;
// - in the Cache API of the location (no write limits, unlike KV's 1 write/s/key and 1,000/day on
//   the free plan): the last good list, so a new isolate can still list a dead host's models, marked
//   unavailable, instead of forgetting them.
// Only a provider never seen before by this isolate is fetched while the client waits, and then at
// most until the catalog deadline (`timeouts.catalogMs` per provider).
import type { Provider } from "../registry/schema.ts";
import type { Scope } from "../scope.ts";
import { type HostFailure, toApiError } from "../upstream/failure.ts";
import { fetchHostList, staticModels } from "./host-list.ts";
import type { HostModel } from "./types.ts";

export const FRESH_MS = 10_000;
const LAST_GOOD_TTL_S = 7 * 24 * 3600;

export interface ProviderList {
  /** The host's list now, or its last good list when `ok` is false (empty when there never was one). */
  models: HostModel[];
  /** The list was read from the host (now or within the fresh window). */
  ok: boolean;
  /** Why it could not be read this time. */
  failure?: HostFailure;
  /** When the list was read (ms since the epoch). */
  fetchedAt: number;
}

interface Entry extends ProviderList {
  signature: string;
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
    await caches.default.put(
      cacheKey(signature),
      new Response(body, { headers: { "content-type": "application/json", "cache-control": `max-age=${LAST_GOOD_TTL_S}` } }),
    );
  } catch {
    // The Cache API is unavailable on workers.dev and in some local setups; memory still serves.
  }
}

/** A registry that names a missing secret is the operator's to fix: say so in the log, once per fetch. */
function reportConfigFailure(provider: Provider, failure: HostFailure): void {
  if (failure.kind !== "config") return;
  console.log(JSON.stringify({ level: "warn", provider: provider.id, error: "configuration_error", message: toApiError(failure).message }));
}

async function fetchInto(scope: Scope, provider: Provider, deadline: number): Promise<Entry> {
  const signature = signatureOf(provider);
  const previous = entries.get(provider.id);
  const result = await fetchHostList(scope.host(provider), AbortSignal.timeout(Math.max(100, deadline - Date.now())));
  let entry: Entry;
  if (result.ok) {
    entry = { signature, models: result.models, ok: true, fetchedAt: Date.now() };
    if (!staticModels(provider)) scope.waitUntil(writeLastGood(signature, result.models));
  } else {
    reportConfigFailure(provider, result.failure);
    const lastGood = previous?.signature === signature ? previous.models : await readLastGood(signature);
    entry = { signature, models: lastGood ?? [], ok: false, failure: result.failure, fetchedAt: Date.now() };
  }
  entries.set(provider.id, entry);
  return entry;
}

/** The lists of these providers, in the same order; never waits on a host beyond its catalog timeout. */
export async function providerLists(scope: Scope, providers: readonly Provider[]): Promise<ProviderList[]> {
  const started = Date.now();
  return Promise.all(
    providers.map(async (provider) => {
      const entry = entries.get(provider.id);
      if (!entry || entry.signature !== signatureOf(provider)) return fetchInto(scope, provider, started + provider.timeouts.catalogMs);
      if (started - entry.fetchedAt >= FRESH_MS && !entry.refreshing) {
        entry.refreshing = fetchInto(scope, provider, Date.now() + provider.timeouts.catalogMs).then(() => undefined);
        scope.waitUntil(entry.refreshing);
      }
      return entry;
    }),
  );
}

/**
 * Like `providerLists`, for a routing decision that must not rest on a list older than `maxAgeMs`: a list
 * within it is served at once (refreshed in the background after FRESH_MS, so a steady stream of requests
 * never waits); an older one waits for its refresh, at most the catalog deadline.
 */
export async function listsNoOlderThan(scope: Scope, providers: readonly Provider[], maxAgeMs: number): Promise<ProviderList[]> {
  const lists = await providerLists(scope, providers);
  const now = Date.now();
  return Promise.all(
    lists.map(async (list, i) => {
      if (now - list.fetchedAt <= maxAgeMs) return list;
      const entry = entries.get((providers[i] as Provider).id);
      if (entry?.refreshing) await entry.refreshing;
      return entries.get((providers[i] as Provider).id) ?? list;
    }),
  );
}

/** Drops the memory cache (tests; and after the registry changes in this isolate). */
export function forgetProviderLists(): void {
  entries.clear();
}
