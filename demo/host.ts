// A DEMO llama-swap-like host for people with no GPU at hand: canned replies, paced streaming, a
// model list with `status`, fixed small embedding vectors, and the same reply on Anthropic's Messages
// API (/v1/messages, for Claude Code) and the Responses API (/v1/responses, for Codex CLI). It is not a
// model and says so in every reply. Plain node:http, no dependencies.
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

const event = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const words = (text: string) => text.split(" ").map((word, i, all) => (i < all.length - 1 ? `${word} ` : word));

/** Writes SSE events `gapMs` apart, stopping when the client goes away. */
async function paced(res: ServerResponse, events: Iterable<string>, gapMs: number): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" });
  let closed = false;
  res.on("close", () => (closed = true));
  for (const text of events) {
    if (closed) return;
    res.write(text);
    if (text.includes("_delta")) await sleep(gapMs);
  }
  res.end();
}

/** One answer to write: the canned `reply` of `model`, whole or as a stream. */
interface Turn {
  res: ServerResponse;
  model: string;
  id: string;
  reply: string;
  stream: boolean;
  gapMs: number;
}

/** POST /v1/messages as llama-server answers it (Anthropic's Messages API), for Claude Code and the Anthropic SDKs. */
function anthropicReply({ res, model, id, reply, stream, gapMs }: Turn): Promise<void> | void {
  const message = { id: `msg_${id}`, type: "message", role: "assistant", model, stop_sequence: null };
  const usage = { input_tokens: 1, output_tokens: words(reply).length };
  if (!stream) return send(res, 200, { ...message, content: [{ type: "text", text: reply }], stop_reason: "end_turn", usage });
  return paced(
    res,
    [
      event("message_start", { message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 0 } } }),
      event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
      ...words(reply).map((text) => event("content_block_delta", { index: 0, delta: { type: "text_delta", text } })),
      event("content_block_stop", { index: 0 }),
      event("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage }),
      event("message_stop", {}),
    ],
    gapMs,
  );
}

/** POST /v1/responses (OpenAI's Responses API, what Codex CLI speaks): named events and no `[DONE]`. */
function responsesReply({ res, model, id, reply, stream, gapMs }: Turn): Promise<void> | void {
  const base = { id: `resp_${id}`, object: "response", created_at: Math.floor(Date.now() / 1000), model };
  const part = { type: "output_text", text: reply, annotations: [] };
  const item = { id: `msg_${id}`, type: "message", role: "assistant", status: "completed", content: [part] };
  const usage = { input_tokens: 1, output_tokens: words(reply).length, total_tokens: 1 + words(reply).length };
  const done = { ...base, status: "completed", output: [item], usage };
  if (!stream) return send(res, 200, done);
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>) => event(type, { sequence_number: seq++, ...data });
  const at = { item_id: item.id, output_index: 0, content_index: 0 };
  return paced(
    res,
    (function* () {
      yield ev("response.created", { response: { ...base, status: "in_progress", output: [] } });
      yield ev("response.output_item.added", { output_index: 0, item: { ...item, status: "in_progress", content: [] } });
      yield ev("response.content_part.added", { ...at, part: { ...part, text: "" } });
      for (const delta of words(reply)) yield ev("response.output_text.delta", { ...at, delta });
      yield ev("response.output_text.done", { ...at, text: reply });
      yield ev("response.content_part.done", { ...at, part });
      yield ev("response.output_item.done", { output_index: 0, item });
      yield ev("response.completed", { response: done });
    })(),
    gapMs,
  );
}

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
    const reply = `[${name}] ${REPLY}`;
    const gapMs = options.chunkGapMs ?? 60;
    if (path === "/v1/messages/count_tokens")
      return send(res, 200, { input_tokens: Math.max(1, Math.ceil(JSON.stringify(body.messages ?? []).length / 4)) });
    const turn: Turn = { res, model: model.id, id, reply, stream: body.stream === true, gapMs };
    if (path === "/v1/messages") return anthropicReply(turn);
    if (path === "/v1/responses") return responsesReply(turn);
    if (path !== "/v1/chat/completions" && path !== "/v1/completions") return send(res, 404, { error: "not found" });
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
      await sleep(gapMs);
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
