// Anthropic's own SDK against the Worker under wrangler, with llama-swap test hosts on real sockets:
// what Claude Code and other Anthropic-style agents see. Written against issue 14's final behaviour;
//
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llamaSwapDouble, routesIn, type LlamaSwapDouble } from "../doubles/llama-swap.ts";
import { serveNode, type NodeHost } from "../doubles/node-host.ts";
import { startRouter, type RunningRouter } from "./harness.ts";

describe("the Anthropic SDK", () => {
  let router: RunningRouter;
  let sam: LlamaSwapDouble, old: LlamaSwapDouble, cold: LlamaSwapDouble;
  let samHost: NodeHost, oldHost: NodeHost, coldHost: NodeHost;
  let client: Anthropic;
  const messages: Anthropic.MessageParam[] = [{ role: "user", content: "hi" }];

  beforeAll(async () => {
    sam = llamaSwapDouble({ name: "sam", models: ["qwen3-coder", "Qwen/Qwen3-8B-GGUF"], chunks: 6, chunkGapMs: 5 });
    old = llamaSwapDouble({ name: "old", models: ["qwen3"], generation: "v217", routes: routesIn(174) });
    // A cold host: each model loads in 900 ms; "broken" loads as long, then the host fails (a 502).
    cold = llamaSwapDouble({
      name: "cold",
      models: ["qwen3-coder", "qwen3-4b", "broken"],
      loadDelayMs: 900,
      respond: async (request) => {
        if (!new URL(request.url).pathname.startsWith("/v1/messages")) return undefined;
        // The double has read the body already: its record of this request has it.
        const body = JSON.parse(cold.requests.at(-1)?.body ?? "{}") as { model?: string };
        if (body.model !== "broken") return undefined;
        await new Promise((resolve) => setTimeout(resolve, 900));
        return new Response("upstream crashed", { status: 502 });
      },
    });
    samHost = await serveNode(sam.handle);
    oldHost = await serveNode(old.handle);
    coldHost = await serveNode(cold.handle);
    router = await startRouter({
      registry: {
        defaultProvider: "sam-desktop",
        providers: [
          { id: "sam-desktop", label: "Sam", kind: "llama-swap", baseUrl: samHost.url },
          { id: "old-box", label: "Old box", kind: "llama-swap", baseUrl: oldHost.url },
          { id: "cold-box", label: "Cold box", kind: "llama-swap", baseUrl: coldHost.url, timeouts: { loadingNoticeMs: 200 } },
        ],
      },
    });
    // The Anthropic SDK appends /v1/messages itself: the base URL is the router's root.
    client = new Anthropic({ baseURL: router.url, apiKey: router.keys.alice, maxRetries: 0 });
  });

  afterAll(async () => {
    await router?.stop();
    await samHost?.stop();
    await oldHost?.stop();
    await coldHost?.stop();
  });

  const lastMessageRequest = () => sam.requests.filter((r) => r.path.startsWith("/v1/messages")).at(-1);

  it("creates a message on the model's host, which receives its own id and the anthropic-version header", async () => {
    const message = await client.messages.create({ model: "sam-desktop/qwen3-coder", max_tokens: 64, messages });
    expect(message.content[0]).toMatchObject({ type: "text", text: "sam answered qwen3-coder" });
    expect(message.stop_reason).toBe("end_turn");
    const seen = lastMessageRequest();
    expect(seen?.path).toBe("/v1/messages");
    expect(JSON.parse(seen?.body ?? "{}").model).toBe("qwen3-coder");
    expect(seen?.headers["anthropic-version"]).toBeDefined();
    expect(JSON.stringify(sam.requests)).not.toContain(router.keys.alice);
  });

  it("streams a message: every delta in order, and the final message assembled by the SDK", async () => {
    const stream = client.messages.stream({ model: "sam-desktop/Qwen/Qwen3-8B-GGUF", max_tokens: 64, messages });
    const texts: string[] = [];
    stream.on("text", (delta) => texts.push(delta));
    const final = await stream.finalMessage();
    expect(texts).toEqual(["0 ", "1 ", "2 ", "3 ", "4 ", "5 "]);
    expect(final.content[0]).toMatchObject({ type: "text", text: "0 1 2 3 4 5 " });
    expect(final.stop_reason).toBe("end_turn");
    expect(JSON.parse(lastMessageRequest()?.body ?? "{}").model).toBe("Qwen/Qwen3-8B-GGUF");
  });

  it("counts tokens; a beta call's anthropic-beta header and Claude Code's ?beta=true reach the host", async () => {
    const count = await client.messages.countTokens({ model: "sam-desktop/qwen3-coder", messages });
    expect(count.input_tokens).toBeGreaterThan(0);
    expect(lastMessageRequest()?.path).toBe("/v1/messages/count_tokens");
    const beta = await client.beta.messages.countTokens({ model: "sam-desktop/qwen3-coder", messages });
    expect(beta.input_tokens).toBe(count.input_tokens);
    expect(lastMessageRequest()?.headers["anthropic-beta"]).toContain("token-counting");
    // The SDK sends beta calls with a header; Claude Code adds ?beta=true to the path, which must stay.
    const res = await fetch(`${router.url}/v1/messages/count_tokens?beta=true`, {
      method: "POST",
      headers: { "x-api-key": router.keys.alice ?? "", "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: "sam-desktop/qwen3-coder", messages }),
    });
    expect(res.status).toBe(200);
    expect(lastMessageRequest()?.search).toBe("?beta=true");
  });

  it("an unknown model is a NotFoundError in Anthropic's shape, naming the composite id", async () => {
    const error = await client.messages.create({ model: "sam-desktop/no-such-model", max_tokens: 8, messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    const notFound = error as InstanceType<typeof Anthropic.NotFoundError>;
    expect(notFound.status).toBe(404);
    expect(notFound.error).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    expect(notFound.message).toContain("sam-desktop/no-such-model");
  });

  it("an unknown provider is a BadRequestError with no call to any host", async () => {
    const [samBefore, oldBefore] = [sam.requests.length, old.requests.length];
    const error = await client.messages.create({ model: "nosuch/qwen3", max_tokens: 8, messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error" },
    });
    // A slashed id that names no provider may still be a bare id of the default host (its catalog, read
    // from /v1/models, says it is not): no inference request reaches any host.
    const inference = [...sam.requests.slice(samBefore), ...old.requests.slice(oldBefore)].filter((r) => r.path !== "/v1/models");
    expect(inference).toEqual([]);
  });

  it("a host too old for /v1/messages is a NotFoundError naming the provider and the route", async () => {
    const error = await client.messages.create({ model: "old-box/qwen3", max_tokens: 8, messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as Error).message).toContain("old-box");
    expect((error as Error).message).toContain("/v1/messages");
  });

  it("authenticates with x-api-key, as Anthropic's own clients send the key; a wrong key is an AuthenticationError", async () => {
    const viaHeader = new Anthropic({
      baseURL: router.url,
      apiKey: null,
      authToken: null,
      defaultHeaders: { "x-api-key": router.keys.alice },
      maxRetries: 0,
    });
    const message = await viaHeader.messages.create({ model: "sam-desktop/qwen3-coder", max_tokens: 8, messages });
    expect(message.content[0]).toMatchObject({ text: "sam answered qwen3-coder" });
    expect(lastMessageRequest()?.headers["x-api-key"]).toBeUndefined();
    const wrong = new Anthropic({
      baseURL: router.url,
      apiKey: null,
      authToken: null,
      defaultHeaders: { "x-api-key": "le_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
      maxRetries: 0,
    });
    const error = await wrong.messages.create({ model: "sam-desktop/qwen3-coder", max_tokens: 8, messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
      type: "error",
      error: { type: "authentication_error" },
    });
  });

  it("lists models in Anthropic's shape when asked with anthropic-version", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) {
      expect(model.type).toBe("model");
      expect(typeof model.display_name).toBe("string");
      expect(Number.isNaN(Date.parse(model.created_at))).toBe(false);
      ids.push(model.id);
    }
    expect(ids).toEqual(expect.arrayContaining(["sam-desktop/qwen3-coder", "sam-desktop/Qwen/Qwen3-8B-GGUF", "old-box/qwen3"]));
  });

  it("retrieves one model in Anthropic's shape, an id with slashes too; an unknown one is a NotFoundError", async () => {
    const model = await client.models.retrieve("sam-desktop/Qwen/Qwen3-8B-GGUF");
    expect(model).toMatchObject({ type: "model", id: "sam-desktop/Qwen/Qwen3-8B-GGUF" });
    expect(model.display_name).toContain("Sam");
    const error = await client.models.retrieve("sam-desktop/nope").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({
      type: "error",
      error: { type: "not_found_error" },
    });
  });

  it("a stream waiting on a cold load gets SSE comments the SDK skips, then the host's whole message", async () => {
    const raw = await fetch(`${router.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": router.keys.alice ?? "", "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: "cold-box/qwen3-coder", max_tokens: 16, stream: true, messages }),
    });
    const text = await raw.text();
    expect(text.startsWith(": loading cold-box/qwen3-coder")).toBe(true);
    expect(text).toContain("event: message_stop");
    // The SDK reads such a stream (another cold model) without complaint and assembles the message.
    const texts: string[] = [];
    const stream = client.messages.stream({ model: "cold-box/qwen3-4b", max_tokens: 16, messages });
    stream.on("text", (delta) => texts.push(delta));
    expect((await stream.finalMessage()).stop_reason).toBe("end_turn");
    expect(texts.join("")).toBe("0 1 2 ");
  });

  it("a cold load that fails after the keep-alive began ends with Anthropic's event: error, never a message_stop", async () => {
    const raw = await fetch(`${router.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": router.keys.alice ?? "", "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: "cold-box/broken", max_tokens: 16, stream: true, messages }),
    });
    expect(raw.status).toBe(200); // committed to a stream before the host failed
    const text = await raw.text();
    expect(text).toContain(": loading cold-box/broken");
    expect(text).not.toContain("message_stop");
    const last = text.trim().split("\n\n").at(-1) ?? "";
    expect(last.split("\n")[0]).toBe("event: error");
    const data = JSON.parse(last.split("\n")[1]?.replace(/^data: /, "") ?? "{}");
    expect(data).toMatchObject({ type: "error", error: { type: "api_error" } });
    // The SDK turns that event into an error.
    const error = await client.messages
      .stream({ model: "cold-box/broken", max_tokens: 16, messages })
      .finalMessage()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
  });
});
