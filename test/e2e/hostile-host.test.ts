// A hostile or broken host on a real socket, against the Worker under wrangler, with the official
// openai SDK as the client: what a user's own code sees when a host sends a gzip bomb as its model list,
// cuts a stream inside an event, answers plain JSON after the router committed to a stream, or keeps
// its connection open after `data: [DONE]`.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRouter, type RunningRouter } from "./harness.ts";

type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;
const behaviours = new Map<string, Behaviour>();
const sockets = new Set<Socket>();
let hostUrl = "";
const server = createServer(async (req, res) => {
  let body = "";
  for await (const chunk of req) body += chunk;
  const model = (JSON.parse(body || "{}") as { model?: string }).model ?? "";
  const path = new URL(req.url ?? "/", "http://x").pathname;
  const behaviour = behaviours.get(path === "/v1/chat/completions" ? model : path);
  if (behaviour) return behaviour(req, res);
  res
    .writeHead(404, { "content-type": "application/json" })
    .end(JSON.stringify({ src: "llama-swap", error: "no router for requested model" }));
});
server.on("connection", (s) => {
  sockets.add(s);
  s.on("close", () => sockets.delete(s));
});

const sse = (res: ServerResponse) => res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
const chunk = (text: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text } }] })}\n\n`;

let router: RunningRouter;
let client: OpenAI;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hostUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  router = await startRouter({
    registry: {
      defaultProvider: "bad",
      providers: [
        { id: "bad", label: "A hostile host", kind: "llama-swap", baseUrl: hostUrl, timeouts: { loadingNoticeMs: 300, catalogMs: 3000 } },
      ],
    },
  });
  client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: router.keys.alice, maxRetries: 0 });
});

afterAll(async () => {
  await router?.stop();
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

async function collect(model: string): Promise<string> {
  const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: "user", content: "hi" }] });
  let text = "";
  for await (const part of stream) text += part.choices[0]?.delta?.content ?? "";
  return text;
}

describe("a hostile host", () => {
  it("a gzip bomb as the model list is cut off at the cap: /v1/models answers, marking the host", async () => {
    // 64 MiB of JSON whitespace, about 64 KiB on the wire: sixteen times the 4 MiB the router reads.
    const bomb = gzipSync(
      Buffer.concat([Buffer.from('{"object":"list","data":['), Buffer.alloc(64 * 1024 * 1024, 0x20), Buffer.from("]}")]),
      { level: 1 },
    );
    behaviours.set("/v1/models", (_req, res) =>
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" }).end(bomb),
    );
    const started = performance.now();
    const res = await fetch(`${router.url}/v1/models`, { headers: { authorization: `Bearer ${router.keys.alice}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-llama-edge-degraded")).toBe("bad");
    expect(performance.now() - started).toBeLessThan(3500);
    behaviours.delete("/v1/models");
  });

  it("a stream cut inside an event reaches the SDK as the router's error, not as malformed JSON", async () => {
    behaviours.set("cut", (_req, res) => {
      sse(res);
      res.write(chunk("a"));
      res.write('data: {"choices":[{"del', () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const error = await collect("bad/cut").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).not.toBeInstanceOf(SyntaxError);
    expect(String((error as Error).message) + JSON.stringify(error)).toContain("provider_stream_interrupted");
  });

  it("plain JSON after the loading notice is an error for the SDK, never an empty success", async () => {
    behaviours.set("slow-json", (_req, res) => {
      setTimeout(
        () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ choices: [{ message: { content: "hi" } }] })),
        900,
      );
    });
    const error = await collect("bad/slow-json").then(
      (text) => new Error(`resolved with '${text}'`),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(JSON.stringify(error) + String((error as Error).message)).toContain("provider_stream_invalid");
  });

  it("data: [DONE] with the connection left open ends the stream at once", async () => {
    behaviours.set("linger", (_req, res) => {
      sse(res);
      res.write(`${chunk("done ") + chunk("here")}data: [DONE]\n\n`);
    });
    const started = performance.now();
    expect(await collect("bad/linger")).toBe("done here");
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
