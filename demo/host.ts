// A DEMO llama-swap-like host for people with no GPU at hand: canned replies, paced streaming, a
// model list with `status`, fixed small embedding vectors. It is not a model and says so in every
// reply. Plain node:http, no dependencies.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface DemoModel {
  id: string;
  /** Seconds a first request waits while the "model loads" (a demo of a swap). */
  loadSeconds?: number;
}

export interface DemoHost {
  url: string;
  stop(): Promise<void>;
}

const REPLY =
  "Hello from a llama-edge DEMO host. No GPU was harmed: this reply is canned, streamed word by word through the router exactly as a real llama-swap host's would be.";

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startDemoHost(name: string, models: DemoModel[], options: { chunkGapMs?: number } = {}): Promise<DemoHost> {
  const loaded = new Set(models.filter((m) => !m.loadSeconds).map((m) => m.id));
  const server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && (path === "/v1/models" || path === "/models")) {
      const data = models.map((m) => ({
        id: m.id,
        object: "model",
        created: Math.floor(Date.now() / 1000),
        owned_by: "llama-swap",
        name: `${m.id} (demo)`,
        status: { value: loaded.has(m.id) ? "loaded" : "unloaded" },
      }));
      return send(res, 200, { object: "list", data });
    }
    if (req.method === "GET" && path === "/running") {
      return send(res, 200, { running: [...loaded].map((model) => ({ model, state: "ready" })) });
    }
    if (req.method === "GET" && path === "/health") return void res.end("OK");
    if (req.method !== "POST") return send(res, 404, { error: "not found" });

    const body = await readJson(req);
    const model = models.find((m) => m.id === body.model);
    if (!model)
      return send(res, 404, {
        src: "llama-swap",
        error: { message: `model ${String(body.model)} not found`, type: "invalid_request_error", param: null, code: "not_found" },
      });
    if (!loaded.has(model.id)) {
      await sleep((model.loadSeconds ?? 0) * 1000);
      loaded.add(model.id);
    }
    const id = `demo-${Date.now()}`;
    if (path === "/v1/embeddings") {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      return send(res, 200, {
        object: "list",
        model: model.id,
        data: inputs.map((_, index) => ({ object: "embedding", index, embedding: [0.1, 0.2, 0.3, 0.4] })),
        usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
      });
    }
    if (path !== "/v1/chat/completions" && path !== "/v1/completions") return send(res, 404, { error: "not found" });
    const reply = `[${name}] ${REPLY}`;
    if (body.stream !== true) {
      return send(res, 200, {
        id,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: model.id,
        choices: [{ index: 0, message: { role: "assistant", content: reply }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: reply.split(" ").length, total_tokens: 1 + reply.split(" ").length },
      });
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" });
    let closed = false;
    res.on("close", () => (closed = true));
    for (const word of reply.split(" ")) {
      if (closed) return;
      res.write(
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 0, model: model.id, choices: [{ index: 0, delta: { content: `${word} ` }, finish_reason: null }] })}\n\n`,
      );
      await sleep(options.chunkGapMs ?? 60);
    }
    res.write(
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 0, model: model.id, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`,
    );
    res.end("data: [DONE]\n\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
