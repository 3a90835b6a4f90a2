// Home hosts run different llama-swap versions. The official `openai` SDK against the router with one
// host of each generation (up to v217, v218-v250, main after 2026-08) behind it: the same client code
// works for all three, and each generation's own way of saying "no such model" becomes the SDK's
// NotFoundError. Also: the catalog through models.list()/retrieve(), and a host with llama-swap's
// `sendLoadingState` whose progress chunks reach the client as the host sent them.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llamaSwapDouble, type Generation, type LlamaSwapDouble } from "../doubles/llama-swap.ts";
import { serveNode, type NodeHost } from "../doubles/node-host.ts";
import { startRouter, type RunningRouter } from "./harness.ts";

const GENERATIONS: Generation[] = ["v217", "v250", "main"];
let router: RunningRouter;
let client: OpenAI;
const doubles = new Map<string, LlamaSwapDouble>();
const hosts: NodeHost[] = [];

beforeAll(async () => {
  const providers = [];
  for (const generation of GENERATIONS) {
    const double = llamaSwapDouble({
      name: generation,
      generation,
      models: ["qwen3-32b", { id: "Qwen/Qwen3-8B-GGUF", status: "loaded", context_length: 40960 }],
      chunks: 4,
    });
    const host = await serveNode(double.handle);
    doubles.set(generation, double);
    hosts.push(host);
    providers.push({ id: generation, label: `llama-swap ${generation}`, kind: "llama-swap" as const, baseUrl: host.url });
  }
  const swapping = llamaSwapDouble({ name: "swapping", models: ["big-model"], sendLoadingState: true, loadDelayMs: 600, chunks: 2 });
  const swappingHost = await serveNode(swapping.handle);
  hosts.push(swappingHost);
  providers.push({ id: "swapping", label: "Loading state", kind: "llama-swap" as const, baseUrl: swappingHost.url });
  router = await startRouter({ registry: { defaultProvider: "v217", providers } });
  client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: router.keys.alice, maxRetries: 0 });
});

afterAll(async () => {
  await router?.stop();
  await Promise.all(hosts.map((h) => h.stop()));
});

describe.each(GENERATIONS)("a llama-swap %s host", (generation) => {
  it("answers a chat completion, with the bare wire id upstream", async () => {
    const completion = await client.chat.completions.create({
      model: `${generation}/qwen3-32b`,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(completion.choices[0]?.message.content).toBe(`${generation} answered qwen3-32b`);
    expect(JSON.parse(doubles.get(generation)?.requests.at(-1)?.body ?? "{}").model).toBe("qwen3-32b");
  });

  it("streams every chunk in order for a wire id with a slash", async () => {
    const stream = await client.chat.completions.create({
      model: `${generation}/Qwen/Qwen3-8B-GGUF`,
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    const deltas: string[] = [];
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) deltas.push(chunk.choices[0].delta.content);
    expect(deltas).toEqual(["0 ", "1 ", "2 ", "3 "]);
  });

  it("turns its unknown-model answer into NotFoundError naming the composite id", async () => {
    const error = await client.chat.completions
      .create({ model: `${generation}/no-such-model`, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("model_not_found");
    expect((error as Error).message).toContain(`${generation}/no-such-model`);
  });
});

describe("the catalog through the SDK", () => {
  it("models.list() has every host's models under composite ids, loaded state included", async () => {
    const ids: string[] = [];
    const status = new Map<string, unknown>();
    for await (const model of client.models.list()) {
      ids.push(model.id);
      status.set(model.id, (model as unknown as { status: string }).status);
    }
    for (const generation of GENERATIONS) {
      expect(ids).toContain(`${generation}/qwen3-32b`);
      // v217 lists no status: the router asked /running, which shows the loaded model.
      expect(status.get(`${generation}/Qwen/Qwen3-8B-GGUF`)).toBe("loaded");
    }
    expect(ids).toContain("swapping/big-model");
  });

  it("models.retrieve() finds an id with slashes and raises NotFoundError for an unknown one", async () => {
    const model = await client.models.retrieve("main/Qwen/Qwen3-8B-GGUF");
    expect(model).toMatchObject({ id: "main/Qwen/Qwen3-8B-GGUF", owned_by: "main", context_length: 40960 });
    await expect(client.models.retrieve("main/nope")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe("a host with sendLoadingState", () => {
  it("its loading progress arrives as reasoning chunks before the answer, and the stream completes", async () => {
    const stream = await client.chat.completions.create({
      model: "swapping/big-model",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    const reasoning: string[] = [];
    const content: string[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      if (delta?.reasoning_content) reasoning.push(delta.reasoning_content);
      if (delta?.content) content.push(delta.content);
    }
    expect(reasoning[0]).toBe("llama-swap loading model: big-model");
    expect(reasoning.at(-1)).toMatch(/^Done! \(\d+\.\ds\)\n$/);
    expect(content).toEqual(["0 ", "1 "]);
  });
});
