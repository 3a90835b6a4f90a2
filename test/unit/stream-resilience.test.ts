import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors.ts";
import { type KeepAliveOptions, waitOrKeepAlive } from "../../src/streams/keep-alive.ts";
import { type RelayOptions, relayHostStream, type StreamEnd } from "../../src/streams/relay.ts";
import { HostError } from "../../src/upstream/failure.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function controlledStream() {
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (ctrl = c) });
  return { stream, push: (s: string) => ctrl.enqueue(enc.encode(s)), close: () => ctrl.close(), fail: (e: Error) => ctrl.error(e) };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const relay = (body: ReadableStream<Uint8Array>, options: Partial<RelayOptions> = {}) =>
  relayHostStream(body, { provider: "sam", endsWithDone: true, idleMs: 120_000, dialect: "openai", onEnd: () => {}, ...options });

const sse = (text: string) => new Response(text, { headers: { "content-type": "text/event-stream" } });

/** The keep-alive with a host answer that resolves or rejects later; the answer is `{ response, provider }`. */
async function keepAlive(answer: Promise<Response>, options: Partial<KeepAliveOptions> = {}) {
  const waited = await waitOrKeepAlive({
    answer: answer.then((response) => ({ response, provider: "sam" })),
    modelId: "sam/q",
    thresholdMs: 1,
    dialect: "openai",
    onClientGone: () => {},
    onEnd: () => {},
    ...options,
  });
  if (waited.kind !== "kept_alive") throw new Error("expected a kept-alive stream");
  return waited.response;
}

const lastEvent = (text: string) => JSON.parse((text.trim().split("\n\n").at(-1) as string).slice("data: ".length));

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return dec.decode(await new Response(stream).arrayBuffer());
}

describe("the stream relay", () => {
  it("passes a complete stream through byte for byte", async () => {
    const src = controlledStream();
    const ends: string[] = [];
    const guarded = readAll(relay(src.stream, { onEnd: (o: StreamEnd) => ends.push(o.end) }));
    const sent = 'data: {"choices":[{"delta":{"content":"hé"}}]}\n\ndata: [DONE]\n\n';
    src.push(sent.slice(0, 10));
    src.push(sent.slice(10));
    src.close();
    expect(await guarded).toBe(sent);
    expect(ends).toEqual(["complete"]);
  });

  it("turns a reset mid-stream into one error event, without [DONE]", async () => {
    const src = controlledStream();
    const out = readAll(relay(src.stream));
    src.push('data: {"choices":[]}\n\n');
    src.fail(new Error("connection reset"));
    const text = await out;
    expect(text.startsWith('data: {"choices":[]}\n\n')).toBe(true);
    const last = text.trim().split("\n\n").at(-1) as string;
    expect(JSON.parse(last.slice("data: ".length))).toMatchObject({ error: { code: "provider_stream_interrupted", type: "api_error" } });
    expect(text).not.toContain("[DONE]");
  });

  it("treats a stream that stops before [DONE] as broken, not finished", async () => {
    const src = controlledStream();
    const ends: string[] = [];
    const out = readAll(relay(src.stream, { onEnd: (o: StreamEnd) => ends.push(o.end) }));
    src.push('data: {"choices":[]}\n\n');
    src.close();
    expect(await out).toContain("provider_stream_interrupted");
    expect(ends).toEqual(["broken"]);
  });

  it("ends a stream that stalls mid-way with one error event, no [DONE], and lets the host go", async () => {
    let hostCancelled = false;
    let ctrl!: ReadableStreamDefaultController<Uint8Array>;
    const host = new ReadableStream<Uint8Array>({ start: (c) => void (ctrl = c), cancel: () => void (hostCancelled = true) });
    const ends: string[] = [];
    const out = readAll(relay(host, { onEnd: (o: StreamEnd) => ends.push(o.end), idleMs: 50 }));
    ctrl.enqueue(enc.encode('data: {"choices":[]}\n\n'));
    const text = await out;
    expect(text.startsWith('data: {"choices":[]}\n\n')).toBe(true);
    const last = text.trim().split("\n\n").at(-1) as string;
    expect(JSON.parse(last.slice("data: ".length))).toMatchObject({ error: { code: "provider_stream_stalled", type: "api_error" } });
    expect(text).not.toContain("[DONE]");
    expect(ends).toEqual(["broken"]);
    expect(hostCancelled).toBe(true);
  });

  it("does not cut a slow stream whose gaps stay under the idle limit", async () => {
    const src = controlledStream();
    const out = readAll(relay(src.stream, { idleMs: 200 }));
    for (const piece of ['data: {"a":1}\n\n', 'data: {"a":2}\n\n', "data: [DONE]\n\n"]) {
      src.push(piece);
      await new Promise((r) => setTimeout(r, 60));
    }
    // No close: after [DONE] the relay ends the stream itself.
    expect(await out).toBe('data: {"a":1}\n\ndata: {"a":2}\n\ndata: [DONE]\n\n');
  });
});

