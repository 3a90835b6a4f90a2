// `llama-edge keys create|list|revoke`: API keys in KV, in the same record format the Worker reads.
import { ApiKeyRecord, KEY_PREFIX, listing, newKey, USER_ID, type ApiKeyListing } from "../src/auth/key-format.ts";
import { kvDelete, kvGet, kvList, kvPut, type KvTarget } from "./wrangler.ts";

export async function createCommand(user: string, label: string, target: KvTarget): Promise<number> {
  if (!USER_ID.safeParse(user).success) {
    console.error(`invalid user id '${user}': use 1 to 64 letters, digits, '.', '_', '@' or '-'`);
    return 1;
  }
  const { key, record } = await newKey(user, label);
  await kvPut(KEY_PREFIX + record.keyId, JSON.stringify(record), target, listing(record));
  console.log(`Created key ${record.keyId} for user '${user}'${label ? ` (${label})` : ""} in ${target.remote ? "remote" : "local"} KV.`);
  console.log("It is shown once; store it now. Use it as 'Authorization: Bearer <key>':");
  console.log(key);
  return 0;
}

export async function listCommand(target: KvTarget): Promise<number> {
  const entries = await kvList(KEY_PREFIX, target);
  const rows = entries
    .map((e) => e.metadata as ApiKeyListing | undefined)
    .filter((m): m is ApiKeyListing => !!m && typeof m.keyId === "string")
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  if (rows.length === 0) {
    console.log("No API keys.");
    return 0;
  }
  console.log(`${"KEY ID".padEnd(14)}${"USER".padEnd(22)}${"CREATED".padEnd(26)}LABEL`);
  for (const r of rows) console.log(`${r.keyId.padEnd(14)}${r.userId.padEnd(22)}${r.createdAt.padEnd(26)}${r.label}`);
  return 0;
}

export async function revokeCommand(keyId: string, target: KvTarget): Promise<number> {
  if (!/^[0-9a-f]{12}$/.test(keyId)) {
    console.error(`'${keyId}' is not a key id (12 hex characters, as 'keys list' shows)`);
    return 1;
  }
  const raw = await kvGet(KEY_PREFIX + keyId, target);
  if (raw === undefined || !ApiKeyRecord.safeParse(JSON.parse(raw)).success) {
    console.error(`No API key with id ${keyId}.`);
    return 1;
  }
  await kvDelete(KEY_PREFIX + keyId, target);
  console.log(`Revoked key ${keyId}. Running isolates stop accepting it within a second of KV showing the change.`);
  return 0;
}
