import { createExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env.ts";
import app from "../../src/index.ts";
import { MAX_LEASE, MIN_LEASE, resetRateLimits } from "../../src/http/rate-limit.ts";
import { call, testEnv, userKey } from "../helpers/worker.ts";

// The real app with a changed environment: the settings a deployment would have.
const withEnv =
  (vars: Partial<Env>) =>
  (path: string, init: RequestInit = {}) =>
    app.fetch(new Request(`http://router.test${path}`, init), { ...testEnv, ...vars } as Env, createExecutionContext());

describe("CORS", () => {
  const preflight = {
    method: "OPTIONS",
    headers: {
      origin: "https://chat.example.com",
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type",
    },
  };

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
    const res = await withEnv({ CORS_ORIGINS: "*, https://chat.example.com" })("/v1/models", {
      ...preflight,
      headers: { ...preflight.headers, origin: "https://evil.example.net" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("adds the origin to real responses, errors included", async () => {
    const res = await withEnv({ CORS_ORIGINS: "https://chat.example.com" })("/v1/models", {
      headers: { origin: "https://chat.example.com" },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://chat.example.com");
    expect(res.headers.get("access-control-expose-headers")).toContain("x-request-id");
  });
});

describe("the per-key rate limit", () => {
  it("answers 429 in OpenAI's shape with Retry-After when the limiter says no", async () => {
    const key = await userKey("dave");
    const seen: RateLimitOptions[] = [];
    const limiter = { limit: async (options: RateLimitOptions) => (seen.push(options), { success: false }) };
    const res = await withEnv({ RATE_LIMITER: limiter as unknown as RateLimit })("/api/settings", {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("60");
    expect(await res.json()).toMatchObject({ error: { type: "rate_limit_error", code: "rate_limit_exceeded" } });
    expect(seen).toEqual([{ key: key.split("_")[1], delta: MIN_LEASE }]);
  });

  afterEach(() => void vi.restoreAllMocks());

  /** A limiter that says yes `allowed` times, then no; it keeps the `delta` of every call. */
  const limiterAllowing = (allowed: number) => {
    const state = { calls: 0, allowed, deltas: [] as number[] };
    const limiter = {
      limit: async ({ delta }: RateLimitOptions) => (state.deltas.push(delta ?? 1), { success: ++state.calls <= state.allowed }),
    };
    return { state, call: withEnv({ RATE_LIMITER: limiter as unknown as RateLimit }) };
  };
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  // Behind authentication and the limit, but no route: the cheapest request the limit applies to.
  const PATH = "/v1/no-such-route";

  it("a flood takes leases of MAX_LEASE requests, is admitted only what the binding granted, then gets 429", async () => {
    const key = await userKey("erin");
    const { state, call } = limiterAllowing(3);
    // All at one instant: the rate the leases are sized by is as high as it gets.
    vi.spyOn(Date, "now").mockReturnValue(Date.now());
    const statuses: number[] = [];
    for (let i = 0; i < MIN_LEASE + 2 * MAX_LEASE + 5; i++)
      statuses.push((await call(PATH, { headers: { authorization: `Bearer ${key}` } })).status);
    // The first lease is the smallest; the next ones are the largest.
    expect(state.deltas.slice(0, 3)).toEqual([MIN_LEASE, MAX_LEASE, MAX_LEASE]);
    const granted = MIN_LEASE + 2 * MAX_LEASE;
    expect(statuses.slice(0, granted).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(granted)).toEqual([429, 429, 429, 429, 429]);
    // Three leases, one refusal; the refused key is not asked again at once.
    expect(state.calls).toBe(4);
  });

  /** `count` requests of a new key, `gapMs` apart on the clock the limiter sees; all must pass. */
  const paced = async (user: string, count: number, gapMs: number) => {
    const key = await userKey(user);
    const { state, call } = limiterAllowing(1_000);
    const start = Date.now();
    const clock = vi.spyOn(Date, "now");
    for (let i = 0; i < count; i++) {
      clock.mockReturnValue(start + gapMs * i);
      expect((await call(PATH, { headers: { authorization: `Bearer ${key}` } })).status).toBe(404);
    }
    return state;
  };

  it("a quiet key takes the smallest leases, so an isolate holds few requests it does not use", async () => {
    // One request every two seconds.
    const state = await paced("judy", 20, 2_000);
    expect(new Set(state.deltas)).toEqual(new Set([MIN_LEASE]));
    // What was counted and not used: at most one and a half leases.
    expect(sum(state.deltas) - 20).toBeLessThanOrEqual(1.5 * MIN_LEASE);
  });

  it("a key's lease follows its rate: about a second of its requests", async () => {
    // 20 requests a second.
    const state = await paced("mallory", 100, 50);
    expect(state.deltas.slice(2).every((d) => d === 20)).toBe(true);
  });

  it("asks again a second after a refusal, and lets the key through when the binding does", async () => {
    const key = await userKey("frank");
    const { state, call } = limiterAllowing(0);
    const auth = { headers: { authorization: `Bearer ${key}` } };
    const now = Date.now();
    const clock = vi.spyOn(Date, "now").mockReturnValue(now);
    expect((await call(PATH, auth)).status).toBe(429);
    clock.mockReturnValue(now + 900);
    expect((await call(PATH, auth)).status).toBe(429);
    expect(state.calls).toBe(1);
    state.allowed = 10;
    clock.mockReturnValue(now + 1100);
    expect((await call(PATH, auth)).status).toBe(404);
    expect(state.calls).toBe(2);
  });

  it("concurrent first requests of a key share one call to the binding (and the next lease is asked for ahead)", async () => {
    const key = await userKey("grace");
    const { state, call } = limiterAllowing(100);
    const answers = await Promise.all(Array.from({ length: MIN_LEASE }, () => call(PATH, { headers: { authorization: `Bearer ${key}` } })));
    expect(answers.map((r) => r.status)).toEqual(Array(MIN_LEASE).fill(404));
    // One call they all waited for; once half of that lease was used, one more in the background.
    expect(state.calls).toBe(2);
  });

  it("a key in good standing never waits for the binding: the next lease is asked for in the background", async () => {
    const key = await userKey("ivan");
    let calls = 0;
    let held = true;
    let answer: (() => void) | undefined;
    // The first call answers at once; the second only when the test lets it, and later ones at once again.
    const limiter = {
      limit: () => (++calls === 2 && held ? new Promise((r) => (answer = () => r({ success: true }))) : Promise.resolve({ success: true })),
    };
    const request = withEnv({ RATE_LIMITER: limiter as unknown as RateLimit });
    const auth = { headers: { authorization: `Bearer ${key}` } };
    vi.spyOn(Date, "now").mockReturnValue(Date.now());
    // The first lease, then up to the next lease (the largest, at this rate) ahead of the answer on its way.
    for (let i = 0; i < MIN_LEASE + MAX_LEASE; i++) expect((await request(PATH, auth)).status).toBe(404);
    expect(calls).toBe(2);
    // Past that, the next request waits for the answer, and passes once it comes.
    let settled = false;
    const waiting = Promise.resolve(request(PATH, auth)).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    held = false;
    answer?.();
    // That answer paid for the requests let through ahead of it; the waiting one needed a lease more.
    expect((await waiting).status).toBe(404);
    expect(calls).toBe(3);
  });

  it("fails open: a binding that fails lets requests through (not 500) and is asked again once per lease", async () => {
    const key = await userKey("oscar");
    let calls = 0;
    const limiter = {
      limit: async () => {
        calls++;
        throw new Error("bad rate limit options: [delta]");
      },
    };
    resetRateLimits(); // the warning is said once per isolate
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const request = withEnv({ RATE_LIMITER: limiter as unknown as RateLimit });
    vi.spyOn(Date, "now").mockReturnValue(Date.now());
    for (let i = 0; i < MIN_LEASE + MAX_LEASE; i++)
      expect((await request(PATH, { headers: { authorization: `Bearer ${key}` } })).status).toBe(404);
    // Leases as with a working binding: 4, then 60 each, the next asked for at half of one.
    expect(calls).toBe(3);
    // Said once, without the key.
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain("RATE_LIMITER failed");
    expect(String(warn.mock.calls[0]?.[0])).not.toContain(key);
  });

  it("with the binding as wrangler.toml configures it, a key gets 600 requests a minute, then 429", async () => {
    const key = await userKey("heidi");
    let admitted = 0;
    let refused: Response | undefined;
    // The lower bound is exact for one isolate; the upper one allows for a window that ends mid-test.
    while (!refused && admitted < 1300) {
      const res = await call(PATH, { key });
      if (res.status === 429) refused = res;
      else admitted++;
    }
    expect(admitted).toBeGreaterThanOrEqual(600);
    expect(admitted).toBeLessThan(1230);
    expect(refused?.headers.get("retry-after")).toBe("60");
  }, 60_000);
});
