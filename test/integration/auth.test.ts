import { describe, expect, it } from "vitest";
import { revokeKey, verifyKey } from "../../src/auth/api-keys.ts";
import { llamaSwapDouble } from "../doubles/llama-swap.ts";
import { useOutbound } from "../doubles/outbound.ts";
import { adminToken, call, countingKvReads, dumpResponse, expectNoSecrets, putRegistry, testEnv, userKey } from "../helpers/worker.ts";

const outbound = useOutbound();

const unauthorizedBody = {
  error: {
    message: "Missing or invalid API key. Send it as 'Authorization: Bearer <key>'.",
    type: "authentication_error",
    param: null,
    code: "invalid_api_key",
  },
};

describe("API keys on user routes", () => {
  it("a missing, malformed, unknown or revoked key gets the same 401", async () => {
    const key = await userKey("alice");
    const keyId = key.split("_")[1] as string;
    await revokeKey(testEnv, keyId);
    const unknown = `le_${"0".repeat(12)}_${"A".repeat(43)}`;
    const variants: Record<string, string>[] = [
      {},
      { authorization: "Bearer" },
      { authorization: "Basic abc" },
      { authorization: `Bearer ${unknown}` },
      { authorization: `Bearer ${key}` },
      { authorization: `Bearer ${adminToken}` },
    ];
    for (const headers of variants) {
      const res = await call("/api/settings", { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(unauthorizedBody);
    }
  });

  it("a 401 says x-should-retry: false, so Claude Code and the SDKs fail at once instead of retrying a wrong key", async () => {
    const routes: [string, RequestInit & { json?: unknown }][] = [
      ["/api/settings", {}],
      ["/v1/chat/completions", { json: { model: "sam-desktop/qwen3", messages: [] } }],
      ["/v1/messages?beta=true", { json: { model: "sam-desktop/qwen3", max_tokens: 1, messages: [] } }],
    ];
    for (const [path, init] of routes) {
      const res = await call(path, { ...init, headers: { authorization: "Bearer le_wrong", "anthropic-version": "2023-06-01" } });
      expect(res.status).toBe(401);
      expect(res.headers.get("x-should-retry")).toBe("false");
      await res.body?.cancel();
    }
    expect((await call("/admin/nothing", { headers: { authorization: "Bearer wrong" } })).headers.get("x-should-retry")).toBe("false");
  });

  it("a valid key passes authentication", async () => {
    const key = await userKey("bob");
    const res = await call("/v1/does-not-exist", { key });
    expect(res.status).toBe(404);
    const text = await dumpResponse(res);
    expectNoSecrets(text);
    expect(text).not.toContain(key);
  });

  it("the admin API refuses user keys and accepts the admin token", async () => {
    const key = await userKey("carol");
    expect((await call("/admin/nothing", { key })).status).toBe(401);
    expect((await call("/admin/nothing", { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(404);
  });
});

describe("x-api-key, as Anthropic's SDKs send the key", () => {
  it("is accepted wherever Authorization: Bearer is", async () => {
    const key = await userKey("dora");
    expect((await call("/v1/does-not-exist", { headers: { "x-api-key": key } })).status).toBe(404);
    const settings = await call("/api/settings", { headers: { "x-api-key": key } });
    expect(settings.status).toBe(200);
    expect(await settings.json()).toEqual({ favorite_models: [] });
  });

  it("a missing, malformed, unknown, revoked or admin key in x-api-key gets the same 401", async () => {
    const revoked = await userKey("erin");
    await revokeKey(testEnv, revoked.split("_")[1] as string);
    for (const value of ["", " ", `le_${"0".repeat(12)}_${"A".repeat(43)}`, revoked, adminToken, `Bearer ${await userKey("erin")}`]) {
      const res = await call("/api/settings", { headers: { "x-api-key": value } });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(unauthorizedBody);
    }
  });

  it("when Authorization is sent it alone counts: a bad one is not rescued by a good x-api-key", async () => {
    const key = await userKey("frank");
    const bad = await call("/api/settings", { headers: { authorization: "Bearer nope", "x-api-key": key } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual(unauthorizedBody);
    expect((await call("/api/settings", { key, headers: { "x-api-key": "garbage" } })).status).toBe(200);
  });

  it("the admin API does not take x-api-key, not even with the admin token", async () => {
    expect((await call("/admin/nothing", { headers: { "x-api-key": adminToken } })).status).toBe(401);
  });

  it("the key in x-api-key never reaches a host", async () => {
    await putRegistry({ providers: [{ id: "sam-desktop", label: "Sam", kind: "llama-swap", baseUrl: "https://sam.example.net" }] });
    const host = llamaSwapDouble({ name: "sam", models: ["qwen3"] });
    outbound().route("https://sam.example.net", host.handle);
    const key = await userKey("gina");
    const res = await call("/v1/chat/completions", {
      headers: { "x-api-key": key },
      json: { model: "sam-desktop/qwen3", messages: [{ role: "user", content: "hi" }] },
    });
    expect(res.status).toBe(200);
    expect(host.requests).toHaveLength(1);
    expect(host.requests[0]?.headers["x-api-key"]).toBeUndefined();
    expect(host.requests[0]?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(host.requests)).not.toContain(key);
  });
});

describe("a verified key past its first second", () => {
  const user = (key: string) => key.split("_")[1] as string;

  it("is used while KV is read again in the background; once the read finds it revoked, it is refused", async () => {
    const key = await userKey("frank");
    const t0 = Date.now();
    expect(await verifyKey(testEnv, key, "client", t0)).toMatchObject({ userId: "frank" });
    // Deleted in KV behind this isolate's back (as `keys revoke --remote` does from another machine).
    await testEnv.CONFIG.delete(`apikey:${user(key)}`);
    expect(await verifyKey(testEnv, key, "client", t0 + 500)).toMatchObject({ userId: "frank" });
    const background: Promise<unknown>[] = [];
    expect(await verifyKey(testEnv, key, "client", t0 + 2_000, (work) => background.push(work))).toMatchObject({ userId: "frank" });
    // Concurrent requests do not start a second read.
    await verifyKey(testEnv, key, "client", t0 + 2_001, (work) => background.push(work));
    expect(background).toHaveLength(1);
    await Promise.all(background);
    expect(await verifyKey(testEnv, key, "client", t0 + 2_100, (work) => background.push(work))).toBeUndefined();
  });

  it("is read again only after the request that found it stale has gone on with its own work", async () => {
    const key = await userKey("ivan");
    const t0 = Date.now();
    await verifyKey(testEnv, key, "client", t0);
    const counted = countingKvReads();
    const background: Promise<unknown>[] = [];
    expect(await verifyKey(counted.env, key, "client", t0 + 2_000, (work) => background.push(work))).toMatchObject({ userId: "ivan" });
    // The request's next step (a timer that is due at once, as its host's answer would be) runs before any KV read.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(counted.reads()).toBe(0);
    await Promise.all(background);
    expect(counted.reads()).toBe(1);
  });

  it("waits for KV when it is older than a minute, or when the request cannot wait for background work", async () => {
    const key = await userKey("grace");
    const t0 = Date.now();
    await verifyKey(testEnv, key, "client", t0);
    await testEnv.CONFIG.delete(`apikey:${user(key)}`);
    expect(await verifyKey(testEnv, key, "client", t0 + 2_000)).toBeUndefined();
    const other = await userKey("heidi");
    await verifyKey(testEnv, other, "client", t0);
    await testEnv.CONFIG.delete(`apikey:${user(other)}`);
    const background: Promise<unknown>[] = [];
    expect(await verifyKey(testEnv, other, "client", t0 + 61_000, (work) => background.push(work))).toBeUndefined();
    expect(background).toHaveLength(0);
  });
});
