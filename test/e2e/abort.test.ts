// A client that hangs up must not leave the router's upstream request running (a GPU generating for
// nobody, a slot held in llama-swap's queue). The Worker runs under wrangler's local runtime and talks
// to test hosts over real sockets; each host records when its connection from the router closed.
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llamaSwapDouble, type LlamaSwapDouble } from "../doubles/llama-swap.ts";
import { serveNode, type NodeHost } from "../doubles/node-host.ts";
import { startRouter, type RunningRouter } from "./harness.ts";

const CLOSE_WITHIN_MS = 1000;

let router: RunningRouter;
let loading: LlamaSwapDouble, streaming: LlamaSwapDouble;
let loadingHost: NodeHost, streamingHost: NodeHost;

beforeAll(async () => {
  // A model that takes a minute to load: no response headers until then.
  loading = llamaSwapDouble({ name: "loading", models: [{ id: "big-model", status: "unloaded" }], loadDelayMs: 60_000 });
  // A loaded model that streams 600 chunks, 100 ms apart.
  streaming = llamaSwapDouble({ name: "streaming", models: [{ id: "qwen3", status: "loaded" }], chunks: 600, chunkGapMs: 100 });
  loadingHost = await serveNode(loading.handle);
  streamingHost = await serveNode(streaming.handle);
  router = await startRouter({
    registry: {
      providers: [
        { id: "loading", label: "Loading", kind: "llama-swap", baseUrl: loadingHost.url },
        { id: "streaming", label: "Streaming", kind: "llama-swap", baseUrl: streamingHost.url },
      ],
    },
  });
});

afterAll(async () => {
  await router?.stop();
  await loadingHost?.stop();
  await streamingHost?.stop();
});

function post(model: string, signal: AbortSignal): Promise<Response> {
  return fetch(`${router.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${router.keys.alice}`, "content-type": "application/json" },
    body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "hi" }] }),
    signal,
  });
}

/** An HTTP/1.1 request written by hand, so the test can drop the connection the way it chooses. */
function rawPost(base: string, path: string, headers: Record<string, string>, body: string): Socket {
  const url = new URL(base);
  const socket = connect(Number(url.port), url.hostname);
  socket.on("error", () => {});
  const lines = [
    `POST ${path} HTTP/1.1`,
    `host: ${url.host}`,
    `content-length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.write(`${lines.join("\r\n")}\r\n\r\n${body}`);
  return socket;
}

describe("when the client goes away", () => {
  // Before a response has started, the local runtime's HTTP server notices a client leaving only when
  // the connection is reset (it does not watch for a FIN until it writes), and wrangler's dev proxy
  // does not pass the cancellation on at all. So this test resets the connection, and talks to the
  // Worker's own address. On Cloudflare the edge notices either way and cancels the request.
  it(`closes the upstream request within ${CLOSE_WITHIN_MS} ms while still waiting for the host's first byte`, async () => {
    const body = JSON.stringify({ model: "loading/big-model", stream: true, messages: [{ role: "user", content: "hi" }] });
    const socket = rawPost(
      router.directUrl,
      "/v1/chat/completions",
      { authorization: `Bearer ${router.keys.alice}`, "content-type": "application/json" },
      body,
    );
    await loading.waitForRequest((r) => r.path === "/v1/chat/completions");
    const abortedAt = performance.now();
    socket.resetAndDestroy();
    const closed = await loadingHost.waitForEarlyClose((c) => c.path === "/v1/chat/completions");
    expect(closed.at - abortedAt).toBeLessThan(CLOSE_WITHIN_MS);
  });

  // Mid-stream, an ordinary client abort through wrangler's proxy is enough.
  it(`closes the upstream stream within ${CLOSE_WITHIN_MS} ms when the client leaves mid-stream`, async () => {
    const client = new AbortController();
    const res = await post("streaming/qwen3", client.signal);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('"content":"0 "');
    const abortedAt = performance.now();
    client.abort();
    const closed = await streamingHost.waitForEarlyClose((c) => c.path === "/v1/chat/completions");
    expect(closed.at - abortedAt).toBeLessThan(CLOSE_WITHIN_MS);
  });
});
