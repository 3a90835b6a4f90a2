import { beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/env.ts";
import { forgetRegistry, loadRegistry } from "../../src/registry/loader.ts";
import { adminToken, call, clearRegistry, countingKvReads, putRegistry, testEnv } from "../helpers/worker.ts";

const legacyEnv = (vars: Partial<Env>): Env => ({ ...testEnv, ...vars }) as Env;

describe("loading the provider registry", () => {
  beforeEach(clearRegistry);

  it("reads and validates the registry from KV", async () => {
    await putRegistry({
      defaultProvider: "garage",
      providers: [{ id: "garage", label: "Garage", kind: "llama-swap", baseUrl: "https://garage.example.net" }],
    });
    const registry = await loadRegistry(testEnv);
    expect(registry.source).toBe("kv");
    expect(registry.defaultProvider).toBe("garage");
    expect(registry.get("garage")?.baseUrl).toBe("https://garage.example.net");
  });

  it("falls back to LLAMA_SWAP_URL / LLAMA_SIDECAR_URL when KV holds no registry", async () => {
    const registry = await loadRegistry(
      legacyEnv({ LLAMA_SWAP_URL: "https://legacy.example.net", LLAMA_SIDECAR_URL: "https://side.example.net" }),
    );
    expect(registry.source).toBe("legacy");
    expect(registry.defaultProvider).toBe("llama-swap");
    expect(registry.providers).toMatchObject([
      { id: "llama-swap", kind: "llama-swap", baseUrl: "https://legacy.example.net", sidecarUrl: "https://side.example.net" },
    ]);
  });

  it("has no providers when neither a registry nor the legacy settings exist", async () => {
    const registry = await loadRegistry(testEnv);
    expect(registry.source).toBe("empty");
    expect(registry.providers).toEqual([]);
  });

  it("a registry in KV that fails validation is a clear error naming the field, not a fallback", async () => {
    await putRegistry({ providers: [{ id: "garage", label: "Garage", kind: "llama-swap", baseUrl: "http://garage.example.net" }] });
    await expect(loadRegistry(legacyEnv({ LLAMA_SWAP_URL: "https://legacy.example.net" }))).rejects.toThrow(
      /providers\[0\]\.baseUrl: must use https/,
    );
    forgetRegistry();
    const res = await call("/admin/providers", { headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("configuration_error");
    expect(body.error.message).toContain("providers[0].baseUrl");
  });

  it("a registry that is not JSON is a clear error too", async () => {
    await putRegistry("{not json");
    await expect(loadRegistry(testEnv)).rejects.toThrow(/not valid JSON/);
  });
});

describe("the registry through the admin API", () => {
  beforeEach(clearRegistry);
  const admin = { authorization: `Bearer ${adminToken}` };

  it("PUT validates with the same schema and reports field paths", async () => {
    const res = await call("/admin/providers", {
      method: "PUT",
      headers: admin,
      json: { providers: [{ id: "Bad Id", label: "x", kind: "llama-swap", baseUrl: "https://x.example.net" }] },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toContain("providers[0].id");
  });

  it("PUT then GET round-trips the registry", async () => {
    const doc = {
      defaultProvider: "garage",
      providers: [{ id: "garage", label: "Garage", kind: "llama-swap", baseUrl: "https://garage.example.net" }],
    };
    expect((await call("/admin/providers", { method: "PUT", headers: admin, json: doc })).status).toBe(200);
    const got = (await (await call("/admin/providers", { headers: admin })).json()) as { source: string; providers: { id: string }[] };
    expect(got.source).toBe("kv");
    expect(got.providers.map((p) => p.id)).toEqual(["garage"]);
  });
});

describe("a registry past its ten seconds", () => {
  beforeEach(clearRegistry);
  const doc = (baseUrl: string) => ({ providers: [{ id: "garage", label: "Garage", kind: "llama-swap" as const, baseUrl }] });

  it("is used once more while KV is read in the background; the next request sees the new one", async () => {
    await putRegistry(doc("https://old.example.net"));
    const t0 = Date.now();
    expect((await loadRegistry(testEnv, t0)).get("garage")?.baseUrl).toBe("https://old.example.net");
    await testEnv.CONFIG.put("registry", JSON.stringify(doc("https://new.example.net")));
    const background: Promise<unknown>[] = [];
    const stale = await loadRegistry(testEnv, t0 + 11_000, (work) => background.push(work));
    expect(stale.get("garage")?.baseUrl).toBe("https://old.example.net");
    expect(background).toHaveLength(1);
    await Promise.all(background);
    expect((await loadRegistry(testEnv, Date.now())).get("garage")?.baseUrl).toBe("https://new.example.net");
  });

  it("is read again only after the request that found it stale has gone on with its own work", async () => {
    await putRegistry(doc("https://old.example.net"));
    const t0 = Date.now();
    await loadRegistry(testEnv, t0);
    const counted = countingKvReads();
    const background: Promise<unknown>[] = [];
    await loadRegistry(counted.env, t0 + 11_000, (work) => background.push(work));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(counted.reads()).toBe(0);
    await Promise.all(background);
    expect(counted.reads()).toBe(1);
  });

  it("is not used after a minute: the request waits for KV", async () => {
    await putRegistry(doc("https://old.example.net"));
    const t0 = Date.now();
    await loadRegistry(testEnv, t0);
    await testEnv.CONFIG.put("registry", JSON.stringify(doc("https://new.example.net")));
    const background: Promise<unknown>[] = [];
    const late = await loadRegistry(testEnv, t0 + 61_000, (work) => background.push(work));
    expect(late.get("garage")?.baseUrl).toBe("https://new.example.net");
    expect(background).toHaveLength(0);
  });
});
