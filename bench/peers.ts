// The peer the bench measures the router against: Portkey's open-source AI gateway (a Hono app on
// Workers, MIT), from the source archive beside this project (../shared/peers). It is unpacked and
// installed into bench/.peers/portkey (gitignored) on first use, and runs under this project's own
// wrangler, so it meets the same workerd as the router. Nothing of it goes into the project.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Target } from "./client.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..");
const ARCHIVE = process.env.BENCH_PORTKEY_TGZ ?? join(root, "../../shared/peers/portkey-gateway-669825c.tgz");
const fallbackArchive = "/work/shared/peers/portkey-gateway-669825c.tgz";
export const PORTKEY_DIR = join(root, "bench/.peers/portkey");

export type Prepared = { ok: true; configPath: string } | { ok: false; reason: string };

/** Unpacks and installs the gateway once; says why not when it cannot. */
export async function preparePortkey(say: (line: string) => void): Promise<Prepared> {
  const configPath = join(PORTKEY_DIR, "wrangler.toml");
  if (existsSync(join(PORTKEY_DIR, "node_modules/hono"))) return { ok: true, configPath };
  const archive = [ARCHIVE, fallbackArchive].find((a) => existsSync(a));
  if (!archive) return { ok: false, reason: `no archive at ${ARCHIVE} (set BENCH_PORTKEY_TGZ)` };
  try {
    say(`installing Portkey's gateway into bench/.peers/portkey (npm ci --ignore-scripts, about 30 s)`);
    mkdirSync(PORTKEY_DIR, { recursive: true });
    await run("tar", ["-xzf", archive, "-C", PORTKEY_DIR], { timeout: 60_000 });
    await run("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: PORTKEY_DIR, timeout: 300_000 });
    return { ok: true, configPath };
  } catch (error) {
    return { ok: false, reason: `could not install it: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` };
  }
}

/** How a client calls the gateway in front of a host: an OpenAI endpoint, the host named per request. */
export function portkeyHeaders(hostOrigin: string): Target["headers"] {
  return { authorization: "Bearer unused", "x-portkey-provider": "openai", "x-portkey-custom-host": `${hostOrigin}/v1` };
}
