// Server-sent events pass through as they arrive, byte for byte, and stop when the client stops.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { llamaSwapDouble } from "../doubles/llama-swap.ts";
import { useOutbound } from "../doubles/outbound.ts";
import { call, putRegistry, userKey } from "../helpers/worker.ts";

const outbound = useOutbound();
const HOST = "https://sam.example.net";
const encoder = new TextEncoder();
const decoder = new TextDecoder();
let key = "";

beforeAll(async () => {
  key = await userKey("streaming");
});
beforeEach(async () => {
  await putRegistry({
    defaultProvider: "sam-desktop",
    providers: [{ id: "sam-desktop", label: "Sam", kind: "llama-swap", baseUrl: HOST }],
  });
});

const streamChat = (model = "sam-desktop/qwen3-32b") =>
  call("/v1/chat/completions", { key, json: { model, stream: true, messages: [{ role: "user", content: "hi" }] } });

/**
 * A host that sends one event and then holds its stream open until cancelled. If the router buffered,
 * the client would never see the event. Stream and promise are made inside the request: workerd ties
 * I/O to the request that made it, and a promise made by the test and resolved by the request hangs.
 */
function holdingHost(first: string) {
  let cancelled: Promise<void> | undefined;
  const handle = () => {
    let resolve = () => {};
    cancelled = new Promise<void>((r) => (resolve = r));
    const body = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(encoder.encode(first)), cancel: () => resolve() });
    return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8" } });
  };
  return { handle, cancelled: () => cancelled };
}

describe("streaming", () => {
  it("relays every chunk in order, ending with [DONE], with SSE headers", async () => {
    const host = llamaSwapDouble({ models: ["qwen3-32b"], chunks: 5 });
    outbound().route(HOST, host.handle);
    const res = await streamChat();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("x-accel-buffering")).toBe("no");
    const events = (await res.text()).split("\n\n").filter(Boolean);
    const contents = events
      .slice(0, 5)
      .map((e) => (JSON.parse(e.slice("data: ".length)) as { choices: { delta: { content: string } }[] }).choices[0]?.delta.content);
    expect(contents).toEqual(["0 ", "1 ", "2 ", "3 ", "4 "]);
    expect(events.at(-1)).toBe("data: [DONE]");
    expect(JSON.parse(host.requests[0]?.body ?? "{}")).toMatchObject({ model: "qwen3-32b", stream: true });
    expect(host.requests[0]?.headers.accept).toBe("text/event-stream");
  });

  it("passes bytes through untouched: comments, CRLF, odd spacing and split UTF-8 stay as the host sent them", async () => {
    const llama = encoder.encode("🦙");
    const parts = [
      encoder.encode(": keep-alive\r\n\r\n"),
      encoder.encode('data:{"x":1.0,"big":18446744073709551615}\r\n\r\ndata: {"t":"'),
      llama.subarray(0, 2),
      llama.subarray(2),
      encoder.encode('"}\n\ndata: [DONE]\n\n'),
    ];
    outbound().route(
      HOST,
      () =>
        new Response(new ReadableStream({ start: (c) => (parts.forEach((p) => c.enqueue(p)), c.close()) }), {
          headers: { "content-type": "text/event-stream" },
        }),
    );
    const res = await streamChat();
    const received = new Uint8Array(await res.arrayBuffer());
    const expected = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let offset = 0;
    for (const p of parts) expected.set(p, offset), (offset += p.byteLength);
    expect([...received]).toEqual([...expected]);
  });

  it("does not buffer: the client reads an event while the host's stream is still open, and leaving cancels it", async () => {
    const host = holdingHost("data: first\n\n");
    outbound().route(HOST, host.handle);
    const res = await streamChat();
    const reader = res.body!.getReader();
    expect(decoder.decode((await reader.read()).value)).toBe("data: first\n\n");
    await reader.cancel();
    await host.cancelled();
  });

  it("marks a stream as SSE when the client asked for one and the host named no content type", async () => {
    outbound().route(
      HOST,
      () => new Response(new ReadableStream({ start: (c) => (c.enqueue(encoder.encode("data: [DONE]\n\n")), c.close()) })),
    );
    const res = await streamChat();
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(await res.text()).toBe("data: [DONE]\n\n");
  });
});

describe("the Responses API's streams", () => {
  it("end when the host closes them, with no [DONE] and no error event added", async () => {
    const events =
      'event: response.created\ndata: {"type":"response.created","response":{"id":"r1"}}\n\n' +
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"hi"}\n\n' +
      'event: response.completed\ndata: {"type":"response.completed","response":{"id":"r1","status":"completed"}}\n\n';
    outbound().route(HOST, () => new Response(events, { headers: { "content-type": "text/event-stream" } }));
    const res = await call("/v1/responses", { key, json: { model: "sam-desktop/qwen3-32b", stream: true, input: "hi" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(events);
  });
});