describe("the stream relay holds back half an event", () => {
  it("a stream cut inside an event ends with an error event of its own, which parses", async () => {
    const src = controlledStream();
    const out = readAll(relay(src.stream));
    src.push('data: {"choices":[{"delta":{"content":"a"}}]}\n\ndata: {"choices":[{"del');
    src.fail(new Error("connection reset"));
    const text = await out;
    expect(text.startsWith('data: {"choices":[{"delta":{"content":"a"}}]}\n\n')).toBe(true);
    expect(text.trim().split("\n\n")).toHaveLength(2);
    expect(lastEvent(text)).toMatchObject({ error: { code: "provider_stream_interrupted" } });
    for (const event of text.trim().split("\n\n")) expect(() => JSON.parse(event.slice("data: ".length))).not.toThrow();
  });

  it("an event split across chunks is passed on whole, as soon as its blank line arrives", async () => {
    const src = controlledStream();
    const reader = relay(src.stream).getReader();
    src.push('data: {"a"');
    src.push(":1}\n");
    const first = reader.read();
    src.push("\n");
    expect(dec.decode((await first).value)).toBe('data: {"a":1}\n\n');
    src.push("data: [DONE]\n\n");
    expect(dec.decode((await reader.read()).value)).toBe("data: [DONE]\n\n");
  });

  it("after data: [DONE] the stream is complete, even when the host keeps its connection open", async () => {
    let hostCancelled = false;
    let ctrl!: ReadableStreamDefaultController<Uint8Array>;
    const host = new ReadableStream<Uint8Array>({ start: (c) => void (ctrl = c), cancel: () => void (hostCancelled = true) });
    const ends: string[] = [];
    const out = readAll(relay(host, { onEnd: (o: StreamEnd) => ends.push(o.end), idleMs: 60_000 }));
    ctrl.enqueue(enc.encode('data: {"a":1}\n\ndata: [DONE]\n\n'));
    expect(await out).toBe('data: {"a":1}\n\ndata: [DONE]\n\n');
    expect(ends).toEqual(["complete"]);
    expect(hostCancelled).toBe(true);
  });

  it("a stream that ends with data: [DONE] and no blank line is still complete", async () => {
    const src = controlledStream();
    const ends: string[] = [];
    const out = readAll(relay(src.stream, { onEnd: (o: StreamEnd) => ends.push(o.end) }));
    src.push('data: {"a":1}\n\ndata: [DONE]');
    src.close();
    expect(await out).toBe('data: {"a":1}\n\ndata: [DONE]');
    expect(ends).toEqual(["complete"]);
  });
});

describe("cold loads: the loading notice", () => {
  it("returns the host's answer untouched when it comes before the threshold", async () => {
    const answer = sse("data: [DONE]\n\n");
    const waited = await waitOrKeepAlive({
      answer: Promise.resolve({ response: answer, provider: "sam" }),
      modelId: "sam/q",
      thresholdMs: 1000,
      dialect: "openai",
      onClientGone: () => {},
      onEnd: () => {},
    });
    expect(waited).toEqual({ kind: "answered" });
  });

  it("after the threshold answers 200 SSE with loading comments, then the host's stream", async () => {
    const host = deferred<Response>();
    const res = await keepAlive(host.promise, { modelId: "sam-desktop/qwen3-32b", thresholdMs: 5, intervalMs: 10 });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let seen = "";
    while ((seen.match(/: loading sam-desktop\/qwen3-32b\n\n/g) ?? []).length < 3) seen += dec.decode((await reader.read()).value);
    host.resolve(sse('data: {"x":1}\n\ndata: [DONE]\n\n'));
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += dec.decode(r.value);
    expect((seen + rest).endsWith('data: {"x":1}\n\ndata: [DONE]\n\n')).toBe(true);
  });

  it("a host that fails after the notice gives one error event and no [DONE], and reports it", async () => {
    const host = deferred<Response>();
    const ends: StreamEnd[] = [];
    const res = await keepAlive(host.promise, { onEnd: (e) => ends.push(e) });
    host.reject(new HostError({ kind: "tunnel_down", provider: "sam" }));
    const text = await res.text();
    expect(text.startsWith(": loading sam/q\n\n")).toBe(true);
    expect(text).toContain('"code":"provider_unavailable"');
    expect(text).not.toContain("[DONE]");
    expect(ends.map((e) => [e.end, e.error?.code])).toEqual([["broken", "provider_unavailable"]]);
  });

  it("the router's own error after the notice becomes the error event", async () => {
    const host = deferred<Response>();
    const res = await keepAlive(host.promise);
    host.reject(new ApiError({ status: 404, type: "invalid_request_error", param: "model", code: "model_not_found", message: "gone" }));
    expect(await res.text()).toContain('data: {"error":{"message":"gone"');
  });

  it("a plain JSON 200 after the notice becomes an error event, never a silent empty stream", async () => {
    const host = deferred<Response>();
    const res = await keepAlive(host.promise);
    host.resolve(Response.json({ choices: [{ message: { content: "hi" } }] }));
    const text = await res.text();
    expect(lastEvent(text)).toMatchObject({ error: { code: "provider_stream_invalid" } });
    expect(text).not.toContain("[DONE]");
  });

  it("tells the caller when the client leaves while still waiting", async () => {
    const host = deferred<Response>();
    const gone = deferred<void>();
    const res = await keepAlive(host.promise, { onClientGone: () => gone.resolve() });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel("client left");
    await gone.promise;
  });
});
