// Pool providers (issue 15): one model id served by several hosts, sent to the host that has the model
// loaded, kept there for the conversation, spilling over when a member refuses. Two llama-swap doubles
// (sam, garage) and a hosted API (deepseek) behind one pool `any`.
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { llamaSwapDouble, type LlamaSwapDouble, type LlamaSwapOptions } from "../doubles/llama-swap.ts";
import { useOutbound } from "../doubles/outbound.ts";
import { adminToken, call, putRegistry, userKey } from "../helpers/worker.ts";
import { resetPoolMemory } from "../../src/pools/memory.ts";
import { captureLogs } from "../helpers/log-capture.ts";

const outbound = useOutbound();
let key = "";
let sam: LlamaSwapDouble, garage: LlamaSwapDouble, deepseek: LlamaSwapDouble;

const HOSTS = [
  { id: "sam-desktop", label: "Sam", kind: "llama-swap" as const, baseUrl: "https://sam.example.net" },
  { id: "garage", label: "Garage", kind: "llama-swap" as const, baseUrl: "https://garage.example.net" },
  { id: "deepseek", label: "DeepSeek", kind: "openai" as const, baseUrl: "https://api.deepseek.example", models: ["deepseek-chat"] },
];
const POOL = {
  id: "any",
  label: "Any home GPU",
  kind: "pool" as const,
  members: { "qwen3-32b": ["sam-desktop/qwen3-32b", "garage/qwen3-32b", "deepseek/deepseek-chat"] },
};

type State = "loaded" | "unloaded";
function hosts(samState: State, garageState: State, extra: { sam?: LlamaSwapOptions; garage?: LlamaSwapOptions } = {}): void {
  sam = llamaSwapDouble({ name: "sam", models: [{ id: "qwen3-32b", status: samState, context_length: 32768 }, "gemma3"], ...extra.sam });
  garage = llamaSwapDouble({
    name: "garage",
    models: [{ id: "qwen3-32b", status: garageState, context_length: 16384 }, "gemma3"],
    ...extra.garage,
  });
  deepseek = llamaSwapDouble({ name: "deepseek", models: ["deepseek-chat"] });
  const out = outbound();
  out.route("https://sam.example.net", sam.handle);
  out.route("https://garage.example.net", garage.handle);
  out.route("https://api.deepseek.example", (req) =>
    deepseek.handle(new Request(`https://api.deepseek.example/v1${new URL(req.url).pathname}`, req)),
  );
}

const inferences = (host: LlamaSwapDouble) => host.requests.filter((r) => r.method === "POST");
const chat = (messages: unknown[], init: { model?: string; headers?: Record<string, string>; stream?: boolean } = {}) =>
  call("/v1/chat/completions", {
    key,
    headers: init.headers,
    json: { model: init.model ?? "any/qwen3-32b", messages, ...(init.stream ? { stream: true } : {}) },
  });
const user = (content: string) => ({ role: "user", content });
const routeOf = (res: Response): [string | null, string | null, string | null] => [
  res.headers.get("x-llama-edge-provider"),
  res.headers.get("x-llama-edge-model"),
  res.headers.get("x-llama-edge-route"),
];

beforeAll(async () => {
  key = await userKey("pools");
});

beforeEach(async () => {
  await putRegistry({ providers: [...HOSTS, POOL] });
  resetPoolMemory();
});

