import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { forgetProviderLists } from "../../src/catalog/provider-lists.ts";
import type { Catalog } from "../../src/catalog/types.ts";
import { buildPicker } from "../../src/users/picker.ts";
import type { UserState } from "../../src/users/user-state.ts";
import { llamaSwapDouble } from "../doubles/llama-swap.ts";
import { useOutbound } from "../doubles/outbound.ts";
import { call, putRegistry, userKey } from "../helpers/worker.ts";

const outbound = useOutbound();
let alice = "";
let aliceId = "";
let bob = "";

const settings = async (key: string) => (await (await call("/api/settings", { key })).json()) as { favorite_models: string[] };
const patch = (key: string, json: unknown) => call("/api/settings", { key, method: "PATCH", json });

beforeEach(async () => {
  forgetProviderLists();
  await putRegistry({
    defaultProvider: "sam-desktop",
    providers: [
      { id: "sam-desktop", label: "Sam", kind: "llama-swap", baseUrl: "https://sam.fav.example.net" },
      { id: "garage", label: "Garage", kind: "llama-swap", baseUrl: "https://garage.fav.example.net" },
    ],
  });
  aliceId = `alice-${crypto.randomUUID()}`;
  alice = await userKey(aliceId);
  bob = await userKey(`bob-${crypto.randomUUID()}`);
});

describe("favorites: GET and PATCH /api/settings", () => {
  it("starts empty and replaces the list on PATCH, normalized", async () => {
    expect(await settings(alice)).toEqual({ favorite_models: [] });
    const res = await patch(alice, {
      favorite_models: ["  garage/qwen3  ", "qwen3-32b", "Qwen/Qwen3-8B-GGUF", "garage/qwen3", "offline-box/llama3:8b"],
    });
    expect(res.status).toBe(200);
    const expected = ["garage/qwen3", "sam-desktop/qwen3-32b", "sam-desktop/Qwen/Qwen3-8B-GGUF", "offline-box/llama3:8b"];
    expect(await res.json()).toEqual({ favorite_models: expected });
    expect(await settings(alice)).toEqual({ favorite_models: expected });
  });

  it("a PATCH without favorite_models leaves the list alone; unknown fields get 400", async () => {
    await patch(alice, { favorite_models: ["garage/qwen3"] });
    expect((await patch(alice, {})).status).toBe(200);
    const bad = await patch(alice, { favourites: [] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { type: "invalid_request_error" } });
    expect(await settings(alice)).toEqual({ favorite_models: ["garage/qwen3"] });
  });

  it("refuses malformed ids naming each bad entry, and changes nothing", async () => {
    await patch(alice, { favorite_models: ["garage/qwen3"] });
    const res = await patch(alice, { favorite_models: ["ok/model", "", 42, "sam-desktop/../x", "a b"] });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string; param: string } };
    expect(error.param).toBe("favorite_models");
    for (const index of [1, 2, 3, 4]) expect(error.message).toContain(`favorite_models[${index}]`);
    expect(error.message).not.toContain("favorite_models[0]");
    expect(await settings(alice)).toEqual({ favorite_models: ["garage/qwen3"] });
  });

  it("refuses more than 200 entries and changes nothing", async () => {
    await patch(alice, { favorite_models: ["garage/qwen3"] });
    const many = Array.from({ length: 201 }, (_, i) => `garage/m${i}`);
    expect((await patch(alice, { favorite_models: many })).status).toBe(400);
    expect(await settings(alice)).toEqual({ favorite_models: ["garage/qwen3"] });
    expect((await patch(alice, { favorite_models: many.slice(0, 200) })).status).toBe(200);
  });

  it("keeps users apart: neither can read or change the other's favorites", async () => {
    await patch(alice, { favorite_models: ["garage/alice-model"] });
    await patch(bob, { favorite_models: ["garage/bob-model"] });
    expect(await settings(alice)).toEqual({ favorite_models: ["garage/alice-model"] });
    expect(await settings(bob)).toEqual({ favorite_models: ["garage/bob-model"] });
  });
});

