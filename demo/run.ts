// `npm run demo`: two DEMO hosts on 127.0.0.1 and the router in front of them, with a key, ready to
// try from curl or the openai SDK. Its state lives in .wrangler/demo-state, apart from `npm start`'s.
// Ctrl-C stops everything.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { unstable_startWorker } from "wrangler";
import { startDemoHost } from "./host.ts";

const root = join(import.meta.dirname, "..");
const port = Number(process.env.PORT ?? 8787);
const adminToken = randomBytes(24).toString("base64url");

const gpu = await startDemoHost("demo-gpu", [{ id: "demo-chat" }, { id: "demo-coder", loadSeconds: 3 }]);
const embed = await startDemoHost("demo-embed", [{ id: "demo-embed" }]);
const worker = await unstable_startWorker({
  config: join(root, "wrangler.toml"),
  bindings: { ADMIN_TOKEN: { type: "secret_text", value: adminToken } },
  dev: { server: { hostname: "127.0.0.1", port }, inspector: false, persist: join(root, ".wrangler/demo-state"), logLevel: "warn" },
} as Parameters<typeof unstable_startWorker>[0]);
await worker.ready;
const url = (await worker.url).origin;

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await Promise.allSettled([worker.dispose(), gpu.stop(), embed.stop()]);
  }
  process.exit(code);
}
// wrangler installs its own handlers (exiting with 130); the demo shuts its hosts down first, then exits 0.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.removeAllListeners(signal);
  process.on(signal, () => void stop(0));
}

async function admin(path: string, method: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

try {
  await admin("/admin/providers", "PUT", {
    defaultProvider: "demo-gpu",
    providers: [
      { id: "demo-gpu", label: "Demo GPU box (canned replies)", kind: "llama-swap", baseUrl: gpu.url, timeouts: { loadingNoticeMs: 1000 } },
      { id: "demo-embed", label: "Demo embedding box", kind: "llama-swap", baseUrl: embed.url },
    ],
  });
  const { key } = (await admin("/admin/keys", "POST", { user: "demo", label: "npm run demo" })) as { key: string };
  console.log(`
llama-edge DEMO is running on ${url}  (demo hosts: ${gpu.url}, ${embed.url}; canned replies, no GPU)

API key (user "demo"):
${key}

Try it:
  export LLAMA_EDGE_KEY=${key}
  curl ${url}/v1/models -H "Authorization: Bearer $LLAMA_EDGE_KEY"
  curl ${url}/v1/chat/completions -H "Authorization: Bearer $LLAMA_EDGE_KEY" -H "Content-Type: application/json" \\
    -d '{"model":"demo-gpu/demo-chat","messages":[{"role":"user","content":"Hello"}]}'
  curl -N ${url}/v1/chat/completions -H "Authorization: Bearer $LLAMA_EDGE_KEY" -H "Content-Type: application/json" \\
    -d '{"model":"demo-gpu/demo-coder","stream":true,"messages":[{"role":"user","content":"Hello"}]}'
  curl ${url}/v1/embeddings -H "Authorization: Bearer $LLAMA_EDGE_KEY" -H "Content-Type: application/json" \\
    -d '{"model":"demo-embed/demo-embed","input":"hello"}'

With the openai SDK (Node):
  LLAMA_EDGE_KEY=${key} npx node -e 'const O=require("openai");new O({baseURL:"${url}/v1",apiKey:process.env.LLAMA_EDGE_KEY}).chat.completions.create({model:"demo-gpu/demo-chat",messages:[{role:"user",content:"Hi"}]}).then(r=>console.log(r.choices[0].message.content))'

Open ${url}/ in a browser for the picker and chat page. Ctrl-C stops the demo.
`);
} catch (error) {
  console.error(`demo failed to start: ${(error as Error).message}`);
  await stop(1);
}