describe("warm first", () => {
  it("sends 20 of 20 requests to the host that has the model loaded; the other host never swaps", async () => {
    hosts("unloaded", "loaded");
    for (let i = 0; i < 20; i++) {
      const res = await chat([user(`question ${i}`)]);
      expect(res.status).toBe(200);
      expect(routeOf(res).slice(0, 2)).toEqual(["garage", "garage/qwen3-32b"]);
      expect(["warm", "affinity"]).toContain(res.headers.get("x-llama-edge-route"));
      expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(
        "garage answered qwen3-32b",
      );
    }
    expect(inferences(garage)).toHaveLength(20);
    expect(JSON.parse(inferences(garage)[0]?.body ?? "{}").model).toBe("qwen3-32b");
    expect(inferences(sam)).toEqual([]);
    expect(sam.models.get("qwen3-32b")?.status).toBe("unloaded");
    // Learning what is loaded never loads anything.
    expect([...sam.requests, ...garage.requests].filter((r) => r.path.startsWith("/upstream") || r.path === "/props")).toEqual([]);
  });

  it("follows a load and an unload: a decision never rests on state older than 15 s", async () => {
    hosts("unloaded", "loaded");
    expect(routeOf(await chat([user("one")]))[0]).toBe("garage");
    // garage swaps qwen3 out, sam loads it (someone used the hosts directly).
    (garage.models.get("qwen3-32b") as { status: State }).status = "unloaded";
    (sam.models.get("qwen3-32b") as { status: State }).status = "loaded";
    vi.setSystemTime(Date.now() + 15_001);
    try {
      const res = await chat([user("two")]);
      expect(routeOf(res)).toEqual(["sam-desktop", "sam-desktop/qwen3-32b", "warm"]);
    } finally {
      vi.useRealTimers();
    }
    expect(inferences(garage)).toHaveLength(1);
  });

  it("with nothing warm, exactly one host loads the model: the first llama-swap member; then it counts as warm", async () => {
    hosts("unloaded", "unloaded");
    const first = await chat([user("cold start")]);
    expect(first.status).toBe(200);
    expect(routeOf(first)).toEqual(["sam-desktop", "sam-desktop/qwen3-32b", "cold"]);
    const second = await chat([user("another conversation")]);
    expect(routeOf(second)).toEqual(["sam-desktop", "sam-desktop/qwen3-32b", "warm"]);
    expect(inferences(sam)).toHaveLength(2);
    expect(inferences(garage)).toEqual([]);
    expect(garage.models.get("qwen3-32b")?.status).toBe("unloaded");
    expect(inferences(deepseek)).toEqual([]);
  });

  it('`cold: "fallback"` answers from a hosted member instead of waiting for a cold load', async () => {
    await putRegistry({ providers: [...HOSTS, { ...POOL, cold: "fallback" }] });
    hosts("unloaded", "unloaded");
    const res = await chat([user("hi")]);
    expect(routeOf(res)).toEqual(["deepseek", "deepseek/deepseek-chat", "fallback"]);
    expect(JSON.parse(inferences(deepseek)[0]?.body ?? "{}").model).toBe("deepseek-chat");
    expect([...inferences(sam), ...inferences(garage)]).toEqual([]);
  });
});

