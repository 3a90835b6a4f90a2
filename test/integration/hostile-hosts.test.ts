// What an adversarial probe found (issue 19), each as the behaviour a user would notice: hosts that send
// too much, headers that would act on the router's origin, ids that display as something else, credentials
// echoed back in disguise, one broken model, oversized bodies and floods of made-up keys.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resetUnknownKeys, UNKNOWN_KEY_BUDGET } from "../../src/auth/unknown-keys.ts";
import { llamaSwapDouble } from "../doubles/llama-swap.ts";
import { useOutbound } from "../doubles/outbound.ts";
import { adminToken, call, dumpResponse, expectNoSecrets, putRegistry, testEnv, userKey } from "../helpers/worker.ts";
import { TEST_SECRETS } from "../secrets.ts";
import { captureLogs, type LogCapture } from "../helpers/log-capture.ts";

const outbound = useOutbound();
const ALPHA = "https://alpha.example.net";
let alice = "";
let bob = "";

beforeAll(async () => {
  alice = await userKey("alice-h");
  bob = await userKey("bob-h");
});

beforeEach(async () => {
  resetUnknownKeys();
  await putRegistry({
    defaultProvider: "alpha",
    providers: [
      {
        id: "alpha",
        label: "Alpha",
        kind: "llama-swap",
        baseUrl: ALPHA,
        auth: { type: "bearer", secret: "GARAGE_API_KEY" },
        timeouts: { catalogMs: 1000 },
      },
    ],
  });
});

let logs: LogCapture;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());
const logText = () => logs.lines().join("\n");

const chat = (model: string, key = alice) =>
  call("/v1/chat/completions", { key, json: { model, messages: [{ role: "user", content: "hi" }] } });

describe("bodies are bounded before they are read", () => {
  it("a PATCH /api/settings of 1 MiB is a 413, and the favorites are unchanged", async () => {
    const huge = JSON.stringify({ favorite_models: ["alpha/qwen3"], pad: "x".repeat(1024 * 1024) });
    const res = await call("/api/settings", { key: alice, method: "PATCH", body: huge, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "request_too_large", type: "invalid_request_error" } });
    expect(await (await call("/api/settings", { key: alice })).json()).toEqual({ favorite_models: [] });
  });

  it("a registry over 512 KiB sent to PUT /admin/providers is a 413 and changes nothing", async () => {
    const before = await (await call("/admin/providers", { key: adminToken })).json();
    const res = await call("/admin/providers", {
      key: adminToken,
      method: "PUT",
      body: JSON.stringify({ providers: [], pad: "y".repeat(600 * 1024) }),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect(await (await call("/admin/providers", { key: adminToken })).json()).toEqual(before);
  });
});

describe("one broken model does not close its host", () => {
  it("three failures of alpha/broken leave alpha/healthy answering, and another user still reaches the host", async () => {
    const host = llamaSwapDouble({ models: ["healthy", "broken"] });
    outbound().route(ALPHA, async (request) => {
      const body = request.method === "POST" ? await request.clone().text() : "";
      if (body.includes('"broken"')) return new Response("upstream llama-server crashed", { status: 502 });
      return host.handle(request);
    });
    for (let i = 0; i < 3; i++) expect((await chat("alpha/broken")).status).toBe(502);
    // The model's own circuit is open for the user who saw it fail...
    const paused = await chat("alpha/broken");
    expect(paused.status).toBe(503);
    expect(paused.headers.get("retry-after")).toBeTruthy();
    // ...the host's other models are not...
    expect((await chat("alpha/healthy")).status).toBe(200);
    // ...and one user cannot pause the model for another.
    expect((await chat("alpha/broken", bob)).status).toBe(502);
  });

  it("connection failures still pause the whole host", async () => {
    outbound().route(ALPHA, () => Promise.reject(new TypeError("connection refused")));
    for (let i = 0; i < 3; i++) expect((await chat(`alpha/model-${i}`)).status).toBe(502);
    const res = await chat("alpha/another");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: "provider_unavailable" } });
  });
});

describe("what the router reads from a host is bounded", () => {
  it("an endless chunked model list is cut off at the cap; the catalog still answers and marks the host", async () => {
    let sent = 0;
    outbound().route(ALPHA, (request) => {
      if (new URL(request.url).pathname !== "/v1/models") return new Response("no", { status: 404 });
      const chunk = new TextEncoder().encode(`{"id":"m${"x".repeat(1000)}","object":"model"},`);
      const body = new ReadableStream<Uint8Array>({
        start: (c) => c.enqueue(new TextEncoder().encode('{"object":"list","data":[')),
        pull: (c) => {
          sent += chunk.byteLength;
          c.enqueue(chunk);
        },
      });
      return new Response(body, { headers: { "content-type": "application/json" } });
    });
    const res = await call("/v1/models", { key: alice });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-llama-edge-degraded")).toBe("alpha");
    expect(sent).toBeLessThan(6 * 1024 * 1024);
  });
});