describe("hide, never delete: the picker", () => {
  it("shows available favorites first, keeps them in their provider section, hides unavailable ones without deleting them", async () => {
    const sam = llamaSwapDouble({ models: [{ id: "qwen3-32b", status: "loaded", context_length: 32768 }, "gemma3"] });
    let garageUp = true;
    const garage = llamaSwapDouble({ models: ["qwen3-32b"] });
    outbound().route("https://sam.fav.example.net", sam.handle);
    outbound().route("https://garage.fav.example.net", (r) =>
      garageUp ? garage.handle(r) : Promise.reject(new TypeError("connection refused")),
    );

    const favorites = ["garage/qwen3-32b", "sam-desktop/qwen3-32b", "sam-desktop/gone-model", "retired-box/x"];
    await patch(alice, { favorite_models: favorites });
    garageUp = false;
    forgetProviderLists();

    const res = await call("/api/picker", { key: alice });
    expect(res.status).toBe(200);
    const picker = (await res.json()) as {
      sections: {
        kind: string;
        provider?: { id: string; status: string };
        models: { id: string; status: string; favorite: boolean; context_length?: number }[];
      }[];
    };
    expect(picker.sections.map((s) => s.kind)).toEqual(["favorites", "provider", "provider"]);
    expect(picker.sections[0]?.models).toEqual([
      {
        id: "sam-desktop/qwen3-32b",
        name: "qwen3-32b",
        provider: "sam-desktop",
        status: "loaded",
        favorite: true,
        context_length: 32768,
        chat: true,
      },
    ]);
    expect(picker.sections[1]).toMatchObject({ provider: { id: "sam-desktop", label: "Sam", status: "ok" } });
    expect(picker.sections[1]?.models.map((m) => [m.id, m.favorite])).toEqual([
      ["sam-desktop/gemma3", false],
      ["sam-desktop/qwen3-32b", true],
    ]);
    expect(picker.sections[2]).toMatchObject({ provider: { id: "garage", status: "unavailable" } });

    // Still stored, through GETs and unrelated writes.
    expect(await settings(alice)).toEqual({ favorite_models: favorites });
    await patch(alice, {});
    await call("/api/picker", { key: alice });
    expect(await settings(alice)).toEqual({ favorite_models: favorites });
    // Only an explicit PATCH that leaves one out removes it.
    await patch(alice, { favorite_models: favorites.filter((f) => f !== "retired-box/x") });
    expect((await settings(alice)).favorite_models).not.toContain("retired-box/x");
  });

  it("the catalog carries no per-user data", async () => {
    outbound().route("https://sam.fav.example.net", llamaSwapDouble({ models: ["qwen3"] }).handle);
    outbound().route("https://garage.fav.example.net", llamaSwapDouble({ models: [] }).handle);
    await patch(alice, { favorite_models: ["sam-desktop/qwen3"] });
    const forAlice = await (await call("/v1/models", { key: alice })).text();
    const forBob = await (await call("/v1/models", { key: bob })).text();
    expect(forAlice).toBe(forBob);
    expect(forAlice).not.toContain("favorite");
  });
});

describe("the picker's model records", () => {
  const catalogOf = (models: { id: string; context_length?: number; capabilities?: string[] }[]): Catalog => ({
    providers: [{ id: "sam-desktop", label: "Sam", status: "ok" }],
    degraded: [],
    models: models.map((m) => ({
      object: "model",
      created: 0,
      owned_by: "sam-desktop",
      name: m.id,
      provider: { id: "sam-desktop", label: "Sam" },
      status: "loaded",
      ...m,
      id: `sam-desktop/${m.id}`,
    })),
  });

  it("marks models whose capabilities are embedding, rerank, audio or image only as not for chat", () => {
    const picker = buildPicker(
      catalogOf([
        { id: "plain" },
        { id: "vl", capabilities: ["vision"] },
        { id: "tools", capabilities: ["function_calling"] },
        { id: "nomic", capabilities: ["embedding"] },
        { id: "bge", capabilities: ["reranker"] },
        { id: "whisper", capabilities: ["audio_transcriptions"] },
        { id: "kokoro", capabilities: ["audio_speech"] },
        { id: "sd", capabilities: ["image_generation", "image_to_image"] },
      ]),
      [],
    );
    const models = picker.sections[1]!.models;
    expect(Object.fromEntries(models.map((m) => [m.name, m.chat]))).toEqual({
      plain: true,
      vl: true,
      tools: true,
      nomic: false,
      bge: false,
      whisper: false,
      kokoro: false,
      sd: false,
    });
    expect(models.find((m) => m.name === "nomic")).toMatchObject({ provider: "sam-desktop", capabilities: ["embedding"] });
    expect(models.find((m) => m.name === "plain")).not.toHaveProperty("capabilities");
  });

  it("shows context lengths from the user's context cache where the host's list has none", async () => {
    outbound().route(
      "https://sam.fav.example.net",
      llamaSwapDouble({ models: [{ id: "listed", context_length: 32768 }, "cached", "unknown"] }).handle,
    );
    outbound().route("https://garage.fav.example.net", llamaSwapDouble({ models: ["cached"] }).handle);
    const stub = env.USER_STATE.get(env.USER_STATE.idFromName(aliceId)) as DurableObjectStub<UserState>;
    await stub.putContext({ composite_id: "sam-desktop/cached", context_length: 8192, slots: 1, source: "props", fetched_at: Date.now() });
    // Another user's cache and a stale entry are not used.
    const bobStub = env.USER_STATE.get(env.USER_STATE.idFromName("someone-else")) as DurableObjectStub<UserState>;
    await bobStub.putContext({
      composite_id: "sam-desktop/unknown",
      context_length: 4096,
      slots: 1,
      source: "props",
      fetched_at: Date.now(),
    });
    await stub.putContext({ composite_id: "sam-desktop/listed", context_length: 1024, slots: 1, source: "props", fetched_at: Date.now() });
    await stub.putContext({ composite_id: "garage/cached", context_length: 2048, slots: 1, source: "props", fetched_at: 1 });

    const picker = (await (await call("/api/picker", { key: alice })).json()) as {
      sections: { models: { id: string; context_length?: number }[] }[];
    };
    const contexts = Object.fromEntries(picker.sections.flatMap((s) => s.models).map((m) => [m.id, m.context_length ?? null]));
    expect(contexts).toEqual({
      "sam-desktop/listed": 32768,
      "sam-desktop/cached": 8192,
      "sam-desktop/unknown": null,
      "garage/cached": null,
    });
  });
});
