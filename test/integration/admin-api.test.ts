import { beforeEach, describe, expect, it } from "vitest";
import { llamaSwapDouble } from "../doubles/llama-swap.ts";
import { useOutbound } from "../doubles/outbound.ts";
import { adminToken, call, dumpResponse, expectNoSecrets, putRegistry } from "../helpers/worker.ts";

const outbound = useOutbound();
const admin = { authorization: `Bearer ${adminToken}` };

describe("the admin API", () => {
  beforeEach(() =>
    putRegistry({
      providers: [
        { id: "sam", label: "Sam", kind: "llama-swap", baseUrl: "https://sam.admin.example.net", auth: { type: "access", clientIdSecret: "SAM_ACCESS_ID", clientSecretSecret: "SAM_ACCESS_SECRET" } },
        { id: "old", label: "Old", kind: "llama-swap", baseUrl: "https://old.admin.example.net" },
        { id: "dead", label: "Dead", kind: "llama-swap", baseUrl: "https://dead.admin.example.net" },
        { id: "off", label: "Off", kind: "openai", baseUrl: "https://off.admin.example.net", enabled: false },
      ],
    }),
  );

  it("reports per provider: reachable, latency, loaded models; without loading anything", async () => {
    const sam = llamaSwapDouble({ models: [{ id: "qwen3", status: "loaded" }, "gemma3"] });
    const old = llamaSwapDouble({ models: [{ id: "llama3", status: "loaded" }, "phi4"], generation: "v217" });
    outbound().route("https://sam.admin.example.net", sam.handle);
    outbound().route("https://old.admin.example.net", old.handle);
    outbound().route("https://dead.admin.example.net", () => Promise.reject(new TypeError("connection refused")));
    const res = await call("/admin/health", { headers: admin });
    expect(res.status).toBe(200);
    const { providers } = (await res.json()) as { providers: Record<string, unknown>[] };
    expect(providers).toMatchObject([
      { id: "sam", reachable: true, models: 2, loaded: ["qwen3"], latency_ms: expect.any(Number) },
      { id: "old", reachable: true, models: 2, loaded: ["llama3"] },
      { id: "dead", reachable: false, loaded: [] },
      { id: "off", enabled: false, reachable: null },
    ]);
    for (const double of [sam, old]) expect(double.requests.some((r) => r.path.includes("props") || r.path.startsWith("/upstream"))).toBe(false);
  });

  it("creates a key once, lists keys without keys or hashes, revokes by id", async () => {
    const created = await call("/admin/keys", { method: "POST", headers: admin, json: { user: "erin", label: "phone" } });
    expect(created.status).toBe(201);
    const { key, keyId } = (await created.json()) as { key: string; keyId: string };
    expect((await call("/api/settings", { key })).status).toBe(200);

    const listed = await call("/admin/keys", { headers: admin });
    const text = await dumpResponse(listed);
    expect(text).toContain(keyId);
    expect(text).not.toContain(key);
    expect(text).not.toContain("hash");
    expectNoSecrets(text);

    expect((await call(`/admin/keys/${keyId}`, { method: "DELETE", headers: admin })).status).toBe(200);
    expect((await call("/api/settings", { key })).status).toBe(401);
    expect((await call(`/admin/keys/${keyId}`, { method: "DELETE", headers: admin })).status).toBe(404);
  });

  it("refuses a bad key request with 400 in OpenAI's shape", async () => {
    const res = await call("/admin/keys", { method: "POST", headers: admin, json: { user: "has space" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: "invalid_request_error", param: "user" } });
  });
});
