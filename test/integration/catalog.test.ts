import { beforeEach, describe, expect, it, vi } from "vitest";
import { FRESH_MS, forgetProviderLists } from "../../src/catalog/provider-lists.ts";
import type { ProviderInput } from "../../src/registry/schema.ts";
import { llamaSwapDouble, type LlamaSwapDouble } from "../doubles/llama-swap.ts";
import { useOutbound } from "../doubles/outbound.ts";
import { call, putRegistry, userKey } from "../helpers/worker.ts";

const outbound = useOutbound();
let key = "";
let run = 0;

beforeEach(async () => {
  forgetProviderLists();
  key = await userKey("alice");
  run++;
});

// Each test gets its own host names, so the Cache API's last good lists never leak between tests.
const origin = (name: string) => `https://${name}-${run}.example.net`;
const provider = (id: string, extra: Partial<ProviderInput> = {}): ProviderInput => ({
  id,
  label: `${id} box`,
  kind: "llama-swap",
  baseUrl: origin(id),
  timeouts: { catalogMs: 300 },
  ...extra,
});

type Model = {
  id: string;
  status: string;
  owned_by: string;
  name: string;
  provider: { id: string; label: string };
  context_length?: number;
  object: string;
  created: number;
};
const models = async (res: Response) => ((await res.json()) as { object: string; data: Model[] }).data;

/** A host that never answers until the router gives up on it. */
const stall = (request: Request) =>
  new Promise<Response>((_, reject) => request.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))));
const refuse = () => Promise.reject(new TypeError("Network connection lost: connection refused"));
const tunnelDown = () =>
  new Response("<html><title>Cloudflare Tunnel error | 1033</title></html>", {
    status: 530,
    headers: { "content-type": "text/html", server: "cloudflare" },
  });

function host(name: string, models: ConstructorParameters<typeof Object>[0][]): LlamaSwapDouble {
  const double = llamaSwapDouble({ name, models: models as never });
  outbound().route(origin(name), double.handle);
  return double;
}

