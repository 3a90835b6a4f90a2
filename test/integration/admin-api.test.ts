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
        {
          id: "sam",
          label: "Sam",
          kind: "llama-swap",
          baseUrl: "https://sam.admin.example.net",
          auth: { type: "access", clientIdSecret: "SAM_ACCESS_ID", clientSecretSecret: "SAM_ACCESS_SECRET" },
        },
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
      { id: "sam", reachable: true, reason: "ok", models: 2, loaded: ["qwen3"], latency_ms: expect.any(Number) },
      { id: "old", reachable: true, reason: "ok", models: 2, loaded: ["llama3"] },
      { id: "dead", reachable: false, reason: "unreachable", message: expect.stringContaining("connection"), loaded: [] },
      { id: "off", enabled: false, reachable: null, reason: "disabled" },
    ]);
    for (const double of [sam, old])
      expect(double.requests.some((r) => r.path.includes("props") || r.path.startsWith("/upstream"))).toBe(false);
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

  it("says why a provider is unreachable: secret not set, tunnel down, Access refusal, a /v1 too many", async () => {
    await putRegistry({
      providers: [
        {
          id: "keyless",
          label: "Keyless",
          kind: "llama-swap",
          baseUrl: "https://keyless.admin.example.net",
          auth: { type: "bearer", secret: "NOT_SET_KEY" },
        },
        { id: "tunnel", label: "Tunnel", kind: "llama-swap", baseUrl: "https://tunnel.admin.example.net" },
        { id: "access", label: "Access", kind: "llama-swap", baseUrl: "https://access.admin.example.net" },
        { id: "doubled", label: "Doubled", kind: "llama-swap", baseUrl: "https://doubled.admin.example.net/v1" },
        { id: "locked", label: "Locked", kind: "llama-swap", baseUrl: "https://locked.admin.example.net" },
      ],
    });
    outbound().route(
      "https://tunnel.admin.example.net",
      () => new Response("<html>error code: 1033</html>", { status: 530, headers: { server: "cloudflare" } }),
    );
    outbound().route(
      "https://access.admin.example.net",
      () => new Response(null, { status: 302, headers: { location: "https://team.cloudflareaccess.com/login" } }),
    );
    outbound().route("https://doubled.admin.example.net", llamaSwapDouble().handle);
    outbound().route("https://locked.admin.example.net", llamaSwapDouble({ apiKey: "the-host-key" }).handle);
    const res = await call("/admin/health", { headers: admin });
    const text = await res.text();
    expectNoSecrets(text);
    const { providers } = JSON.parse(text) as { providers: { id: string; reason: string; message?: string; fix?: string }[] };
    const byId = Object.fromEntries(providers.map((p) => [p.id, p]));
    expect(byId.keyless).toMatchObject({
      reason: "secret_missing",
      message: expect.stringContaining("NOT_SET_KEY"),
      fix: expect.stringContaining("secrets set NOT_SET_KEY"),
    });
    expect(byId.tunnel).toMatchObject({ reason: "tunnel_down" });
    expect(byId.access).toMatchObject({ reason: "access_refused" });
    expect(byId.doubled).toMatchObject({ reason: "double_v1", fix: expect.stringContaining("/v1") });
    expect(byId.locked).toMatchObject({ reason: "host_refused_key" });
    // The keyless host was never called: its secret is checked first.
    expect(outbound().requests.some((r) => r.url.includes("keyless"))).toBe(false);
  });

  it("doctor: generation, status field and props, asking /props only of a model /running shows loaded", async () => {
    await putRegistry({
      providers: [
        { id: "cur", label: "Current", kind: "llama-swap", baseUrl: "https://cur.admin.example.net" },
        { id: "mid", label: "Mid", kind: "llama-swap", baseUrl: "https://mid.admin.example.net" },
        {
          id: "old",
          label: "Old",
          kind: "llama-swap",
          baseUrl: "http://192.168.1.5:8080",
          auth: { type: "access", clientIdSecret: "SAM_ACCESS_ID", clientSecretSecret: "SAM_ACCESS_SECRET" },
        },
      ],
    });
    const cur = llamaSwapDouble({ models: [{ id: "qwen3", status: "loaded" }, "gemma3"] });
    const mid = llamaSwapDouble({ models: ["phi4"], generation: "v250" });
    const old = llamaSwapDouble({ models: [{ id: "llama3", status: "loaded" }, "mistral"], generation: "v217" });
    outbound().route("https://cur.admin.example.net", cur.handle);
    outbound().route("https://mid.admin.example.net", mid.handle);
    outbound().route("http://192.168.1.5:8080", old.handle);
    const res = await call("/admin/doctor", { headers: admin });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; providers: Record<string, unknown>[] };
    expect(body.ok).toBe(true);
    expect(body.providers).toMatchObject([
      { id: "cur", ok: true, generation: "main", lists_status: true, props: "readable", loaded: ["qwen3"], latency_ms: expect.any(Number) },
      { id: "mid", ok: true, generation: "v250", lists_status: true, props: "unknown", loaded: [] },
      { id: "old", ok: true, generation: "v217", lists_status: false, loaded: ["llama3"], warnings: [{ code: "plain_http" }] },
    ]);
    // Nothing was loaded: props was asked only for the loaded model, never for an unloaded one.
    for (const double of [cur, mid, old]) {
      const asked = double.requests.filter((r) => r.path === "/props").map((r) => r.search);
      expect(asked.every((s) => s === "?model=qwen3" || s === "?model=llama3")).toBe(true);
    }
    expect(cur.models.get("gemma3")?.status).toBe("unloaded");
    expect(mid.models.get("phi4")?.status).toBe("unloaded");
    expect(old.models.get("mistral")?.status).toBe("unloaded");
  });

  it("doctor reports a problem with ok:false and warns about a baseUrl that is the router itself", async () => {
    await putRegistry({
      providers: [
        { id: "dead", label: "Dead", kind: "llama-swap", baseUrl: "https://dead.admin.example.net" },
        { id: "self", label: "Self", kind: "openai", baseUrl: "https://router.test", models: ["x"] },
      ],
    });
    outbound().route("https://dead.admin.example.net", () => Promise.reject(new TypeError("getaddrinfo ENOTFOUND")));
    const body = (await (await call("/admin/doctor", { headers: admin })).json()) as { ok: boolean; providers: Record<string, unknown>[] };
    expect(body.ok).toBe(false);
    expect(body.providers).toMatchObject([
      { id: "dead", ok: false, reason: "unreachable", fix: expect.any(String) },
      { id: "self", ok: true, warnings: [{ code: "own_origin" }] },
    ]);
  });

  it("the registry GET /admin/providers answers can be PUT back unchanged", async () => {
    const got = await call("/admin/providers", { headers: admin });
    const document = (await got.json()) as Record<string, unknown>;
    expect(document.source).toBe("kv");
    const put = await call("/admin/providers", { method: "PUT", headers: admin, json: document });
    expect(put.status, await put.clone().text()).toBe(200);
    const again = (await (await call("/admin/providers", { headers: admin })).json()) as Record<string, unknown>;
    expect(again).toEqual(document);
  });
});
