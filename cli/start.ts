// `npm start`: the router on 127.0.0.1:$PORT (default 8787) with local KV and Durable Object state.
// With a providers.json it serves that; with none it serves the registry an earlier `providers push`
// left in local KV; on a fresh clone it starts the built-in DEMO hosts, points a registry at them,
// creates a key and prints commands to paste. `.dev.vars` holds the local secrets (ADMIN_TOKEN is
// generated the first time) and is re-read when it changes.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { startDemoFleet, isDemoRegistry, tryItText, type DemoFleet } from "../demo/fleet.ts";
import { registryWarnings } from "../src/doctor/registry-warnings.ts";
import type { RegistryDocument } from "../src/registry/schema.ts";
import { DEV_VARS, readDevVars } from "./dev-vars.ts";
import { readRegistryFile } from "./providers.ts";
import { localShutdown, portFromEnv, PortInUse, serveWorker, type LocalWorker } from "./serve.ts";

const root = join(import.meta.dirname, "..");
const varsFile = join(root, DEV_VARS);
const providersFile = join(root, "providers.json");

async function ensureAdminToken(): Promise<string> {
  const current = (await readDevVars(varsFile)).ADMIN_TOKEN;
  if (current && current.length >= 16) return current;
  const token = randomBytes(24).toString("base64url");
  const text = existsSync(varsFile) ? await readFile(varsFile, "utf8") : "";
  await appendFile(varsFile, `${text === "" || text.endsWith("\n") ? "" : "\n"}ADMIN_TOKEN=${token}\n`, { mode: 0o600 });
  console.log(`ADMIN_TOKEN: generated and saved in .dev.vars (for /admin/* and llama-edge doctor).`);
  return token;
}

let worker: LocalWorker | undefined;
let fleet: DemoFleet | undefined;
const { stop, onSignals } = localShutdown(() => [worker?.dispose(), fleet?.stop()]);

async function expectOk(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

function describeRegistry(doc: RegistryDocument, url: string): string {
  const lines = doc.providers.map(
    (p) =>
      `  ${p.id.padEnd(20)} ${p.enabled ? "" : "(disabled) "}${p.kind === "pool" ? `pool of ${Object.keys(p.members).join(", ")}` : p.baseUrl}`,
  );
  const warnings = registryWarnings(doc, [url]).map((w) => `  warning: ${w.provider}: ${w.message}`);
  return [...lines, ...warnings].join("\n");
}

async function start(): Promise<void> {
  const port = portFromEnv();
  // Check providers.json before starting anything: a broken file is a message, not a half-started router.
  const file = existsSync(providersFile) ? await readRegistryFile(providersFile) : undefined;
  if (file && !file.ok) throw new Error(`providers.json is invalid, nothing started:\n${file.problems.map((p) => `  - ${p}`).join("\n")}`);
  const adminToken = await ensureAdminToken();
  worker = await serveWorker({
    root,
    persist: join(root, ".wrangler/state"),
    port,
    adminToken,
    varsFile,
    onVarsReloaded: (names) => console.log(`.dev.vars changed: re-bound ${names.join(", ")}`),
  });
  onSignals();
  const url = worker.url;
  if (file?.ok) {
    await expectOk(await worker.admin("/admin/providers", "PUT", file.registry), "loading providers.json");
    console.log(`\nllama-edge is running on ${url}, serving providers.json:\n${describeRegistry(file.registry, url)}\n`);
    console.log(`Create a key: npx llama-edge keys create alice    Check the hosts: npx llama-edge doctor\nCtrl-C stops it.`);
    return;
  }
  const stored = (await (await expectOk(await worker.admin("/admin/providers"), "reading the registry")).json()) as RegistryDocument & {
    source: string;
  };
  if (stored.source === "kv" && !isDemoRegistry(stored)) {
    console.log(
      `\nllama-edge is running on ${url}, serving the registry in local KV (from an earlier providers push; no providers.json here):\n${describeRegistry(stored, url)}\n`,
    );
    console.log(`Create a key: npx llama-edge keys create alice    Check the hosts: npx llama-edge doctor\nCtrl-C stops it.`);
    return;
  }
  fleet = await startDemoFleet();
  await expectOk(await worker.admin("/admin/providers", "PUT", fleet.registry), "loading the demo registry");
  const created = await expectOk(await worker.admin("/admin/keys", "POST", { user: "demo", label: "npm start (demo)" }), "creating a key");
  const { key } = (await created.json()) as { key: string };
  console.log(`
llama-edge is running on ${url} with the built-in DEMO hosts (no providers.json yet; canned replies, no GPU).
To serve your own hosts: cp providers.example.json providers.json, edit it, and run npm start again.

${tryItText(url, key)} Ctrl-C stops it.
`);
}

try {
  await start();
} catch (error) {
  console.error(error instanceof PortInUse ? error.message : `npm start failed: ${(error as Error).message}`);
  await stop(1);
}
