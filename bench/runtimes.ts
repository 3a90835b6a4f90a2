// The two local runtimes the floor and the router run under:
// - `miniflare`: workerd through Miniflare's API (the Miniflare that wrangler itself uses), with the
//   worker options wrangler derives from the config: no dev proxy and no inspector relay in front.
// - `wrangler-dev`: wrangler's programmatic `wrangler dev` (unstable_startWorker), with its proxy
//   worker and inspector, as a developer runs it.
// For Miniflare the Worker is bundled with `wrangler deploy --dry-run --outdir`, which also gives the
// bundle's size. Worker logs are kept on in both; they are counted or filtered, never printed.
import { execFile } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { unstable_getMiniflareWorkerOptions, unstable_startWorker } from "wrangler";
import { workerdProcesses } from "./memory.ts";

export type RuntimeName = "miniflare" | "wrangler-dev";

export interface WorkerSpec {
  /** `floor` or `router`: names the Worker in Miniflare and in progress lines. */
  name: string;
  configPath: string;
  /** The bundle built by `bundleWorker` (Miniflare runs it as it would be deployed). */
  scriptPath: string;
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  /**
   * Replaces the RATE_LIMITER binding's limit per 60 s (the router's 600 would turn a throughput run
   * into 429s). `"unbound"` removes the binding (Miniflare only; for the bisecting diagnostics).
   */
  rateLimit?: number | "unbound";
  /** Miniflare only: changes the worker options wrangler derived from the config (for diagnostics). */
  adjust?: (workerOptions: Record<string, unknown>) => void;
  /** Compatibility settings for both Workers, taken from the router's config. */
  compatibility: { date: string; flags: string[] };
  /** A fresh folder for local KV, Durable Object and rate-limit state. */
  stateDir: string;
}

export interface RunningWorker {
  url: string;
  /** The workerd processes this Worker's runtime started. */
  pids: number[];
  /**
   * The console.log calls the Worker made (counted under Miniflare; undefined under wrangler dev, which
   * filters them). The router writes its request log in groups, several lines to a call (log-batch.ts).
   */
  logLines(): number | undefined;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
const wranglerRoot = dirname(require.resolve("wrangler/package.json"));

export interface Bundle {
  scriptPath: string;
  bytes: number;
  gzipBytes: number;
}

/** `wrangler deploy --dry-run --outdir`: the script that would be uploaded, and its size (gzipped as a whole). */
export async function bundleWorker(configPath: string, outdir: string): Promise<Bundle> {
  await promisify(execFile)(
    process.execPath,
    [join(wranglerRoot, "bin/wrangler.js"), "deploy", "--dry-run", "--outdir", outdir, "--config", configPath],
    {
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      timeout: 120_000,
    },
  );
  const files = readdirSync(outdir).filter((f) => /\.(m?js|wasm)$/.test(f));
  const contents = Buffer.concat(files.map((f) => readFileSync(join(outdir, f))));
  const main = files.find((f) => f === "index.js") ?? (files.find((f) => /\.m?js$/.test(f)) as string);
  return { scriptPath: join(outdir, main), bytes: contents.byteLength, gzipBytes: gzipSync(contents).byteLength };
}

interface MiniflareModule {
  Miniflare: new (options: unknown) => { ready: Promise<URL>; dispose(): Promise<void> };
  convertV4MiniflareOptions(options: Record<string, unknown>): unknown;
}

async function loadMiniflare(): Promise<MiniflareModule> {
  // wrangler's own Miniflare (and with it wrangler's workerd), so both runtimes run the same workerd.
  const entry = createRequire(join(wranglerRoot, "package.json")).resolve("miniflare");
  return (await import(pathToFileURL(entry).href)) as MiniflareModule;
}

function newPids(before: Set<number>): number[] {
  return [...workerdProcesses()].filter((pid) => !before.has(pid));
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const rateLimiter = (limit: number) => ({ namespace_id: "1001", simple: { limit, period: 60 } });

async function startUnderMiniflare(spec: WorkerSpec): Promise<RunningWorker> {
  const { Miniflare, convertV4MiniflareOptions } = await loadMiniflare();
  const { workerOptions } = unstable_getMiniflareWorkerOptions(spec.configPath) as {
    workerOptions: Record<string, unknown> & { bindings?: Record<string, unknown> };
  };
  // The bundle is one ES module and the WebAssembly it imports, which wrangler writes beside it.
  delete workerOptions.modulesRules;
  const outdir = dirname(spec.scriptPath);
  const wasm = readdirSync(outdir).filter((f) => f.endsWith(".wasm"));
  if (spec.rateLimit === "unbound") delete workerOptions.ratelimits;
  spec.adjust?.(workerOptions);
  let lines = 0;
  const before = workerdProcesses();
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      cf: false,
      resourceTmpPath: spec.stateDir,
      handleStructuredLogs: () => void lines++,
      ...workerOptions,
      name: spec.name,
      compatibilityDate: spec.compatibility.date,
      compatibilityFlags: spec.compatibility.flags,
      modulesRoot: outdir,
      modules: [{ type: "ESModule", path: spec.scriptPath }, ...wasm.map((f) => ({ type: "CompiledWasm", path: join(outdir, f) }))],
      bindings: { ...workerOptions.bindings, ...spec.vars, ...spec.secrets },
      ...(typeof spec.rateLimit === "number"
        ? { ratelimits: { RATE_LIMITER: { type: "ratelimit", name: "RATE_LIMITER", ...rateLimiter(spec.rateLimit) } } }
        : {}),
    }),
  );
  const url = (await mf.ready).origin;
  return { url, pids: newPids(before), logLines: () => lines, stop: () => mf.dispose() };
}

