// The built-in DEMO hosts and the registry that points at them: what `npm start` serves on a fresh
// clone and what `npm run demo` serves on its own state. Canned replies, one cold-loading model (3 s),
// one embedding model. Their ids all start with "demo-", which is how `npm start` recognises a demo
// registry left in local KV by an earlier run (its ports change every run).
import type { RegistryDocument } from "../src/registry/schema.ts";
import { startDemoHost, type DemoHost } from "./host.ts";

export interface DemoFleet {
  hosts: DemoHost[];
  registry: { defaultProvider: string; providers: object[] };
  stop(): Promise<void>;
}

export async function startDemoFleet(): Promise<DemoFleet> {
  const gpu = await startDemoHost("demo-gpu", [{ id: "demo-chat" }, { id: "demo-coder", loadSeconds: 3 }]);
  const embed = await startDemoHost("demo-embed", [{ id: "demo-embed" }]);
  return {
    hosts: [gpu, embed],
    registry: {
      defaultProvider: "demo-gpu",
      providers: [
        {
          id: "demo-gpu",
          label: "Demo GPU box (canned replies)",
          kind: "llama-swap",
          baseUrl: gpu.url,
          timeouts: { loadingNoticeMs: 1000 },
        },
        { id: "demo-embed", label: "Demo embedding box", kind: "llama-swap", baseUrl: embed.url },
      ],
    },
    stop: async () => void (await Promise.allSettled([gpu.stop(), embed.stop()])),
  };
}

export const isDemoRegistry = (doc: Pick<RegistryDocument, "providers">): boolean =>
  doc.providers.length > 0 && doc.providers.every((p) => p.id.startsWith("demo-"));

/** The ready-to-paste commands, printed by both `npm start` (demo mode) and `npm run demo`. */
export function tryItText(url: string, key: string): string {
  return `API key (user "demo"):
${key}

Try it (a streamed chat):
  export LLAMA_EDGE_KEY=${key}
  curl -N ${url}/v1/chat/completions -H "Authorization: Bearer $LLAMA_EDGE_KEY" -H "Content-Type: application/json" \\
    -d '{"model":"demo-gpu/demo-chat","stream":true,"messages":[{"role":"user","content":"Hello"}]}'

More:
  curl ${url}/v1/models -H "Authorization: Bearer $LLAMA_EDGE_KEY"
  curl -N ${url}/v1/chat/completions -H "Authorization: Bearer $LLAMA_EDGE_KEY" -H "Content-Type: application/json" \\
    -d '{"model":"demo-gpu/demo-coder","stream":true,"messages":[{"role":"user","content":"Hello"}]}'   # loads for 3 s first
  curl ${url}/v1/embeddings -H "Authorization: Bearer $LLAMA_EDGE_KEY" -H "Content-Type: application/json" \\
    -d '{"model":"demo-embed/demo-embed","input":"hello"}'

With the openai SDK (Node):
  LLAMA_EDGE_KEY=${key} npx node -e 'const O=require("openai");new O({baseURL:"${url}/v1",apiKey:process.env.LLAMA_EDGE_KEY}).chat.completions.create({model:"demo-gpu/demo-chat",messages:[{role:"user",content:"Hi"}]}).then(r=>console.log(r.choices[0].message.content))'

Open ${url}/ in a browser for the picker and chat page.`;
}
