// API-key storage in KV and the lookup on every request.
import type { AuthenticatedUser, Env } from "../env.ts";
import { ApiKeyRecord, hashKey, KEY_PREFIX, listing, newKey, parseKey, type ApiKeyListing } from "./key-format.ts";
import { timingSafeEqual } from "./timing-safe.ts";
import { forgetMissing, recordMissing, skipLookup } from "./unknown-keys.ts";

/**
 * Verified keys are remembered per isolate for one second: a busy client then costs one KV read a
 * second, not one per request, and a revoked key stops working within a second of KV showing the
 * deletion (KV itself may take up to 60 s to propagate across locations). Revoking through the admin
 * API also forgets the key in the isolate that revoked it.
 */
const VERIFIED_MS = 1_000;
// The entry keeps the key that was verified, so a hit compares it (in constant time) instead of hashing the
// presented key again: the SHA-256 is paid once per key and second, not once per request.
const verified = new Map<string, { expires: number; user: AuthenticatedUser; key: string }>();

/** Compared against when no record exists, so a missing key id costs the same work as a wrong secret. */
const NO_HASH = "0".repeat(64);

/** `client` is the caller's address (cf-connecting-ip), for the unknown-key budget (unknown-keys.ts). */
export async function verifyKey(env: Env, presented: string, client = "unknown", now = Date.now()): Promise<AuthenticatedUser | undefined> {
  const parsed = parseKey(presented);
  if (!parsed) return undefined;
  const hit = verified.get(parsed.keyId);
  if (hit && hit.expires > now && timingSafeEqual(hit.key, presented)) return hit.user;
  const hash = await hashKey(presented);
  if (skipLookup(parsed.keyId, client, now)) return undefined;

  const raw = await env.CONFIG.get(KEY_PREFIX + parsed.keyId, "json");
  const record = ApiKeyRecord.safeParse(raw);
  const matches = timingSafeEqual(record.success ? record.data.hash : NO_HASH, hash);
  if (!record.success) recordMissing(parsed.keyId, client, now);
  if (!record.success || !matches) return undefined;
  const user = { userId: record.data.userId, keyId: record.data.keyId };
  if (verified.size > 10_000) verified.clear();
  verified.set(parsed.keyId, { expires: now + VERIFIED_MS, user, key: presented });
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
