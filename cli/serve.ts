// Runs the Worker locally for `npm start` and `npm run demo`: checks the port first (a taken port is
// one clear line and exit 1, not a silent hang), keeps starts quiet offline, binds `.dev.vars` and
// re-binds it whenever the file changes, so `llama-edge secrets set NAME --local` needs no restart.
import { watchFile, unwatchFile } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { readDevVars } from "./dev-vars.ts";

export class PortInUse extends Error {
  readonly port: number;
  constructor(port: number) {
    super(
      `Port ${port} is already in use (another npm start or npm run demo?). Stop that, or pick another port: PORT=${port + 1} npm start (or PORT=${port + 1} npm run demo).`,
    );
    this.port = port;
  }
}

/** Resolves when nothing listens on 127.0.0.1:port; port 0 (any free port) always passes. */
export function assertPortFree(port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => reject(error.code === "EADDRINUSE" ? new PortInUse(port) : error));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

export function portFromEnv(): number {
  const raw = process.env.PORT ?? "8787";
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number (0-65535), not '${raw}'`);
  return port;
}

export interface ServeOptions {
  root: string;
  /** Local KV / Durable Object state folder (wrangler's --persist-to). */
  persist: string;
  port: number;
  adminToken: string;
  /** Bind this dotenv file's entries as secrets and re-bind them when it changes. */
  varsFile?: string;
  /** Printed (names only) after a re-bind. */
  onVarsReloaded?: (names: string[]) => void;
}

export interface LocalWorker {
  url: string;
  admin(path: string, method?: string, body?: unknown): Promise<Response>;
  dispose(): Promise<void>;
}

type Bindings = Record<string, { type: "secret_text" | "plain_text"; value: string }>;

async function bindingsFor(options: ServeOptions): Promise<Bindings> {
  const bindings: Bindings = {};
  if (options.varsFile)
    for (const [name, value] of Object.entries(await readDevVars(options.varsFile))) bindings[name] = { type: "secret_text", value };
  bindings.ADMIN_TOKEN = { type: "secret_text", value: options.adminToken };
  // The Worker's missing-secret errors and the doctor name `secrets set NAME --local` when this is set.
  bindings.LLAMA_EDGE_RUNTIME = { type: "plain_text", value: "local" };
  return bindings;
}

export async function serveWorker(options: ServeOptions): Promise<LocalWorker> {
  // Offline, wrangler's fetch of Request.cf data prints a getaddrinfo stack trace on every start; its
  // built-in fallback values are what a local router needs anyway.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
  process.env.WRANGLER_SEND_METRICS ??= "false";
  await assertPortFree(options.port);
  const { unstable_startWorker } = await import("wrangler");
  let current = await bindingsFor(options);
  const worker = await unstable_startWorker({
    config: join(options.root, "wrangler.toml"),
    bindings: current,
    dev: { server: { hostname: "127.0.0.1", port: options.port }, inspector: false, persist: options.persist, logLevel: "warn" },
  } as Parameters<typeof unstable_startWorker>[0]);
  await worker.ready;
  const url = (await worker.url).origin;

  const varsFile = options.varsFile;
  let reloading = Promise.resolve();
  if (varsFile) {
    // Polling survives editors that replace the file (and the file not existing yet).
    watchFile(varsFile, { interval: 300 }, () => {
      reloading = reloading
        .then(async () => {
          const next = await bindingsFor(options);
          if (JSON.stringify(next) === JSON.stringify(current)) return;
          current = next;
          await worker.patchConfig({ bindings: next } as Parameters<typeof worker.patchConfig>[0]);
          await worker.ready;
          options.onVarsReloaded?.(Object.keys(next).filter((n) => n !== "LLAMA_EDGE_RUNTIME"));
        })
        .catch((error) => console.error(`could not reload ${varsFile}: ${(error as Error).message}`));
    });
  }
  return {
    url,
    admin: (path, method = "GET", body) =>
      fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${options.adminToken}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    dispose: async () => {
      if (varsFile) unwatchFile(varsFile);
      await reloading;
      await worker.dispose();
    },
  };
}

/** How often a running `npm start` checks that whatever started it is still there. */
const PARENT_CHECK_MS = 1_000;

/**
 * How `npm start` and `npm run demo` end: `stop` disposes what they started (once, whatever calls it)
 * and exits with the code; `onSignals` replaces wrangler's own Ctrl-C handlers (which exit with 130
 * before the demo hosts are down) so a signal stops everything first and exits 0.
 * It also stops when the process that started it is gone. `npm start` runs this script under a shell,
 * and a SIGTERM sent to npm (by `kill`, a process manager, an IDE's stop button) ends npm and the shell
 * without reaching this process: it would go on serving, holding the port and the workerd processes.
 * Ctrl-C reaches every process of the terminal's group, so it needs none of this. A parent that is gone
 * shows as a new parent pid (the orphan is adopted); Windows keeps the old one, so there it never fires.
 */
export function localShutdown(parts: () => (Promise<unknown> | undefined)[]): { stop(code: number): Promise<never>; onSignals(): void } {
  const parent = process.ppid;
  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      await Promise.allSettled(parts());
    }
    process.exit(code);
  };
  return {
    stop,
    onSignals() {
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.removeAllListeners(signal);
        process.on(signal, () => void stop(0));
      }
      // Once: a second call to `stop` exits at once (a second Ctrl-C), which would cut this one's cleanup short.
      const watch = setInterval(() => {
        if (process.ppid === parent) return;
        clearInterval(watch);
        void stop(0);
      }, PARENT_CHECK_MS);
      watch.unref();
    },
  };
}
