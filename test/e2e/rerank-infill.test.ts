// Rerank and llama-server's native /infill and /completion through the Worker under wrangler, by
// fetch as editor plugins and RAG pipelines call them. Written against issue 14's final behaviour;
//
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llamaSwapDouble, routesIn, type LlamaSwapDouble } from "../doubles/llama-swap.ts";
import { serveNode, type NodeHost } from "../doubles/node-host.ts";
import { startRouter, type RunningRouter } from "./harness.ts";

describe("rerank and infill by fetch", () => {
  let router: RunningRouter;
  let sam: LlamaSwapDouble, old: LlamaSwapDouble;
  let samHost: NodeHost, oldHost: NodeHost;

  beforeAll(async () => {
    sam = llamaSwapDouble({ name: "sam", models: ["bge-reranker", "qwen2.5-coder"], chunks: 4 });
    old = llamaSwapDouble({ name: "old", models: ["qwen2.5-coder"], routes: routesIn(150) });
    samHost = await serveNode(sam.handle);
    oldHost = await serveNode(old.handle);
    router = await startRouter({
      registry: {
        providers: [
          { id: "sam-desktop", label: "Sam", kind: "llama-swap", baseUrl: samHost.url },
          { id: "old-box", label: "Old box", kind: "llama-swap", baseUrl: oldHost.url },
        ],
      },
    });
  });

  afterAll(async () => {
    await router?.stop();
    await samHost?.stop();
    await oldHost?.stop();
  });

  const post = (path: string, body: unknown) =>
    fetch(router.url + path, {
      method: "POST",
      headers: { authorization: `Bearer ${router.keys.alice}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  for (const path of ["/v1/rerank", "/v1/reranking", "/rerank", "/reranking"]) {
    it(`${path} ranks the documents on the model's host`, async () => {
      const res = await post(path, {
        model: "sam-desktop/bge-reranker",
        query: "llama edge router",
        documents: ["a cat", "the llama edge router", "a router"],
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { results: { index: number; relevance_score: number }[] };
      expect(body.results.map((r) => r.index)).toEqual([1, 2, 0]);
      const seen = sam.requests.at(-1);
      expect(seen?.path).toBe(path);
      expect(JSON.parse(seen?.body ?? "{}").model).toBe("bge-reranker");
    });
  }

  it("/infill fills in the middle", async () => {
    const res = await post("/infill", {
      model: "sam-desktop/qwen2.5-coder",
      input_prefix: "def add(a, b):\n    ",
      input_suffix: "\n",
      n_predict: 16,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ content: "sam filled qwen2.5-coder", stop: true });
  });

  it("/completion streams llama-server's native chunks to the end, with no [DONE] and no error event", async () => {
    const res = await post("/completion", { model: "sam-desktop/qwen2.5-coder", prompt: "Once", stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    const events = text
      .split("\n\n")
      .filter((e) => e.startsWith("data: "))
      .map((e) => JSON.parse(e.slice(6)) as { content: string; stop: boolean; error?: unknown });
    expect(events.map((e) => e.content).join("")).toBe("0 1 2 3 ");
    expect(events.at(-1)?.stop).toBe(true);
    expect(events.some((e) => e.error !== undefined)).toBe(false);
  });

  it("a host too old for /infill answers a 404 naming the provider and the route", async () => {
    const res = await post("/infill", { model: "old-box/qwen2.5-coder", input_prefix: "x" });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { message: string; code: string } };
    expect(body.error.message).toContain("old-box");
    expect(body.error.message).toContain("/infill");
    expect(old.requests.map((r) => r.path)).toContain("/infill");
  });

  it("an unknown provider is a 400 with no call to any host", async () => {
    const before = sam.requests.length + old.requests.length;
    const res = await post("/v1/rerank", { model: "nosuch/bge-reranker", query: "q", documents: ["d"] });
    expect(res.status).toBe(400);
    expect(sam.requests.length + old.requests.length).toBe(before);
  });
});