async function startUnderWranglerDev(spec: WorkerSpec): Promise<RunningWorker> {
  const bindings: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(spec.vars ?? {})) bindings[name] = { type: "plain_text", value };
  for (const [name, value] of Object.entries(spec.secrets ?? {})) bindings[name] = { type: "secret_text", value };
  if (spec.rateLimit === "unbound") throw new Error("wrangler dev binds what the config says: run the bench's diagnostics under Miniflare");
  if (spec.rateLimit) bindings.RATE_LIMITER = { type: "ratelimit", ...rateLimiter(spec.rateLimit) };
  const before = workerdProcesses();
  const worker = await unstable_startWorker({
    config: spec.configPath,
    compatibilityDate: spec.compatibility.date,
    compatibilityFlags: spec.compatibility.flags,
    bindings,
    // The inspector stays on, as in `wrangler dev`, each on a port of its own (two Workers in one
    // process would otherwise both pick the same one). `logLevel: "error"` keeps the Worker's log
    // lines off the terminal.
    dev: {
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: { hostname: "127.0.0.1", port: await freePort() },
      persist: spec.stateDir,
      logLevel: "error",
    },
  } as Parameters<typeof unstable_startWorker>[0]);
  await worker.ready;
  const url = (await worker.url).origin;
  // wrangler starts the Worker's own runtime on the first request.
  await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(30_000) }).then((r) => r.body?.cancel());
  return { url, pids: newPids(before), logLines: () => undefined, stop: () => worker.dispose() };
}

export function startWorker(runtime: RuntimeName, spec: WorkerSpec): Promise<RunningWorker> {
  return runtime === "miniflare" ? startUnderMiniflare(spec) : startUnderWranglerDev(spec);
}

/** The router's compatibility settings, which the floor adopts. */
export function compatibilityOf(configPath: string): WorkerSpec["compatibility"] {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(configPath) as {
    workerOptions: { compatibilityDate?: string; compatibilityFlags?: string[] };
  };
  return { date: workerOptions.compatibilityDate ?? "2026-11-01", flags: workerOptions.compatibilityFlags ?? [] };
}
