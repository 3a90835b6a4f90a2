// The API-key format and its record, shared by the Worker and the CLI (plain Node): imports only zod.
// A key is `le_<key id>_<secret>`: the id (48 bits, hex) names the KV record and appears in logs and
// listings; the secret (256 bits) exists only in the key the user was shown once. KV keeps a SHA-256
// of the whole key: with 256 random bits there is nothing to brute-force, so no slow hash is needed.
import * as z from "zod";

export const KEY_PREFIX = "apikey:";
const KEY_PATTERN = /^le_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export const ApiKeyRecord = z.strictObject({
  v: z.literal(1),
  keyId: z.string().regex(/^[0-9a-f]{12}$/),
  userId: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/),
  label: z.string().max(100),
  createdAt: z.string(),
  /** Hex SHA-256 of the whole key. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

/** What `keys list` and `GET /admin/keys` show: never the key, never its hash. */
export type ApiKeyListing = Omit<ApiKeyRecord, "hash" | "v">;

export const USER_ID = ApiKeyRecord.shape.userId;

export function parseKey(key: string): { keyId: string } | undefined {
  const match = KEY_PATTERN.exec(key);
  return match ? { keyId: match[1] as string } : undefined;
}

// A table instead of toString(16)/padStart per byte: every request hashes its key (auth).
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
const hex = (bytes: ArrayBuffer | Uint8Array): string => {
  let out = "";
  for (const b of new Uint8Array(bytes)) out += HEX[b];
  return out;
};

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

export async function hashKey(key: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
}

export async function newKey(userId: string, label: string, now = new Date()): Promise<{ key: string; record: ApiKeyRecord }> {
  const keyId = hex(crypto.getRandomValues(new Uint8Array(6)));
  const key = `le_${keyId}_${base64url(crypto.getRandomValues(new Uint8Array(32)))}`;
  const record = ApiKeyRecord.parse({ v: 1, keyId, userId, label, createdAt: now.toISOString(), hash: await hashKey(key) });
  return { key, record };
}

export function listing(record: ApiKeyRecord): ApiKeyListing {
  return { keyId: record.keyId, userId: record.userId, label: record.label, createdAt: record.createdAt };
}
