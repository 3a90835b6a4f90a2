// Runs the project's own wrangler with the Node that runs this CLI (Node 22 from node_modules), so a
// machine whose default `node` is older still works. Output is captured unless `inherit` is asked for.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
export const WRANGLER_BIN = join(dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");

export interface WranglerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `input` is written to wrangler's stdin (how `secret put` takes a value without it ever being in argv). */
export function runWrangler(args: string[], options: { inherit?: boolean; cwd?: string; input?: string } = {}): Promise<WranglerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      stdio: options.inherit ? "inherit" : [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Where KV commands act: the local state `npm start` uses (optionally another folder), or Cloudflare. */
export interface KvTarget {
  remote: boolean;
  persistTo?: string;
}

function targetArgs(target: KvTarget): string[] {
  if (target.remote) return ["--remote"];
  return target.persistTo ? ["--local", "--persist-to", target.persistTo] : ["--local"];
}

async function kv(args: string[], target: KvTarget): Promise<string> {
  const result = await runWrangler(["kv", "key", ...args, "--binding", "CONFIG", ...targetArgs(target)]);
  if (result.code !== 0) {
    throw new Error(`wrangler kv key ${args[0]} failed (exit ${result.code}):\n${result.stderr || result.stdout}`.trim());
  }
  return result.stdout;
}

export const kvPut = (key: string, value: string, target: KvTarget, metadata?: object) =>
  kv(["put", key, value, ...(metadata ? ["--metadata", JSON.stringify(metadata)] : [])], target).then(() => undefined);

export const kvDelete = (key: string, target: KvTarget) => kv(["delete", key], target).then(() => undefined);

export async function kvGet(key: string, target: KvTarget): Promise<string | undefined> {
  const result = await runWrangler(["kv", "key", "get", key, "--binding", "CONFIG", ...targetArgs(target)]);
  if (result.code !== 0 || /Value not found/i.test(result.stdout + result.stderr)) return undefined;
  return result.stdout;
}

export async function kvList(prefix: string, target: KvTarget): Promise<{ name: string; metadata?: unknown }[]> {
  const out = await kv(["list", "--prefix", prefix], target);
  // wrangler prints a banner before the JSON array in some modes; read from the first '['.
  const start = out.indexOf("[");
  return start === -1 ? [] : (JSON.parse(out.slice(start)) as { name: string; metadata?: unknown }[]);
}
