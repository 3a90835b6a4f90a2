import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors.ts";
import { withLoadingNotice } from "../../src/resilience/cold-load.ts";
import { guardSseStream } from "../../src/resilience/stream-guard.ts";

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

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return dec.decode(await new Response(stream).arrayBuffer());
}

describe("the stream guard", () => {
  it("passes a complete stream through byte for byte", async () => {
    const src = controlledStream();
    const ends: string[] = [];
    const guarded = readAll(guardSseStream(src.stream, "sam", { onEnd: (o) => ends.push(o) }));
    const sent = 'data: {"choices":[{"delta":{"content":"hé"}}]}\n\ndata: [DONE]\n\n';
    src.push(sent.slice(0, 10));
    src.push(sent.slice(10));
    src.close();
    expect(await guarded).toBe(sent);
    expect(ends).toEqual(["complete"]);
  });

  it("turns a reset mid-stream into one error event, without [DONE]", async () => {
    const src = controlledStream();
    const out = readAll(guardSseStream(src.stream, "sam"));
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
    const out = readAll(guardSseStream(src.stream, "sam", { onEnd: (o) => ends.push(o) }));
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
    const out = readAll(guardSseStream(host, "sam", { onEnd: (o) => ends.push(o), idleMs: 50 }));
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
    const out = readAll(guardSseStream(src.stream, "sam", { idleMs: 200 }));
    for (const piece of ['data: {"a":1}\n\n', 'data: {"a":2}\n\n', "data: [DONE]\n\n"]) {
      src.push(piece);
      await new Promise((r) => setTimeout(r, 60));
    }
    src.close();
    expect(await out).toBe('data: {"a":1}\n\ndata: {"a":2}\n\ndata: [DONE]\n\n');
  });
});

describe("cold loads: the loading notice", () => {
  it("returns the host's answer untouched when it comes before the threshold", async () => {
    const answer = new Response("data: [DONE]\n\n", { headers: { "content-type": "text/event-stream" } });
    const res = await withLoadingNotice({ answer: Promise.resolve(answer), modelId: "sam/q", thresholdMs: 1000, onClientGone: () => {} });
    expect(res).toBe(answer);
  });

  it("after the threshold answers 200 SSE with loading comments, then the host's stream", async () => {
    const host = deferred<Response>();
    const res = await withLoadingNotice({ answer: host.promise, modelId: "sam-desktop/qwen3-32b", thresholdMs: 5, intervalMs: 10, onClientGone: () => {} });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let seen = "";
    while ((seen.match(/: loading sam-desktop\/qwen3-32b\n\n/g) ?? []).length < 3) seen += dec.decode((await reader.read()).value);
    host.resolve(new Response('data: {"x":1}\n\ndata: [DONE]\n\n', { headers: { "content-type": "text/event-stream" } }));
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += dec.decode(r.value);
    expect((seen + rest).endsWith('data: {"x":1}\n\ndata: [DONE]\n\n')).toBe(true);
  });

  it("a host that fails after the notice gives one error event and no [DONE]", async () => {
    const host = deferred<Response>();
    const res = await withLoadingNotice({ answer: host.promise, modelId: "sam/q", thresholdMs: 1, onClientGone: () => {} });
    host.reject(new ApiError({ status: 503, type: "api_error", code: "provider_unavailable", message: "down" }));
    const text = await res.text();
    expect(text.startsWith(": loading sam/q\n\n")).toBe(true);
    expect(text).toContain('"code":"provider_unavailable"');
    expect(text).not.toContain("[DONE]");
  });

  it("an error response from the host becomes the error event", async () => {
    const host = deferred<Response>();
    const res = await withLoadingNotice({ answer: host.promise, modelId: "sam/q", thresholdMs: 1, onClientGone: () => {} });
    host.resolve(Response.json({ error: { message: "gone", type: "invalid_request_error", param: "model", code: "model_not_found" } }, { status: 404 }));
    expect(await res.text()).toContain('data: {"error":{"message":"gone"');
  });

  it("tells the caller when the client leaves while still waiting", async () => {
    const host = deferred<Response>();
    const gone = deferred<void>();
    const res = await withLoadingNotice({ answer: host.promise, modelId: "sam/q", thresholdMs: 1, onClientGone: () => gone.resolve() });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel("client left");
    await gone.promise;
  });
});
