// Loads the provider registry from KV, validated, kept per isolate for a short time. When KV holds no
// registry, the legacy single-host settings (LLAMA_SWAP_URL, LLAMA_SIDECAR_URL) make a one-provider
// registry. A registry that fails validation is a configuration error naming the field: never a crash,
// never a silent fallback to something else.
import type { Env } from "../env.ts";
import { configError } from "../errors.ts";
import type { ProviderIds } from "../model-id.ts";
import { upkeepSoon } from "../upkeep.ts";
import { checkRegistry, isPool, type Pool, type Provider, type RegistryDocument } from "./schema.ts";

export const REGISTRY_KEY = "registry";
export const LEGACY_PROVIDER_ID = "llama-swap";

/**
 * Ten seconds: a registry change (`providers push`, `PUT /admin/providers`) reaches every busy isolate
 * within that plus KV's own propagation, and the hot path reads KV at most once per isolate per window.
 * An isolate whose registry is older than that but younger than STALE_MS uses it once more and reads KV
 * in the background, so a client whose requests are more than ten seconds apart (a chat) does not wait
 * for a KV read on each of them; that one request may still be routed by the registry it replaces.
 */
const CACHE_MS = 10_000;
const STALE_MS = 60_000;

export interface Registry extends ProviderIds {
  source: "kv" | "legacy" | "empty";
  document: RegistryDocument;
  /** The providers with a host, in registry order (pools are kept apart: they have no baseUrl). */
  providers: readonly Provider[];
  /** The pools (src/pools/), in registry order. */
  pools: readonly Pool[];
  get(id: string): Provider | undefined;
  pool(id: string): Pool | undefined;
}

let cached: { expires: number; value: Registry; refreshing?: boolean } | { expires: number; error: Error } | undefined;

export function buildRegistry(document: RegistryDocument, source: Registry["source"]): Registry {
  const providers = document.providers.filter((p): p is Provider => !isPool(p));
  const pools = document.providers.filter(isPool);
  const byId = new Map(providers.map((p) => [p.id, p]));
  const poolById = new Map(pools.map((p) => [p.id, p]));
  return {
    source,
    document,
    providers,
    pools,
    defaultProvider: document.defaultProvider,
    // A pool id is a provider prefix too: `any/qwen3-32b` parses as a composite id.
    has: (id) => byId.has(id) || poolById.has(id),
    get: (id) => byId.get(id),
    pool: (id) => poolById.get(id),
  };
}

function legacyRegistry(env: Env): Registry {
  const baseUrl = env.LLAMA_SWAP_URL?.trim();
  if (!baseUrl) return buildRegistry({ providers: [] }, "empty");
  const sidecarUrl = env.LLAMA_SIDECAR_URL?.trim() || undefined;
  const checked = checkRegistry({
    defaultProvider: LEGACY_PROVIDER_ID,
    providers: [{ id: LEGACY_PROVIDER_ID, label: "llama-swap", kind: "llama-swap", baseUrl, ...(sidecarUrl ? { sidecarUrl } : {}) }],
  });
  if (!checked.ok) {
    throw configError(`The legacy settings LLAMA_SWAP_URL / LLAMA_SIDECAR_URL are invalid: ${checked.problems.join("; ")}`);
  }
  return buildRegistry(checked.registry, "legacy");
}

async function readRegistry(env: Env): Promise<Registry> {
  const raw = await env.CONFIG.get(REGISTRY_KEY);
  if (raw === null) return legacyRegistry(env);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw configError(`The provider registry in KV ('${REGISTRY_KEY}') is not valid JSON.`);
  }
  const checked = checkRegistry(json);
  if (!checked.ok) throw configError(`The provider registry in KV is invalid: ${checked.problems.join("; ")}`);
  return buildRegistry(checked.registry, "kv");
}

/**
 * Reads KV and remembers what it found, a broken registry too (so a bad push does not turn every request
 * into a KV read). With `replacing`, only while that is still what the cache holds: a background read
 * never overwrites what an admin write (which forgets the cache) or a newer read put there meanwhile.
 */
async function readAndRemember(env: Env, now: number, replacing?: typeof cached): Promise<Registry> {
  const still = () => replacing === undefined || cached === replacing;
  try {
    const value = await readRegistry(env);
    if (still()) cached = { expires: now + CACHE_MS, value };
    return value;
  } catch (error) {
    if (still()) cached = { expires: now + CACHE_MS, error: error as Error };
    throw error;
  }
}

/** `waitUntil` (the request's) lets a registry past its ten seconds be read again in the background. */
export async function loadRegistry(env: Env, now = Date.now(), waitUntil?: (work: Promise<unknown>) => void): Promise<Registry> {
  const current = cached;
  if (current && current.expires > now) {
    if ("error" in current) throw current.error;
    return current.value;
  }
  if (current && "value" in current && waitUntil && now - current.expires < STALE_MS - CACHE_MS) {
    if (!current.refreshing) {
      current.refreshing = true;
      // A broken registry found this way is remembered by the read; this request is already answered.
      // Read a moment after this request's own work (upkeep.ts).
      waitUntil(upkeepSoon(() => readAndRemember(env, now, current)).catch(() => {}));
    }
    return current.value;
  }
  return readAndRemember(env, now);
}

/** After this isolate itself wrote the registry (admin API), and in tests. */
export function forgetRegistry(): void {
  cached = undefined;
}

export async function saveRegistry(env: Env, document: RegistryDocument): Promise<void> {
  await env.CONFIG.put(REGISTRY_KEY, JSON.stringify(document));
  forgetRegistry();
}
