// The official `openai` npm SDK against the Worker running under wrangler, with llama-swap test hosts
// on real sockets: what a user's own code would see.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llamaSwapDouble, type LlamaSwapDouble } from "../doubles/llama-swap.ts";
import { serveNode, type NodeHost } from "../doubles/node-host.ts";
import { startRouter, type RunningRouter } from "./harness.ts";

let router: RunningRouter;
let sam: LlamaSwapDouble, embedding: LlamaSwapDouble;
let samHost: NodeHost, embeddingHost: NodeHost;
let client: OpenAI;

beforeAll(async () => {
  sam = llamaSwapDouble({ name: "sam", models: ["qwen3-32b", "Qwen/Qwen3-8B-GGUF"], chunks: 8, chunkGapMs: 5 });
  embedding = llamaSwapDouble({ name: "embedding", models: ["nomic-embed"], embeddingDims: 6 });
  samHost = await serveNode(sam.handle);
  embeddingHost = await serveNode(embedding.handle);
  router = await startRouter({
    registry: {
      defaultProvider: "sam-desktop",
      providers: [
        { id: "sam-desktop", label: "Sam", kind: "llama-swap", baseUrl: samHost.url },
        { id: "embedding", label: "Embeddings", kind: "llama-swap", baseUrl: embeddingHost.url },
      ],
    },
  });
  client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: router.keys.alice, maxRetries: 0 });
});

afterAll(async () => {
  await router?.stop();
  await samHost?.stop();
  await embeddingHost?.stop();
});

describe("the openai SDK", () => {
  it("creates a chat completion", async () => {
    const completion = await client.chat.completions.create({
      model: "sam-desktop/qwen3-32b",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(completion.choices[0]?.message.content).toBe("sam answered qwen3-32b");
    expect(completion._request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(sam.requests.at(-1)?.body ?? "{}").model).toBe("qwen3-32b");
  });

  it("streams a chat completion, every chunk in order", async () => {
    const stream = await client.chat.completions.create({
      model: "sam-desktop/Qwen/Qwen3-8B-GGUF",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    const deltas: string[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) deltas.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
    expect(deltas).toEqual(["0 ", "1 ", "2 ", "3 ", "4 ", "5 ", "6 ", "7 "]);
    expect(finish).toBe("stop");
  });

  it("creates embeddings on the embedding host", async () => {
    const result = await client.embeddings.create({ model: "embedding/nomic-embed", input: ["a", "b", "c"] });
    expect(result.data).toHaveLength(3);
    expect(result.data.every((d) => d.embedding.length === 6)).toBe(true);
    expect(embedding.requests.filter((r) => r.path === "/v1/embeddings")).toHaveLength(1);
  });

  it("raises NotFoundError for a model the host does not have, naming the composite id", async () => {
    const error = await client.chat.completions
      .create({ model: "sam-desktop/no-such-model", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const notFound = error as InstanceType<typeof OpenAI.NotFoundError>;
    expect(notFound.status).toBe(404);
    expect(notFound.code).toBe("model_not_found");
    expect(notFound.message).toContain("sam-desktop/no-such-model");
  });

  it("raises BadRequestError for an unknown provider, and no inference request reaches a host", async () => {
    const inference = () => [...sam.requests, ...embedding.requests].filter((r) => r.method === "POST").length;
    const before = inference();
    const error = await client.chat.completions
      .create({ model: "nosuch/qwen3-32b", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("model");
    expect(inference()).toBe(before);
  });
});
