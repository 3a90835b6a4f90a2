// Starts the real Worker under wrangler's local runtime (workerd, real KV and Durable Objects) on
// 127.0.0.1 with a fresh state directory, seeds the registry and API keys through the admin API, and
// stops it again. For end-to-end tests with real clients and real sockets.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unstable_startWorker } from "wrangler";
import type { ProviderInput } from "../../src/registry/schema.ts";
import { TEST_SECRETS } from "../secrets.ts";

export interface RouterOptions {
  /** Written with PUT /admin/providers; omit to run on the legacy settings or nothing. */
  registry?: { defaultProvider?: string; providers: ProviderInput[] };
  /** One API key is created per user id. Default: ["alice"]. */
  users?: string[];
  /** Extra plain-text vars (LLAMA_SWAP_URL...). Secrets from test/secrets.ts are always bound. */
  vars?: Record<string, string>;
  /** A local state folder to use (as `--persist-to` for wrangler and the CLI); default: a fresh temp dir, removed on stop. */
  stateDir?: string;
}

export interface RunningRouter {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:43123 */
  url: string;
  /**
   * The Worker's own address in the local runtime, without wrangler's dev proxy in front. That proxy
   * keeps forwarding a request whose client left before the response started, so client-disconnect
   * tests need this one.
   */
  directUrl: string;
  /** `user id → API key`. */
  keys: Record<string, string>;
  adminToken: string;
  /** fetch against the router with the admin token. */
  admin(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/** wrangler keeps the Worker's own Miniflare on its local runtime controller once a request has gone through. */
async function userWorkerUrl(worker: Awaited<ReturnType<typeof unstable_startWorker>>, url: string): Promise<string> {
  await fetch(`${url}/healthz`);
  const runtimes = (worker.raw as unknown as { runtimes?: { mf?: { ready: Promise<URL> } }[] }).runtimes ?? [];
  const mf = runtimes.find((r) => r.mf)?.mf;
  if (!mf) throw new Error("wrangler no longer exposes the local runtime's Miniflare: directUrl is unavailable");
  return (await mf.ready).origin;
}

export async function startRouter(options: RouterOptions = {}): Promise<RunningRouter> {
  const state = options.stateDir ?? (await mkdtemp(join(tmpdir(), "llama-edge-e2e-")));
  const bindings: Record<string, { type: "secret_text" | "plain_text"; value: string }> = {};
  for (const [name, value] of Object.entries(TEST_SECRETS)) bindings[name] = { type: "secret_text", value };
  for (const [name, value] of Object.entries(options.vars ?? {})) bindings[name] = { type: "plain_text", value };

  const worker = await unstable_startWorker({
    config: join(import.meta.dirname, "../../wrangler.toml"),
    bindings,
    dev: {
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      // The same folder as wrangler's and the CLI's `--persist-to` (both keep their data under DIR/v3).
      persist: state,
      logLevel: "error",
    },
  } as Parameters<typeof unstable_startWorker>[0]);
  await worker.ready;
  const url = (await worker.url).origin;
  const adminToken = TEST_SECRETS.ADMIN_TOKEN;
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(url + path, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    });

  const stop = async () => {
    await worker.dispose();
    if (!options.stateDir) await rm(state, { recursive: true, force: true });
  };
  try {
    if (options.registry) {
      const res = await admin("/admin/providers", { method: "PUT", body: JSON.stringify(options.registry) });
      if (!res.ok) throw new Error(`seeding the registry failed: ${res.status} ${await res.text()}`);
    }
    const keys: Record<string, string> = {};
    for (const user of options.users ?? ["alice"]) {
      const res = await admin("/admin/keys", { method: "POST", body: JSON.stringify({ user, label: "e2e" }) });
      if (!res.ok) throw new Error(`creating a key failed: ${res.status} ${await res.text()}`);
      keys[user] = ((await res.json()) as { key: string }).key;
    }
    return { url, directUrl: await userWorkerUrl(worker, url), keys, adminToken, admin, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
