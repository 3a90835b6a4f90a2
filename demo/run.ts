// `npm run demo`: the DEMO hosts on 127.0.0.1 and the router in front of them, with a key, ready to
// try from curl or the openai SDK. Its state lives in .wrangler/demo-state, apart from `npm start`'s.
// Ctrl-C stops everything.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { portFromEnv, PortInUse, serveWorker, type LocalWorker } from "../cli/serve.ts";
import { startDemoFleet, tryItText, type DemoFleet } from "./fleet.ts";

const root = join(import.meta.dirname, "..");
let fleet: DemoFleet | undefined;
let worker: LocalWorker | undefined;

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await Promise.allSettled([worker?.dispose(), fleet?.stop()]);
  }
  process.exit(code);
}

async function demo(): Promise<void> {
  const adminToken = randomBytes(24).toString("base64url");
  worker = await serveWorker({ root, persist: join(root, ".wrangler/demo-state"), port: portFromEnv(), adminToken });
  // wrangler installs its own handlers (exiting with 130); the demo shuts its hosts down first, then exits 0.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stop(0));
  }
  fleet = await startDemoFleet();
  const put = await worker.admin("/admin/providers", "PUT", fleet.registry);
  if (!put.ok) throw new Error(`PUT /admin/providers: ${put.status} ${await put.text()}`);
  const created = await worker.admin("/admin/keys", "POST", { user: "demo", label: "npm run demo" });
  if (!created.ok) throw new Error(`POST /admin/keys: ${created.status} ${await created.text()}`);
  const { key } = (await created.json()) as { key: string };
  console.log(`
llama-edge DEMO is running on ${worker.url}  (demo hosts: ${fleet.hosts.map((h) => h.url).join(", ")}; canned replies, no GPU)

${tryItText(worker.url, key)} Ctrl-C stops the demo.
`);
}

try {
  await demo();
} catch (error) {
  console.error(error instanceof PortInUse ? error.message : `demo failed to start: ${(error as Error).message}`);
  await stop(1);
}
