// Which host an inference request reaches, with which path and which body; and which requests are
// refused before any host is asked.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { llamaSwapDouble, type LlamaSwapDouble } from "../doubles/llama-swap.ts";
import { useOutbound } from "../doubles/outbound.ts";
import { call, dumpResponse, expectNoSecrets, putRegistry, userKey } from "../helpers/worker.ts";

const outbound = useOutbound();
let key = "";
let sam: LlamaSwapDouble, samSidecar: LlamaSwapDouble, garage: LlamaSwapDouble, embedding: LlamaSwapDouble, deepseek: LlamaSwapDouble;

const REGISTRY = {
  defaultProvider: "sam-desktop",
  providers: [
    {
      id: "sam-desktop",
      label: "Sam",
      kind: "llama-swap" as const,
      baseUrl: "https://sam.example.net",
      sidecarUrl: "https://sam-sidecar.example.net",
    },
    { id: "garage", label: "Garage", kind: "llama-swap" as const, baseUrl: "https://garage.example.net" },
    { id: "embedding", label: "Embeddings", kind: "llama-swap" as const, baseUrl: "https://embedding.example.net" },
    { id: "deepseek", label: "DeepSeek", kind: "openai" as const, baseUrl: "https://api.deepseek.example", models: ["deepseek-chat"] },
    { id: "old-box", label: "Old", kind: "llama-swap" as const, baseUrl: "https://old.example.net", enabled: false },
  ],
};

beforeAll(async () => {
  key = await userKey("routing");
});

beforeEach(async () => {
  await putRegistry(REGISTRY);
  sam = llamaSwapDouble({ name: "sam", models: ["qwen3-32b", "Qwen/Qwen3-8B-GGUF", "deepseek-chat"] });
  samSidecar = llamaSwapDouble({ name: "sam-sidecar", models: ["qwen3-32b", "Qwen/Qwen3-8B-GGUF", "deepseek-chat"] });
  garage = llamaSwapDouble({ name: "garage", models: ["qwen3-32b", "peer-a/qwen3:high"] });
  embedding = llamaSwapDouble({ name: "embedding", models: ["deepseek-r1-qwen3-8b", "nomic-embed"] });
  deepseek = llamaSwapDouble({ name: "deepseek", models: ["deepseek-chat"] });
  const out = outbound();
  out.route("https://sam.example.net", sam.handle);
  out.route("https://sam-sidecar.example.net", samSidecar.handle);
  out.route("https://garage.example.net", garage.handle);
  out.route("https://embedding.example.net", embedding.handle);
  // A hosted API's paths have no /v1: strip it here so the same double can answer.
  out.route("https://api.deepseek.example", (req) => {
    const url = new URL(req.url);
    return deepseek.handle(new Request(`https://api.deepseek.example/v1${url.pathname}`, req));
  });
});

const chat = (model: string, extra: Record<string, unknown> = {}) =>
  call("/v1/chat/completions", { key, json: { model, messages: [{ role: "user", content: "hi" }], ...extra } });

const allHosts = () => [sam, samSidecar, garage, embedding, deepseek];
const totalRequests = () => allHosts().reduce((n, h) => n + h.requests.length, 0);

