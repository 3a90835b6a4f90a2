// The llama-swap double's routes beyond chat, called directly: the e2e tests that use them through the
// router can only pass if the double itself answers as llama-swap and llama-server do.
import { describe, expect, it } from "vitest";
import { llamaSwapDouble, routesIn, speechBytes, type UploadEcho } from "../doubles/llama-swap.ts";

const host = () => llamaSwapDouble({ name: "sam", models: ["m"], chunks: 2 });
const post = (
  h: ReturnType<typeof host>,
  path: string,
  body: unknown,
  headers: Record<string, string> = { "content-type": "application/json" },
) =>
  h.handle(
    new Request(`http://sam.test${path}`, {
      method: "POST",
      headers,
      body: typeof body === "string" || body instanceof FormData ? body : JSON.stringify(body),
    }),
  );
const events = (text: string) =>
  text
    .split("\n\n")
    .filter(Boolean)
    .map((e) => ({ event: /^event: (.*)$/m.exec(e)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(e)?.[1] ?? "null") }));

describe("the llama-swap double", () => {
  it("streams Anthropic's event sequence on /v1/messages", async () => {
    const res = await post(host(), "/v1/messages", { model: "m", stream: true, max_tokens: 5, messages: [] });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const seen = events(await res.text());
    expect(seen.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(seen.every((e) => e.data.type === e.event)).toBe(true);
    expect(seen[2]?.data.delta).toEqual({ type: "text_delta", text: "0 " });
  });

  it("answers a plain Anthropic message and counts tokens, recording ?beta=true", async () => {
    const h = host();
    expect(await (await post(h, "/v1/messages", { model: "m", messages: [] })).json()).toMatchObject({
      type: "message",
      content: [{ type: "text", text: "sam answered m" }],
    });
    const count = await post(h, "/v1/messages/count_tokens?beta=true", { model: "m", messages: [{ role: "user", content: "hello" }] });
    expect(((await count.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
    expect(h.requests.at(-1)?.search).toBe("?beta=true");
  });

  it("streams the Responses API's named events without [DONE]", async () => {
    const text = await (await post(host(), "/v1/responses", { model: "m", stream: true, input: "hi" })).text();
    const seen = events(text);
    expect(seen[0]?.event).toBe("response.created");
    expect(seen.at(-1)?.event).toBe("response.completed");
    expect(seen.filter((e) => e.event === "response.output_text.delta").map((e) => e.data.delta)).toEqual(["0 ", "1 "]);
    expect(text).not.toContain("[DONE]");
  });

  it("reranks on all four paths, and serves llama-server's native /infill and /completion (stream ends on stop, no [DONE])", async () => {
    const h = host();
    for (const path of ["/v1/rerank", "/v1/reranking", "/rerank", "/reranking"]) {
      const body = (await (await post(h, path, { model: "m", query: "b", documents: ["a", "b", "b c"] })).json()) as {
        results: { index: number }[];
      };
      expect(body.results.map((r) => r.index)).toEqual([1, 2, 0]);
    }
    expect(await (await post(h, "/infill", { model: "m", input_prefix: "a" })).json()).toMatchObject({
      content: "sam filled m",
      stop: true,
    });
    const stream = await (await post(h, "/completion", { model: "m", prompt: "a", stream: true })).text();
    expect(events(stream).map((e) => e.data.stop)).toEqual([false, false, true]);
    expect(stream).not.toContain("[DONE]");
  });

  it("answers speech with deterministic binary audio", async () => {
    const res = await post(host(), "/v1/audio/speech", { model: "m", voice: "alloy", input: "hi", response_format: "wav" });
    expect(res.headers.get("content-type")).toBe("audio/wav");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(speechBytes("m", "alloy", "hi"));
    expect(speechBytes("m", "alloy", "hi")).not.toEqual(speechBytes("m", "alloy", "ho"));
  });

  it("reads multipart uploads with formData(), model after the file, and echoes each file's size and sha256", async () => {
    const h = host();
    const form = new FormData();
    form.append("file", new File([new Uint8Array([1, 2, 3])], "a.wav"));
    form.append("model", "m");
    const body = (await (await post(h, "/v1/audio/transcriptions", form, {})).json()) as { text: string; files: UploadEcho[] };
    expect(body.files).toEqual([
      { field: "file", filename: "a.wav", size: 3, sha256: "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81" },
    ]);
    expect(h.requests.at(-1)?.bytes.length).toBeGreaterThan(3);
    const edit = new FormData();
    edit.append("model", "m");
    edit.append("image", new File([new Uint8Array(10)], "i.png"));
    expect(((await (await post(h, "/v1/images/edits", edit, {})).json()) as { files: UploadEcho[] }).files[0]?.size).toBe(10);
  });

  it("serves images and voices (GET ?model= and POST JSON)", async () => {
    const h = host();
    expect(
      ((await (await post(h, "/v1/images/generations", { model: "m", prompt: "p", n: 2 })).json()) as { data: unknown[] }).data,
    ).toHaveLength(2);
    expect(await (await h.handle(new Request("http://sam.test/v1/audio/voices?model=m"))).json()).toMatchObject({ model: "m" });
    expect(await (await post(h, "/v1/audio/voices", { model: "m" })).json()).toMatchObject({ model: "m" });
  });

  it("finds no model in a JSON body sent without a JSON Content-Type, as llama-swap", async () => {
    const res = await post(host(), "/v1/chat/completions", { model: "m", messages: [] }, { "content-type": "text/plain" });
    expect(res.status).toBe(404);
    expect(JSON.stringify(await res.json())).toContain("no model id could be identified");
  });

  it("a host given routesIn(174) answers Go's plain 404 for /v1/messages but still serves chat", async () => {
    const old = llamaSwapDouble({ models: ["m"], routes: routesIn(174) });
    const res = await post(old, "/v1/messages", { model: "m", messages: [] });
    expect([res.status, await res.text()]).toEqual([404, "404 page not found"]);
    expect((await post(old, "/v1/chat/completions", { model: "m", messages: [] })).status).toBe(200);
  });

  it("answers an unknown model on the new routes per generation", async () => {
    const v250 = llamaSwapDouble({ models: ["m"], generation: "v250" });
    const res = await post(v250, "/v1/rerank", { model: "x", query: "q", documents: [] });
    expect([res.status, await res.json()]).toEqual([404, { src: "llama-swap", error: "no router for requested model" }]);
  });
});
