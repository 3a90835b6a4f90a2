// API-key storage in KV and the lookup on every request.
import type { AuthenticatedUser, Env } from "../env.ts";
import { ApiKeyRecord, hashKey, KEY_PREFIX, listing, newKey, parseKey, type ApiKeyListing } from "./key-format.ts";
import { upkeepSoon } from "../upkeep.ts";
import { timingSafeEqual } from "./timing-safe.ts";
import { forgetMissing, recordMissing, skipLookup } from "./unknown-keys.ts";

/**
 * Verified keys are remembered per isolate. For one second an entry is fresh and used as it is. After
 * that it is still used, for up to a minute, while KV is read again in the background: a chat client
 * that sends a request every few seconds would otherwise wait for a KV read (and a SHA-256) on nearly
 * every request, since its requests are more than a second apart (issue 16: measured here, 0.4 to
 * 0.9 ms of each stream's first byte under Miniflare). A revoked key therefore stops working at the first
 * background read that finds it gone: it may be admitted for the requests that arrive before that read
 * ends, and after a minute without one the next request waits for KV again. KV itself may take up to
 * 60 s to show a deletion in other locations. Revoking through the admin API also forgets the key in
 * the isolate that revoked it.
 */
const FRESH_MS = 1_000;
const STALE_MS = 60_000;
// The entry keeps the key that was verified, so a hit compares it (in constant time) instead of hashing the
// presented key again: the SHA-256 is paid once per key and minute at most, not once per request.
interface Verified {
  checkedAt: number;
  user: AuthenticatedUser;
  key: string;
  /** A background read is under way: other requests do not start another. */
  refreshing?: boolean;
}
const verified = new Map<string, Verified>();

/** Compared against when no record exists, so a missing key id costs the same work as a wrong secret. */
const NO_HASH = "0".repeat(64);

/** Reads the key's record and checks the presented key against it: the user, or undefined. */
async function lookup(env: Env, keyId: string, presented: string, client: string, now: number): Promise<AuthenticatedUser | undefined> {
  const hash = await hashKey(presented);
  if (skipLookup(keyId, client, now)) return undefined;
  const raw = await env.CONFIG.get(KEY_PREFIX + keyId, "json");
  const record = ApiKeyRecord.safeParse(raw);
  const matches = timingSafeEqual(record.success ? record.data.hash : NO_HASH, hash);
  if (!record.success) recordMissing(keyId, client, now);
  if (!record.success || !matches) return undefined;
  return { userId: record.data.userId, keyId: record.data.keyId };
}

function remember(keyId: string, entry: Verified): void {
  if (verified.size > 10_000) verified.clear();
  verified.set(keyId, entry);
}

/** Reads KV again for a remembered key, a moment after the request that asked (upkeep.ts), which waits for nothing. */
function refresh(env: Env, keyId: string, entry: Verified, client: string, waitUntil: (work: Promise<unknown>) => void): void {
  entry.refreshing = true;
  const work = upkeepSoon(() => lookup(env, keyId, entry.key, client, Date.now())).then(
    (user) => {
      // Only the entry this read was for: a revocation or a newer entry in between wins.
      if (verified.get(keyId) !== entry) return;
      if (user) remember(keyId, { checkedAt: Date.now(), user, key: entry.key });
      else verified.delete(keyId);
    },
    // KV failed: the entry stays as it was, and a later request tries again (or waits, once it is too old).
    () => (entry.refreshing = false),
  );
  waitUntil(work);
}

/**
 * `client` is the caller's address (cf-connecting-ip), for the unknown-key budget (unknown-keys.ts).
 * `waitUntil` (the request's) lets a remembered key be read again in the background; without it an
 * entry older than a second waits for KV.
 */
export async function verifyKey(
  env: Env,
  presented: string,
  client = "unknown",
  now = Date.now(),
  waitUntil?: (work: Promise<unknown>) => void,
): Promise<AuthenticatedUser | undefined> {
  const parsed = parseKey(presented);
  if (!parsed) return undefined;
  const hit = verified.get(parsed.keyId);
  if (hit && timingSafeEqual(hit.key, presented)) {
    const age = now - hit.checkedAt;
    if (age < FRESH_MS) return hit.user;
    if (age < STALE_MS && waitUntil) {
      if (!hit.refreshing) refresh(env, parsed.keyId, hit, client, waitUntil);
      return hit.user;
    }
  }
  const user = await lookup(env, parsed.keyId, presented, client, now);
  if (user) remember(parsed.keyId, { checkedAt: now, user, key: presented });
  return user;
}

export async function createKey(env: Env, userId: string, label: string): Promise<{ key: string; listing: ApiKeyListing }> {
  const { key, record } = await newKey(userId, label);
  await env.CONFIG.put(KEY_PREFIX + record.keyId, JSON.stringify(record), { metadata: listing(record) });
  forgetMissing(record.keyId);
  return { key, listing: listing(record) };
}

export async function listKeys(env: Env): Promise<ApiKeyListing[]> {
  const out: ApiKeyListing[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.CONFIG.list<ApiKeyListing>({ prefix: KEY_PREFIX, cursor });
    for (const entry of page.keys) if (entry.metadata) out.push(entry.metadata);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.keyId.localeCompare(b.keyId));
}

export async function revokeKey(env: Env, keyId: string): Promise<boolean> {
  const key = KEY_PREFIX + keyId;
  if ((await env.CONFIG.get(key)) === null) return false;
  await env.CONFIG.delete(key);
  verified.delete(keyId);
  return true;
}
