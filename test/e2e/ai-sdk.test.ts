// A second real client: the Vercel AI SDK (`@ai-sdk/openai-compatible` with `ai`'s generateText and
// streamText) against the router under wrangler, with a llama-swap test host on a real socket.
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText, streamText } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llamaSwapDouble, type LlamaSwapDouble } from "../doubles/llama-swap.ts";
import { serveNode, type NodeHost } from "../doubles/node-host.ts";
import { startRouter, type RunningRouter } from "./harness.ts";

let router: RunningRouter;
let sam: LlamaSwapDouble;
let samHost: NodeHost;

beforeAll(async () => {
  sam = llamaSwapDouble({ name: "sam", models: ["Qwen/Qwen3-8B-GGUF"], chunks: 5, chunkGapMs: 5 });
  samHost = await serveNode(sam.handle);
  router = await startRouter({
    registry: {
      defaultProvider: "sam-desktop",
      providers: [{ id: "sam-desktop", label: "Sam", kind: "llama-swap", baseUrl: samHost.url }],
    },
  });
});

afterAll(async () => {
  await router?.stop();
  await samHost?.stop();
});

const provider = () => createOpenAICompatible({ name: "llama-edge", baseURL: `${router.url}/v1`, apiKey: router.keys.alice });

describe("the Vercel AI SDK", () => {
  it("generateText gets the host's answer through a composite id with slashes", async () => {
    const { text } = await generateText({ model: provider()("sam-desktop/Qwen/Qwen3-8B-GGUF"), prompt: "hi", maxRetries: 0 });
    expect(text).toBe("sam answered Qwen/Qwen3-8B-GGUF");
    expect(JSON.parse(sam.requests.at(-1)?.body ?? "{}").model).toBe("Qwen/Qwen3-8B-GGUF");
  });

  it("streamText streams every chunk in order", async () => {
    const result = streamText({ model: provider()("sam-desktop/Qwen/Qwen3-8B-GGUF"), prompt: "hi", maxRetries: 0 });
    const parts: string[] = [];
    for await (const part of result.textStream) parts.push(part);
    expect(parts.join("")).toBe("0 1 2 3 4 ");
  });
});
