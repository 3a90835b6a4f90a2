// Helpers for tests that run inside workerd against the real Worker, KV and Durable Objects.
import { env, exports } from "cloudflare:workers";
import { createKey } from "../../src/auth/api-keys.ts";
import type { Env } from "../../src/env.ts";
import { forgetProviderLists } from "../../src/catalog/provider-lists.ts";
import { forgetRegistry, REGISTRY_KEY } from "../../src/registry/loader.ts";
import { resetCircuitBreakers } from "../../src/resilience/circuit-breaker.ts";
import type { PoolInput, ProviderInput } from "../../src/registry/schema.ts";
import { CANARY_VALUES, TEST_SECRETS } from "../secrets.ts";

export const testEnv = env as unknown as Env;

/** The test env with a KV that only reads, and counts its `get` calls: for tests of when the router reads KV. */
export function countingKvReads(): { env: Env; reads: () => number } {
  let reads = 0;
  const kv = testEnv.CONFIG;
  const get = ((...args: Parameters<typeof kv.get>) => (reads++, kv.get(...args))) as typeof kv.get;
  return { env: { ...testEnv, CONFIG: { get } as unknown as typeof kv }, reads: () => reads };
}

/**
 * Writes a registry document to KV (as `providers push` does) and starts the isolate afresh for it:
 * no cached registry, no cached model lists, every circuit breaker closed.
 */
export async function putRegistry(
  document: { defaultProvider?: string; providers: (ProviderInput | PoolInput)[] } | string,
): Promise<void> {
  await testEnv.CONFIG.put(REGISTRY_KEY, typeof document === "string" ? document : JSON.stringify(document));
  forgetRegistry();
  forgetProviderLists();
  resetCircuitBreakers();
}

export async function clearRegistry(): Promise<void> {
  await testEnv.CONFIG.delete(REGISTRY_KEY);
  forgetRegistry();
}

/** Creates a real API key for `userId`, stored in KV as the CLI would. */
export async function userKey(userId = "alice", label = "test"): Promise<string> {
  return (await createKey(testEnv, userId, label)).key;
}

/** Calls the Worker as a client would. `key` becomes `Authorization: Bearer <key>`. */
export function call(path: string, init: RequestInit & { key?: string; json?: unknown } = {}): Promise<Response> {
  const { key, json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (key) headers.set("authorization", `Bearer ${key}`);
  let body = rest.body;
  if (json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(json);
  }
  return exports.default.fetch(
    new Request(`http://router.test${path}`, { ...rest, headers, body, method: rest.method ?? (body ? "POST" : "GET") }),
  );
}

export const adminToken = TEST_SECRETS.ADMIN_TOKEN;

/** Fails when any canary secret value appears in the text (a response body, a header dump, a log). */
export function expectNoSecrets(text: string): void {
  for (const canary of CANARY_VALUES) {
    if (text.includes(canary)) throw new Error(`a secret value leaked: ${canary.slice(0, 12)}…`);
  }
}

/** A response's status line, headers and body as one string, for leak checks. */
export async function dumpResponse(res: Response): Promise<string> {
  const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
  return `${res.status}\n${headers}\n\n${await res.text()}`;
}