describe("host response headers", () => {
  it("only allowlisted headers reach the client; a host's HTML is never served as HTML; every answer says nosniff", async () => {
    outbound().route(
      ALPHA,
      () =>
        new Response("<html><script>alert(1)</script></html>", {
          headers: {
            "content-type": "text/html",
            "clear-site-data": '"storage"',
            "strict-transport-security": "max-age=31536000",
            "content-security-policy": "default-src *",
            refresh: "0; url=https://evil.example",
            link: "<https://evil.example/x.css>; rel=stylesheet",
            location: "https://evil.example",
            "x-powered-by": "Express",
            "set-cookie": "a=b",
            "x-ratelimit-remaining-requests": "9",
          },
        }),
    );
    const res = await chat("alpha/qwen3");
    expect(res.status).toBe(200);
    for (const name of [
      "clear-site-data",
      "strict-transport-security",
      "content-security-policy",
      "refresh",
      "link",
      "location",
      "x-powered-by",
      "set-cookie",
    ]) {
      expect(res.headers.get(name), name).toBeNull();
    }
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-ratelimit-remaining-requests")).toBe("9");
    expect((await call("/v1/models", { key: "nope" })).headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("a Retry-After that is not a sane number or date is dropped; a long host message is cut", async () => {
    outbound().route(ALPHA, () =>
      Response.json({ error: { message: `busy ${"z".repeat(2000)}` } }, { status: 429, headers: { "retry-after": "86400000 <b>x</b>" } }),
    );
    const res = await chat("alpha/qwen3");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeNull();
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message.length).toBeLessThan(500);
  });
});

describe("ids a host lists", () => {
  it("the catalog lists only ids the router would route: no spaces, no bidi tricks", async () => {
    outbound().route(ALPHA, (request) =>
      new URL(request.url).pathname === "/v1/models"
        ? Response.json({
            object: "list",
            data: [{ id: "has space" }, { id: "\u202egnp.exe" }, { id: "good/one" }],
            status: { value: "unloaded" },
          })
        : new Response("no", { status: 404 }),
    );
    const body = (await (await call("/v1/models", { key: alice })).json()) as { data: { id: string }[] };
    expect(body.data.map((m) => m.id)).toEqual(["alpha/good/one"]);
    const bidi = await chat("alpha/\u202egnp.exe");
    expect(bidi.status).toBe(400);
  });

  it("a listed id that would walk out of /upstream/ is never used in a path", async () => {
    const evil = "a/%2e%2e/%2e%2e/running";
    outbound().route(ALPHA, (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/v1/models") return Response.json({ object: "list", data: [{ id: evil, status: { value: "loaded" } }] });
      if (path === "/running") return Response.json({ running: [{ model: evil, state: "ready" }] });
      return Response.json({ default_generation_settings: { n_ctx: 1 } });
    });
    const res = await call(`/api/models/${encodeURIComponent(`alpha/${evil}`)}/context`, { key: alice });
    expect(res.status).toBe(200);
    const paths = outbound().requests.map((r) => new URL(r.url).pathname);
    expect(paths).not.toContain("/running/props");
    expect(paths.filter((p) => p !== "/v1/models" && p !== "/running")).toEqual([]);
  });
});

describe("credentials echoed back", () => {
  it("a host's message holding the router's bearer token base64- or percent-encoded reaches neither the client nor the log", async () => {
    const token = TEST_SECRETS.GARAGE_API_KEY;
    for (const echoed of [btoa(token), encodeURIComponent(token), btoa(token).replace(/=+$/, "")]) {
      outbound().route(ALPHA, () => Response.json({ error: { message: `bad request from Bearer ${echoed}` } }, { status: 400 }));
      const res = await chat("alpha/qwen3");
      expect(res.status).toBe(400);
      const text = await dumpResponse(res);
      expect(text).not.toContain(echoed);
      expect(logText()).not.toContain(echoed);
      expectNoSecrets(text + logText());
    }
  });
});

describe("made-up keys", () => {
  it("a flood of well-formed unknown keys from one address costs a bounded number of KV reads, answered alike", async () => {
    const get = vi.spyOn(testEnv.CONFIG, "get");
    const reads = () => get.mock.calls.filter((args) => String(args[0]).startsWith("apikey:")).length;
    const before = reads();
    for (let i = 0; i < UNKNOWN_KEY_BUDGET + 40; i++) {
      const keyId = i.toString(16).padStart(12, "0");
      const res = await call("/v1/models", { key: `le_${keyId}_${"A".repeat(43)}`, headers: { "cf-connecting-ip": "203.0.113.9" } });
      expect(res.status).toBe(401);
    }
    expect(reads() - before).toBe(UNKNOWN_KEY_BUDGET);
    // Another address is not affected.
    expect((await call("/api/settings", { key: alice, headers: { "cf-connecting-ip": "198.51.100.1" } })).status).toBe(200);
    get.mockRestore();
  });
});
