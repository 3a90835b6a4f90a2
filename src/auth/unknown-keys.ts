// Bounds what unknown API keys cost. Every well-formed key whose id is not in KV costs a KV read; a client
// trying many made-up keys would turn each into one. So, per isolate: a key id that was just found missing
// is not looked up again for a while, and a client address that keeps presenting unknown keys gets the
// same 401 without a lookup until its minute is over. The price, accepted: a person sharing that address
// (a NAT) whose key this isolate has not verified within the last minute (api-keys.ts) waits out the same minute.

const MISSING_MS = 10_000;
const WINDOW_MS = 60_000;
/** Unknown-key lookups one client address may cause per minute per isolate. */
export const UNKNOWN_KEY_BUDGET = 60;
const MAX_ENTRIES = 10_000;

const missing = new Map<string, number>();
const misses = new Map<string, { count: number; windowStart: number }>();

function bounded<K, V>(map: Map<K, V>): Map<K, V> {
  if (map.size >= MAX_ENTRIES) map.clear();
  return map;
}

/** Should this lookup be skipped (answered 401 at once)? */
export function skipLookup(keyId: string, client: string, now = Date.now()): boolean {
  const until = missing.get(keyId);
  if (until !== undefined && until > now) return true;
  const entry = misses.get(client);
  return entry !== undefined && now - entry.windowStart < WINDOW_MS && entry.count >= UNKNOWN_KEY_BUDGET;
}

export function recordMissing(keyId: string, client: string, now = Date.now()): void {
  bounded(missing).set(keyId, now + MISSING_MS);
  const entry = misses.get(client);
  if (!entry || now - entry.windowStart >= WINDOW_MS) bounded(misses).set(client, { count: 1, windowStart: now });
  else entry.count += 1;
}

/** A key created in this isolate must work at once, even if its id was once looked up and missing. */
export function forgetMissing(keyId: string): void {
  missing.delete(keyId);
}

export function resetUnknownKeys(): void {
  missing.clear();
  misses.clear();
}