describe("conversation affinity", () => {
  const turns = (topic: string) => {
    const history: unknown[] = [{ role: "system", content: "You are terse." }, user(`Tell me about ${topic}`)];
    const all: unknown[][] = [];
    for (let t = 0; t < 4; t++) {
      all.push([...history]);
      history.push({ role: "assistant", content: `answer ${t}` }, user(`and then ${t}?`));
    }
    return all;
  };

  it("keeps a 4-turn conversation on one host while both are warm; different conversations spread", async () => {
    hosts("loaded", "loaded");
    const served: (string | null)[] = [];
    for (const messages of turns("rivers")) served.push(routeOf(await chat(messages))[0]);
    expect(new Set(served).size).toBe(1);
    const second = await chat(turns("rivers")[3] as unknown[]);
    expect(second.headers.get("x-llama-edge-route")).toBe("affinity");

    // Another isolate (no memory) picks the same host for the same conversation: rendezvous hashing.
    resetPoolMemory();
    expect(routeOf(await chat(turns("rivers")[2] as unknown[]))[0]).toBe(served[0]);

    const spread = new Set<string | null>();
    for (let i = 0; i < 20; i++) spread.add(routeOf(await chat(turns(`topic ${i}`)[0] as unknown[]))[0]);
    expect(spread).toEqual(new Set(["sam-desktop", "garage"]));
    expect(inferences(deepseek)).toEqual([]);
  });

  it("a session header pins the conversation, whatever the messages", async () => {
    hosts("loaded", "loaded");
    for (const header of ["x-session-id", "x-claude-code-session-id"]) {
      const served = new Set<string | null>();
      for (let i = 0; i < 8; i++)
        served.add(routeOf(await chat([user(`unrelated ${i}`)], { headers: { [header]: `session-${header}` } }))[0]);
      expect(served.size).toBe(1);
    }
  });

  it("leaves a remembered member that is no longer warm", async () => {
    hosts("unloaded", "loaded");
    const messages = [user("stay with me")];
    expect(routeOf(await chat(messages))[0]).toBe("garage");
    (garage.models.get("qwen3-32b") as { status: State }).status = "unloaded";
    (sam.models.get("qwen3-32b") as { status: State }).status = "loaded";
    vi.setSystemTime(Date.now() + 15_001);
    try {
      expect(routeOf(await chat(messages))).toEqual(["sam-desktop", "sam-desktop/qwen3-32b", "warm"]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("what the answer and the log line say", () => {
  it("a streamed answer names the member and the route; the log line records the same", async () => {
    const logs = captureLogs();
    try {
      hosts("unloaded", "loaded");
      const res = await chat([user("stream it")], { stream: true });
      expect(res.status).toBe(200);
      expect(routeOf(res)).toEqual(["garage", "garage/qwen3-32b", "warm"]);
      expect(await res.text()).toContain("data: [DONE]");
      await vi.waitFor(() => expect(logs.lines().some((l) => l.includes('"path":"/v1/chat/completions"'))).toBe(true));
      const line = JSON.parse(logs.lines().find((l) => l.includes('"path":"/v1/chat/completions"')) as string);
      expect(line).toMatchObject({ provider: "garage", model: "garage/qwen3-32b", route: "warm", pool: "any/qwen3-32b", status: 200 });
    } finally {
      logs.restore();
    }
  });

  it("a member at maxInFlight is passed over while another warm member is free", async () => {
    await putRegistry({ providers: [...HOSTS, { ...POOL, maxInFlight: 1 }] });
    hosts("loaded", "loaded", { sam: { chunks: 2, chunkGapMs: 300 }, garage: { chunks: 2, chunkGapMs: 300 } });
    const messages = [user("long stream")];
    const first = await chat(messages, { stream: true });
    const busy = routeOf(first)[0];
    // The same conversation, while the first stream still runs: its member is at its limit.
    const second = await chat(messages, { stream: true });
    expect(routeOf(second)[0]).not.toBe(busy);
    expect(routeOf(second)[0]).not.toBe("deepseek");
    await Promise.all([first.text(), second.text()]);
  });
});

describe("members that refuse", () => {
  it("skips a warm member whose host is unavailable and says so", async () => {
    hosts("unloaded", "loaded", {
      garage: {
        respond: (r) => (r.method === "POST" ? new Response("not ready", { status: 503, headers: { "retry-after": "5" } }) : undefined),
      },
    });
    const res = await chat([user("hi")]);
    expect(res.status).toBe(200);
    expect(routeOf(res)).toEqual(["sam-desktop", "sam-desktop/qwen3-32b", "fallback"]);
    expect(res.headers.get("x-llama-edge-skipped")).toBe("garage/qwen3-32b (provider_unavailable)");
  });

  it("spills to the next member when a warm one answers 429 (its concurrency limit)", async () => {
    hosts("loaded", "loaded", { sam: { rateLimited: { retryAfter: "1" } }, garage: { rateLimited: { retryAfter: "1" } } });
    // Both busy: every member is asked once, ending with the hosted one.
    const res = await chat([user("hi")]);
    expect(res.status).toBe(200);
    expect(routeOf(res)).toEqual(["deepseek", "deepseek/deepseek-chat", "fallback"]);
    expect(res.headers.get("x-llama-edge-skipped")).toMatch(
      /^(sam-desktop|garage)\/qwen3-32b \(provider_rate_limited\), (sam-desktop|garage)\/qwen3-32b \(provider_rate_limited\)$/,
    );
  });

  it("does not use a disabled member", async () => {
    await putRegistry({ providers: [HOSTS[0] as object, { ...HOSTS[1], enabled: false }, HOSTS[2] as object, POOL] as never });
    hosts("unloaded", "loaded");
    const res = await chat([user("hi")]);
    expect(routeOf(res)).toEqual(["sam-desktop", "sam-desktop/qwen3-32b", "cold"]);
    expect(inferences(garage)).toEqual([]);
  });
});

describe("pool models in the catalog, favorites and context", () => {
  it("lists the pool model with its members and status, and answers /v1/models/{id} the same", async () => {
    hosts("unloaded", "loaded");
    const list = (await (await call("/v1/models", { key })).json()) as {
      data: { id: string; status: string; members?: string[]; context_length?: number }[];
    };
    const record = list.data.find((m) => m.id === "any/qwen3-32b");
    expect(record).toMatchObject({ status: "loaded", owned_by: "any", members: POOL.members["qwen3-32b"], context_length: 16384 });
    const one = await call("/v1/models/any%2Fqwen3-32b", { key });
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual(record);
    expect((await call("/v1/models/any/nothing", { key })).status).toBe(404);
  });

  it("is unavailable when no member's host answers", async () => {
    hosts("unloaded", "unloaded");
    await putRegistry({
      providers: [
        HOSTS[0] as object,
        HOSTS[1] as object,
        { ...POOL, members: { "qwen3-32b": ["sam-desktop/qwen3-32b", "garage/qwen3-32b"] } },
      ] as never,
    });
    outbound().route("https://sam.example.net", () => new Response("bad gateway", { status: 502 }));
    outbound().route("https://garage.example.net", () => new Response("bad gateway", { status: 502 }));
    const list = (await (await call("/v1/models", { key })).json()) as { data: { id: string; status: string }[] };
    expect(list.data.find((m) => m.id === "any/qwen3-32b")?.status).toBe("unavailable");
  });

  it("the context of a pool model is the smallest among its members, learned without loading anything", async () => {
    hosts("unloaded", "unloaded");
    const res = await call("/api/models/any%2Fqwen3-32b/context", { key });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: "any/qwen3-32b", context_length: 16384, source: "catalog" });
    expect(inferences(sam).length + inferences(garage).length).toBe(0);
  });

  it("favorites keep a pool id and the picker shows the pool as a section", async () => {
    hosts("loaded", "unloaded");
    const saved = await call("/api/settings", { key, method: "PATCH", json: { favorite_models: ["any/qwen3-32b"] } });
    expect(await saved.json()).toEqual({ favorite_models: ["any/qwen3-32b"] });
    const picker = (await (await call("/api/picker", { key })).json()) as {
      sections: { kind: string; provider?: { id: string }; models: { id: string }[] }[];
    };
    expect(picker.sections[0]?.models.map((m) => m.id)).toEqual(["any/qwen3-32b"]);
    expect(picker.sections.find((s) => s.provider?.id === "any")?.models.map((m) => m.id)).toEqual(["any/qwen3-32b"]);
    await call("/api/settings", { key, method: "PATCH", json: { favorite_models: [] } });
  });

  it("`unify` makes every wire id two llama-swap hosts list a pool model", async () => {
    await putRegistry({ providers: [...HOSTS, { id: "all", label: "All", kind: "pool", unify: true }] as never });
    hosts("unloaded", "loaded");
    const list = (await (await call("/v1/models", { key })).json()) as { data: { id: string; members?: string[] }[] };
    expect(list.data.filter((m) => m.id.startsWith("all/")).map((m) => [m.id, m.members])).toEqual([
      ["all/gemma3", ["sam-desktop/gemma3", "garage/gemma3"]],
      ["all/qwen3-32b", ["sam-desktop/qwen3-32b", "garage/qwen3-32b"]],
    ]);
    expect(routeOf(await chat([user("hi")], { model: "all/qwen3-32b" }))).toEqual(["garage", "garage/qwen3-32b", "warm"]);
  });
});

describe("validation", () => {
  const put = (providers: unknown[]) =>
    call("/admin/providers", { method: "PUT", headers: { authorization: `Bearer ${adminToken}` }, json: { providers } });
  const message = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;

  it("refuses a member that names no provider, or a pool, naming the field", async () => {
    const unknown = await put([...HOSTS, { ...POOL, members: { "qwen3-32b": ["nowhere/qwen3-32b"] } }]);
    expect(unknown.status).toBe(400);
    expect(await message(unknown)).toContain("providers[3].members.qwen3-32b[0]");
    const nested = await put([...HOSTS, POOL, { id: "outer", label: "Outer", kind: "pool", members: { x: ["any/qwen3-32b"] } }]);
    expect(nested.status).toBe(400);
    expect(await message(nested)).toContain("providers[4].members.x[0]: names the pool 'any'; a pool cannot be a member");
    const bad = await put([...HOSTS, { ...POOL, cold: "never", baseUrl: "https://x.example" }]);
    expect(bad.status).toBe(400);
  });

  it("an unknown pool model is a 404 and no host is asked", async () => {
    hosts("loaded", "loaded");
    const res = await chat([user("hi")], { model: "any/nothing-like-it" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("model_not_found");
    expect([...inferences(sam), ...inferences(garage), ...inferences(deepseek)]).toEqual([]);
  });
});