describe("GET /v1/models", () => {
  it("lists every enabled provider's models under composite ids, in registry order then id", async () => {
    host("sam", ["qwen3-32b", { id: "Qwen/Qwen3-8B-GGUF", status: "loaded", context_length: 32768 }, "alpha:q4"]);
    host("garage", [{ id: "qwen3-32b", n_ctx: 8192 }]);
    await putRegistry({ defaultProvider: "sam", providers: [provider("sam"), provider("garage"), provider("off", { enabled: false })] });

    const res = await call("/v1/models", { key });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-llama-edge-degraded")).toBeNull();
    const data = await models(res);
    expect(data.map((m) => m.id)).toEqual(["sam/Qwen/Qwen3-8B-GGUF", "sam/alpha:q4", "sam/qwen3-32b", "garage/qwen3-32b"]);
    expect(data[0]).toEqual({
      id: "sam/Qwen/Qwen3-8B-GGUF",
      object: "model",
      created: 0,
      owned_by: "sam",
      name: "Qwen/Qwen3-8B-GGUF",
      provider: { id: "sam", label: "sam box" },
      status: "loaded",
      context_length: 32768,
    });
    expect(data[2]).toMatchObject({ status: "unloaded" });
    expect(data[2]).not.toHaveProperty("context_length");
    // The same wire name on two hosts: two records, each with its own host's facts.
    expect(data[3]).toMatchObject({ id: "garage/qwen3-32b", owned_by: "garage", context_length: 8192 });
  });

  it("answers within the timeout when hosts refuse, stall or have their tunnel down, marking them from the last good list", async () => {
    const healthy = { sam: true };
    const sam = llamaSwapDouble({ models: ["qwen3"] });
    outbound().route(origin("sam"), (r) => (healthy.sam ? sam.handle(r) : refuse()));
    let stalled = false;
    const slow = llamaSwapDouble({ models: ["slow-model"] });
    outbound().route(origin("slow"), (r) => (stalled ? stall(r) : slow.handle(r)));
    let down = false;
    const office = llamaSwapDouble({ models: ["office-model"] });
    outbound().route(origin("office"), (r) => (down ? tunnelDown() : office.handle(r)));
    host("live", ["live-model"]);
    await putRegistry({ providers: [provider("sam"), provider("slow"), provider("office"), provider("live")] });

    expect((await models(await call("/v1/models", { key }))).every((m) => m.status !== "unavailable")).toBe(true);
    healthy.sam = false;
    stalled = true;
    down = true;
    forgetProviderLists(); // a new isolate: only the Cache API remembers the last good lists

    const started = Date.now();
    const res = await call("/v1/models", { key });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-llama-edge-degraded")).toBe("sam,slow,office");
    const data = await models(res);
    expect(data.map((m) => [m.id, m.status])).toEqual([
      ["sam/qwen3", "unavailable"],
      ["slow/slow-model", "unavailable"],
      ["office/office-model", "unavailable"],
      ["live/live-model", "unloaded"],
    ]);
  });

  it("a second call inside the cache window makes no host call", async () => {
    const sam = host("sam", ["qwen3"]);
    await putRegistry({ providers: [provider("sam")] });
    await call("/v1/models", { key });
    const after = sam.requests.length;
    expect(after).toBe(1);
    expect(await models(await call("/v1/models", { key }))).toHaveLength(1);
    expect(sam.requests.length).toBe(after);
  });

  it("after the fresh window serves the last list at once and asks the host again in the background", async () => {
    let stalled = false;
    const asked: string[] = [];
    const sam = llamaSwapDouble({ models: ["qwen3"] });
    outbound().route(origin("sam"), (r) => {
      asked.push(new URL(r.url).pathname);
      return stalled ? stall(r) : sam.handle(r);
    });
    await putRegistry({ providers: [provider("sam")] });
    await call("/v1/models", { key });
    expect(asked).toEqual(["/v1/models"]);
    stalled = true;
    vi.setSystemTime(Date.now() + FRESH_MS + 1);
    try {
      const started = performance.now();
      const stale = await call("/v1/models", { key });
      // The stalled host did not delay the answer: it came from the last list, while a refresh went out.
      expect(performance.now() - started).toBeLessThan(200);
      expect((await models(stale)).map((m) => [m.id, m.status])).toEqual([["sam/qwen3", "unloaded"]]);
      expect(asked).toEqual(["/v1/models", "/v1/models"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("still answers within the timeout with 9 hosts of which 3 stall (a Worker has 6 connection slots)", async () => {
    const names = Array.from({ length: 9 }, (_, i) => `h${i}`);
    names.forEach((name, i) => (i % 3 === 0 ? outbound().route(origin(name), stall) : host(name, [`m${i}`])));
    await putRegistry({ providers: names.map((n) => provider(n)) });
    const started = Date.now();
    const res = await call("/v1/models", { key });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(res.headers.get("x-llama-edge-degraded")).toBe("h0,h3,h6");
    expect((await models(res)).map((m) => m.id)).toEqual(["h1/m1", "h2/m2", "h4/m4", "h5/m5", "h7/m7", "h8/m8"]);
  });

  it("reads only model lists: never /props, /upstream or /running", async () => {
    const sam = host("sam", [{ id: "qwen3", status: "unloaded" }]);
    await putRegistry({ providers: [provider("sam")] });
    await call("/v1/models", { key });
    await call("/v1/models/sam/qwen3", { key });
    expect(sam.requests.map((r) => r.path)).toEqual(["/v1/models"]);
  });

  it("on an old host whose list has no status, /running tells what is loaded; nothing else is read", async () => {
    const old = llamaSwapDouble({ generation: "v217", models: ["cold", { id: "warm", status: "loaded" }] });
    outbound().route(origin("old"), old.handle);
    await putRegistry({ providers: [provider("old")] });
    const res = await call("/v1/models", { key });
    expect((await models(res)).map((m) => `${m.id}:${m.status}`)).toEqual(["old/cold:unloaded", "old/warm:loaded"]);
    expect(old.requests.map((r) => r.path)).toEqual(["/v1/models", "/running"]);
  });

  it("lists a hosted API's /models and a static list without asking a host", async () => {
    const api = llamaSwapDouble({ models: ["deepseek-chat"], statusField: false });
    outbound().route(origin("deepseek"), api.handle);
    await putRegistry({
      providers: [
        provider("deepseek", { kind: "openai", baseUrl: `${origin("deepseek")}/v1`, auth: { type: "bearer", secret: "DEEPSEEK_API_KEY" } }),
        provider("pinned", { kind: "openai", models: ["fixed-a", { id: "fixed-b", context_length: 4096 }] }),
      ],
    });
    const data = await models(await call("/v1/models", { key }));
    expect(data.map((m) => [m.id, m.status, m.context_length])).toEqual([
      ["deepseek/deepseek-chat", "loaded", undefined],
      ["pinned/fixed-a", "loaded", undefined],
      ["pinned/fixed-b", "loaded", 4096],
    ]);
    expect(api.requests.map((r) => r.path)).toEqual(["/v1/models"]);
  });
});

describe("GET /v1/models/{id}", () => {
  beforeEach(async () => {
    host("sam", ["Qwen/Qwen3-8B-GGUF", "qwen3-32b"]);
    await putRegistry({ defaultProvider: "sam", providers: [provider("sam")] });
  });

  it("finds a composite id with slashes, raw or percent-encoded", async () => {
    for (const path of ["/v1/models/sam/Qwen/Qwen3-8B-GGUF", "/v1/models/sam%2FQwen%2FQwen3-8B-GGUF"]) {
      const res = await call(path, { key });
      expect(res.status, path).toBe(200);
      expect(await res.json()).toMatchObject({ id: "sam/Qwen/Qwen3-8B-GGUF", name: "Qwen/Qwen3-8B-GGUF", owned_by: "sam" });
    }
  });

  it("finds a legacy bare id on the default provider", async () => {
    expect(await (await call("/v1/models/qwen3-32b", { key })).json()).toMatchObject({ id: "sam/qwen3-32b" });
  });

  it("answers 404 model_not_found for a model no host has", async () => {
    const res = await call("/v1/models/sam/nope", { key });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        message: "The model 'sam/nope' does not exist or you do not have access to it.",
        type: "invalid_request_error",
        param: "model",
        code: "model_not_found",
      },
    });
  });
});
