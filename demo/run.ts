// `npm run demo`: the DEMO hosts on 127.0.0.1 and the router in front of them, with a key, ready to
// try from curl or the openai SDK. Its state lives in .wrangler/demo-state, apart from `npm start`'s.
// Ctrl-C stops everything.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { localShutdown, portFromEnv, PortInUse, serveWorker, type LocalWorker } from "../cli/serve.ts";
import { startDemoFleet, tryItText, type DemoFleet } from "./fleet.ts";

const root = join(import.meta.dirname, "..");
let fleet: DemoFleet | undefined;
let worker: LocalWorker | undefined;

const { stop, onSignals } = localShutdown(() => [worker?.dispose(), fleet?.stop()]);

async function demo(): Promise<void> {
  const adminToken = randomBytes(24).toString("base64url");
  worker = await serveWorker({ root, persist: join(root, ".wrangler/demo-state"), port: portFromEnv(), adminToken });
  onSignals();
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