describe("routing by composite id", () => {
  it("the same wire name on two hosts reaches two hosts, each with the bare id", async () => {
    const a = await chat("sam-desktop/qwen3-32b");
    const b = await chat("garage/qwen3-32b");
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(((await a.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(
      "sam-sidecar answered qwen3-32b",
    );
    expect(((await b.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(
      "garage answered qwen3-32b",
    );
    expect(JSON.parse(samSidecar.requests[0]?.body ?? "{}").model).toBe("qwen3-32b");
    expect(JSON.parse(garage.requests[0]?.body ?? "{}").model).toBe("qwen3-32b");
    expect(a.headers.get("x-llama-edge-provider")).toBe("sam-desktop");
    expect(b.headers.get("x-llama-edge-provider")).toBe("garage");
  });

  it("keeps slashes and colons of the wire id after the provider", async () => {
    expect((await chat("garage/peer-a/qwen3:high")).status).toBe(200);
    expect(JSON.parse(garage.requests[0]?.body ?? "{}").model).toBe("peer-a/qwen3:high");
  });

  it("embedding/deepseek-r1-qwen3-8b reaches only the embedding host, though a 'deepseek' provider exists", async () => {
    const res = await call("/v1/embeddings", { key, json: { model: "embedding/deepseek-r1-qwen3-8b", input: ["a", "b"] } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(2);
    expect(embedding.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v1/embeddings"]);
    expect(JSON.parse(embedding.requests[0]?.body ?? "{}").model).toBe("deepseek-r1-qwen3-8b");
    expect(totalRequests()).toBe(1);
  });

  it("sends chat and completions to the sidecar, embeddings and responses to the host itself", async () => {
    await chat("sam-desktop/qwen3-32b");
    await call("/v1/completions", { key, json: { model: "sam-desktop/qwen3-32b", prompt: "x" } });
    await call("/v1/embeddings", { key, json: { model: "sam-desktop/qwen3-32b", input: "x" } });
    await call("/v1/responses", { key, json: { model: "sam-desktop/qwen3-32b", input: "x" } });
    expect(samSidecar.requests.map((r) => r.path)).toEqual(["/v1/chat/completions", "/v1/completions"]);
    expect(sam.requests.map((r) => r.path)).toEqual(["/v1/embeddings", "/v1/responses"]);
  });

  it("a hosted API of kind openai gets paths under its API root", async () => {
    const res = await chat("deepseek/deepseek-chat");
    expect(res.status).toBe(200);
    expect(deepseek.requests.map((r) => r.path)).toEqual(["/v1/chat/completions"]);
    expect(outbound().requests.map((r) => r.url)).toEqual(["https://api.deepseek.example/chat/completions"]);
  });
});

describe("bare ids go to the default provider", () => {
  it("a bare id without '/' goes to the default provider unchanged, even when it starts like another provider", async () => {
    expect((await chat("deepseek-chat")).status).toBe(200);
    expect(deepseek.requests).toHaveLength(0);
    expect(JSON.parse(samSidecar.requests[0]?.body ?? "{}").model).toBe("deepseek-chat");
  });

  it("a bare id with '/' that the default host lists goes there whole", async () => {
    const res = await chat("Qwen/Qwen3-8B-GGUF");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-llama-edge-provider")).toBe("sam-desktop");
    expect(JSON.parse(samSidecar.requests[0]?.body ?? "{}").model).toBe("Qwen/Qwen3-8B-GGUF");
  });

  it("a mistyped provider gets 400 naming the prefix and the closest provider, and no inference request leaves", async () => {
    const res = await chat("sam-destkop/qwen3-32b");
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; type: string; param: string; code: string } };
    expect(body.error).toMatchObject({ type: "invalid_request_error", param: "model", code: "unknown_provider" });
    expect(body.error.message).toContain("'sam-destkop'");
    expect(body.error.message).toContain("Did you mean 'sam-desktop'?");
    const paths = allHosts().flatMap((h) => h.requests.map((r) => r.path));
    expect(paths.every((p) => p.endsWith("/models"))).toBe(true);
  });
});

describe("refused before any host is asked", () => {
  const refusals: [string, () => Promise<Response>, string][] = [
    [
      "an unknown provider without a default",
      async () => {
        await putRegistry({ providers: REGISTRY.providers });
        return chat("nosuch/qwen3");
      },
      "unknown_provider",
    ],
    ["a disabled provider", () => chat("old-box/qwen3"), "provider_disabled"],
    ["an id with a '..' segment", () => chat("sam-desktop/../props"), "invalid_model_id"],
    ["an id with whitespace", () => chat("sam-desktop/qwen3 32b"), "invalid_model_id"],
    [
      "a body that is not JSON",
      () => call("/v1/chat/completions", { key, body: "{model: nope", headers: { "content-type": "application/json" } }),
      "invalid_json",
    ],
    [
      "a body that is not UTF-8",
      () => call("/v1/chat/completions", { key, body: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]) }),
      "invalid_json",
    ],
    ["a JSON array", () => call("/v1/chat/completions", { key, json: [{ model: "sam-desktop/qwen3-32b" }] }), "invalid_body"],
    ["a body without model", () => call("/v1/chat/completions", { key, json: { messages: [] } }), "missing_model"],
    ["a numeric model", () => call("/v1/embeddings", { key, json: { model: 42, input: "x" } }), "invalid_model"],
    ["an empty model", () => call("/v1/responses", { key, json: { model: "", input: "x" } }), "invalid_model"],
  ];
  for (const [what, send, code] of refusals) {
    it(`${what}: 400 ${code}, OpenAI-shaped, zero host requests`, async () => {
      const res = await send();
      expect(res.status).toBe(400);
      const text = await dumpResponse(res);
      expect(JSON.parse(text.slice(text.indexOf("\n\n") + 2))).toMatchObject({ error: { type: "invalid_request_error", code } });
      expect(res.headers.get("x-request-id")).toBeTruthy();
      expectNoSecrets(text);
      expect(totalRequests()).toBe(0);
      expect(outbound().requests).toEqual([]);
    });
  }

  it("a body over 4 MiB gets 413 before parsing, with or without Content-Length", async () => {
    const big = `{"model":"sam-desktop/qwen3-32b","input":"${"x".repeat(4 * 1024 * 1024)}"}`;
    const withLength = await call("/v1/embeddings", {
      key,
      body: big,
      headers: { "content-type": "application/json", "content-length": String(big.length) },
    });
    const bytes = new TextEncoder().encode(big);
    const chunked = await call("/v1/embeddings", {
      key,
      body: new ReadableStream({ start: (c) => (c.enqueue(bytes.subarray(0, 1024)), c.enqueue(bytes.subarray(1024)), c.close()) }),
      headers: { "content-type": "application/json" },
    });
    for (const res of [withLength, chunked]) {
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { type: "invalid_request_error", code: "request_too_large" } });
    }
    expect(totalRequests()).toBe(0);
  });
});

describe("the body the host receives", () => {
  it("is the client's body byte for byte, with only the top-level model replaced", async () => {
    const sent = `{ "messages":[{"role":"user","content":"h\\u00e9 \\"model\\": x 🦙"}],\n  "seed": 18446744073709551615, "temperature": 1.0, "top_p":1e0,\n  "tools":[{"function":{"name":"f","parameters":{"model":"keep-me"}}}],\n  "mod\\u0065l" : "garage/qwen3-32b",  "vendor_x":{"deep":[1,2,{"model":"also-kept"}]} }`;
    const res = await call("/v1/chat/completions", { key, body: sent, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(200);
    expect(garage.requests[0]?.body).toBe(sent.replace(`"garage/qwen3-32b"`, `"qwen3-32b"`));
  });
});
