import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env.ts";
import app from "../../src/index.ts";
import { call, testEnv, userKey } from "../helpers/worker.ts";

// The real app with a changed environment: the settings a deployment would have.
const withEnv = (vars: Partial<Env>) => (path: string, init: RequestInit = {}) =>
  app.fetch(new Request(`http://router.test${path}`, init), { ...testEnv, ...vars } as Env, createExecutionContext());

describe("CORS", () => {
  const preflight = { method: "OPTIONS", headers: { origin: "https://chat.example.com", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } };

  it("is off by default: a preflight gets no CORS headers", async () => {
    const res = await call("/v1/chat/completions", preflight);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers a preflight from an allowed origin with that origin, never '*' and never credentials", async () => {
    const res = await withEnv({ CORS_ORIGINS: "https://chat.example.com, https://other.example.com" })("/v1/chat/completions", preflight);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://chat.example.com");
    expect(res.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("refuses origins not on the list, and ignores a '*' entry", async () => {
    const res = await withEnv({ CORS_ORIGINS: "*, https://chat.example.com" })("/v1/models", { ...preflight, headers: { ...preflight.headers, origin: "https://evil.example.net" } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("adds the origin to real responses, errors included", async () => {
    const res = await withEnv({ CORS_ORIGINS: "https://chat.example.com" })("/v1/models", { headers: { origin: "https://chat.example.com" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://chat.example.com");
    expect(res.headers.get("access-control-expose-headers")).toContain("x-request-id");
  });
});

describe("the per-key rate limit", () => {
  it("answers 429 in OpenAI's shape with Retry-After when the limiter says no", async () => {
    const key = await userKey("dave");
    const seen: string[] = [];
    const limiter = { limit: async ({ key: k }: { key: string }) => (seen.push(k), { success: false }) };
    const res = await withEnv({ RATE_LIMITER: limiter as unknown as RateLimit })("/api/settings", { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("60");
    expect(await res.json()).toMatchObject({ error: { type: "rate_limit_error", code: "rate_limit_exceeded" } });
    expect(seen).toEqual([key.split("_")[1]]);
  });
});
