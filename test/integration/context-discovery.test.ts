import { env, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { forgetProviderLists } from "../../src/catalog/provider-lists.ts";
import { SCHEMA_VERSION } from "../../src/users/migrations.ts";
import type { UserState } from "../../src/users/user-state.ts";
import { llamaSwapDouble, type LlamaSwapOptions } from "../doubles/llama-swap.ts";
import { useOutbound } from "../doubles/outbound.ts";
import { call, putRegistry, userKey } from "../helpers/worker.ts";

const outbound = useOutbound();
let key = "";
let user = "";

beforeEach(async () => {
  forgetProviderLists();
  user = `ctx-${crypto.randomUUID()}`;
  key = await userKey(user);
  await putRegistry({
    defaultProvider: "sam-desktop",
    providers: [
      { id: "sam-desktop", label: "Sam", kind: "llama-swap", baseUrl: "https://sam.ctx.example.net" },
      { id: "garage", label: "Garage", kind: "llama-swap", baseUrl: "https://garage.ctx.example.net" },
    ],
  });
});

function hosts(sam: LlamaSwapOptions, garage: LlamaSwapOptions = { models: [] }) {
  const s = llamaSwapDouble(sam);
  const g = llamaSwapDouble(garage);
  outbound().route("https://sam.ctx.example.net", s.handle);
  outbound().route("https://garage.ctx.example.net", g.handle);
  return { sam: s, garage: g };
}

const context = async (id: string) => {
  const res = await call(`/api/models/${id}/context`, { key });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const propsOrUpstream = (paths: string[]) => paths.filter((p) => p.includes("/props") || p.startsWith("/upstream"));

describe("GET /api/models/{id}/context", () => {
  it("takes the context the host's model list reports", async () => {
    const { sam } = hosts({ models: [{ id: "Qwen/Qwen3-8B-GGUF", context_length: 40960 }] });
    for (const id of ["sam-desktop/Qwen/Qwen3-8B-GGUF", "sam-desktop%2FQwen%2FQwen3-8B-GGUF"]) {
      const { status, body } = await context(id);
      expect(status).toBe(200);
      expect(body).toMatchObject({ id: "sam-desktop/Qwen/Qwen3-8B-GGUF", context_length: 40960, source: "catalog" });
    }
    expect(propsOrUpstream(sam.requests.map((r) => r.path))).toEqual([]);
  });

  it("reads llama-server's props only for a loaded model, checking /running first; per-slot n_ctx and slots", async () => {
    const { sam } = hosts({ models: [{ id: "qwen3-32b", status: "loaded" }] });
    const { body } = await context("sam-desktop/qwen3-32b");
    expect(body).toMatchObject({
      id: "sam-desktop/qwen3-32b",
      source: "props",
      context_length: expect.any(Number),
      total_slots: expect.any(Number),
    });
    const paths = sam.requests.map((r) => r.path);
    expect(paths.indexOf("/running")).toBeGreaterThan(-1);
    expect(paths.indexOf("/running")).toBeLessThan(paths.indexOf("/upstream/qwen3-32b/props"));
  });

  it("never requests props or /upstream for an unloaded model, and answers from the cache or null", async () => {
    const { sam } = hosts({ models: [{ id: "big-model", status: "unloaded" }] });
    const { body } = await context("sam-desktop/big-model");
    expect(body).toEqual({ id: "sam-desktop/big-model", context_length: null, total_slots: null, source: null, fetched_at: null });
    expect(propsOrUpstream(sam.requests.map((r) => r.path))).toEqual([]);
  });

  it("on an old host without status, a model that /running does not list is never probed", async () => {
    const { sam } = hosts({ models: ["old-model"], generation: "v217" });
    const { body } = await context("sam-desktop/old-model");
    expect(body).toMatchObject({ context_length: null });
    expect(sam.requests.map((r) => r.path)).toContain("/running");
    expect(propsOrUpstream(sam.requests.map((r) => r.path))).toEqual([]);
  });

  it("answers from this user's cache once the model is unloaded again", async () => {
    const double = hosts({ models: [{ id: "qwen3-32b", status: "loaded" }] });
    const first = await context("sam-desktop/qwen3-32b");
    expect(first.body.source).toBe("props");
    (double.sam.models.get("qwen3-32b") as { status: string }).status = "unloaded";
    forgetProviderLists();
    const second = await context("sam-desktop/qwen3-32b");
    expect(second.body).toMatchObject({ source: "cache", context_length: first.body.context_length });
  });

  it("two hosts serving the same model name never share a cache entry", async () => {
    const stub = env.USER_STATE.get(env.USER_STATE.idFromName(user)) as DurableObjectStub<UserState>;
    await stub.putContext({
      composite_id: "sam-desktop/qwen3-32b",
      context_length: 32768,
      slots: 1,
      source: "props",
      fetched_at: Date.now(),
    });
    hosts({ models: [{ id: "qwen3-32b", status: "unloaded" }] }, { models: [{ id: "qwen3-32b", status: "unloaded" }] });
    expect((await context("sam-desktop/qwen3-32b")).body).toMatchObject({ context_length: 32768, source: "cache" });
    expect((await context("garage/qwen3-32b")).body).toMatchObject({ context_length: null });
    await stub.putContext({ composite_id: "garage/qwen3-32b", context_length: 8192, slots: 4, source: "props", fetched_at: Date.now() });
    expect((await context("garage/qwen3-32b")).body).toMatchObject({ context_length: 8192, total_slots: 4 });
    expect((await context("sam-desktop/qwen3-32b")).body).toMatchObject({ context_length: 32768, total_slots: 1 });
  });

  it("404 model_not_found for a model the host does not list", async () => {
    hosts({ models: ["qwen3"] });
    const { status, body } = await context("sam-desktop/nope");
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: { code: "model_not_found" } });
  });
});

describe("the user Durable Object", () => {
  it("creates its schema with a version table, and rows come back checked", async () => {
    const stub = env.USER_STATE.get(env.USER_STATE.idFromName(`schema-${crypto.randomUUID()}`));
    const version = await runInDurableObject(
      stub,
      (_instance: UserState, state) => state.storage.sql.exec("SELECT MAX(version) AS v FROM schema_version").one().v,
    );
    expect(version).toBe(SCHEMA_VERSION);
    const tables = await runInDurableObject(stub, (_i: UserState, state) =>
      state.storage.sql
        .exec("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .toArray()
        .map((r) => r.name),
    );
    expect(tables).toEqual(expect.arrayContaining(["favorites", "model_context", "schema_version"]));
    const favorites = await runInDurableObject(stub, (instance: UserState) => instance.setFavorites(["a/b", "c/d"]));
    expect(favorites).toEqual(["a/b", "c/d"]);
  });
});
