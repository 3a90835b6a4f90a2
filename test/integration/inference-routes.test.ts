// Every route a llama-swap host serves, through one endpoint: each is resolved like chat, reaches the
// host on its own path with the wire id in the client's encoding, and Anthropic's routes answer in
// Anthropic's shape.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useOutbound } from "../doubles/outbound.ts";
import { TEST_SECRETS } from "../secrets.ts";
import { call, dumpResponse, expectNoSecrets, putRegistry, userKey } from "../helpers/worker.ts";

const outbound = useOutbound();
const HOST = "https://sam.example.net";
let key = "";

interface Seen {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  body: string;
}
let seen: Seen[] = [];

beforeAll(async () => {
  key = await userKey("routes");
});

beforeEach(async () => {
  seen = [];
  await putRegistry({
    defaultProvider: "sam",
    providers: [{ id: "sam", label: "Sam", kind: "llama-swap", baseUrl: HOST, auth: { type: "bearer", secret: "GARAGE_API_KEY" } }],
  });
  outbound().route(HOST, async (request) => {
    const url = new URL(request.url);
    seen.push({ method: request.method, path: url.pathname, search: url.search, headers: request.headers, body: await request.text() });
    if (url.pathname === "/v1/audio/speech")
      return new Response(new Uint8Array([0, 255, 1, 254, 2]), { headers: { "content-type": "audio/mpeg" } });
    if (url.pathname === "/v1/rerank-missing")
      return new Response("404 page not found", { status: 404, headers: { "content-type": "text/plain" } });
    return Response.json({ ok: true, path: url.pathname });
  });
});

const post = (path: string, json: unknown, headers: Record<string, string> = {}) => call(path, { key, json, headers });

describe("the JSON routes", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["/v1/messages", { max_tokens: 16, messages: [{ role: "user", content: "hi" }] }],
    ["/v1/rerank", { query: "q", documents: ["a", "b"] }],
    ["/v1/reranking", { query: "q", documents: ["a"] }],
    ["/rerank", { query: "q", documents: ["a"] }],
    ["/reranking", { query: "q", documents: ["a"] }],
    ["/infill", { input_prefix: "def f(", input_suffix: ")" }],
    ["/completion", { prompt: "Once" }],
    ["/v1/audio/voices", {}],
    ["/v1/images/generations", { prompt: "a cat" }],
  ];
  for (const [path, extra] of cases) {
    it(`${path} reaches the host's ${path} with the wire id`, async () => {
      const res = await post(path, { model: "sam/Qwen/Q3:high", ...extra });
      expect(res.status).toBe(200);
      expect(seen.map((s) => s.path)).toEqual([path]);
      expect(JSON.parse(seen[0]?.body ?? "{}")).toMatchObject({ model: "Qwen/Q3:high", ...extra });
    });
  }

  it("routes outside /v1 need a key like those inside", async () => {
    const res = await call("/infill", { json: { model: "sam/x" } });
    expect(res.status).toBe(401);
    expect(seen).toEqual([]);
  });

  it("count_tokens keeps its query string and the anthropic headers; the client's key never reaches the host", async () => {
    const res = await call("/v1/messages/count_tokens?beta=true", {
      json: { model: "sam/q", messages: [] },
      headers: {
        authorization: `Bearer ${key}`,
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "tools-2024",
        cookie: "a=b",
        "cf-connecting-ip": "1.2.3.4",
      },
    });
    expect(res.status).toBe(200);
    expect(seen[0]?.search).toBe("?beta=true");
    expect(seen[0]?.headers.get("anthropic-version")).toBe("2023-06-01");
    expect(seen[0]?.headers.get("anthropic-beta")).toBe("tools-2024");
    expect(seen[0]?.headers.get("authorization")).not.toContain(key);
    expect(seen[0]?.headers.get("cookie")).toBeNull();
    expect(seen[0]?.headers.get("cf-connecting-ip")).toBeNull();
  });

  it("speech answers are binary and arrive byte for byte", async () => {
    const res = await post("/v1/audio/speech", { model: "sam/kokoro", input: "hi", voice: "af" });
    expect(res.headers.get("content-type")).toBe("audio/mpeg");
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([0, 255, 1, 254, 2]);
  });

  it("GET /v1/audio/voices?model= is rewritten to the wire id", async () => {
    const res = await call("/v1/audio/voices?model=sam%2Fkokoro&lang=en", { key });
    expect(res.status).toBe(200);
    expect(seen[0]?.method).toBe("GET");
    expect(new URLSearchParams(seen[0]?.search).get("model")).toBe("kokoro");
    expect(new URLSearchParams(seen[0]?.search).get("lang")).toBe("en");
    expect((await call("/v1/audio/voices", { key })).status).toBe(400);
  });

  it("an unknown provider is refused before any host is asked, on every route", async () => {
    for (const path of ["/v1/rerank", "/infill", "/v1/images/generations"]) {
      const res = await post(path, { model: "nosuch/x" });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "unknown_provider", param: "model" } });
      // Sending it again cannot help: agents that read this (Claude Code) stop instead of retrying.
      expect(res.headers.get("x-should-retry")).toBe("false");
    }
    // Only the default host's model list was read (is `nosuch/x` one of its models?); no request was sent.
    expect(seen.filter((s) => s.method !== "GET" || s.path !== "/v1/models")).toEqual([]);
  });
});

describe("multipart uploads", () => {
  const BOUNDARY = "----llama-edge-test";
  const form = (parts: [string, string, string?][]) =>
    parts
      .map(([name, value, filename]) => {
        const file = filename ? `; filename="${filename}"\r\nContent-Type: application/octet-stream` : "";
        return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${file}\r\n\r\n${value}\r\n`;
      })
      .join("") + `--${BOUNDARY}--\r\n`;
  const upload = (path: string, body: string) =>
    call(path, { key, method: "POST", body, headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` } });

  for (const path of ["/v1/audio/transcriptions", "/v1/images/edits"]) {
    it(`${path}: the host gets the client's bytes and Content-Type with the model field rewritten`, async () => {
      const client = form([
        ["file", "RIFF\u0000\u0001 not really audio", "a.wav"],
        ["model", "sam/Qwen/whisper:large"],
        ["language", "en"],
      ]);
      const res = await upload(path, client);
      expect(res.status, await dumpResponse(res.clone())).toBe(200);
      expect(seen).toHaveLength(1);
      const host = seen[0] as Seen;
      expect(host.path).toBe(path);
      expect(host.headers.get("content-type")).toBe(`multipart/form-data; boundary=${BOUNDARY}`);
      expect(host.body).toBe(client.replace("sam/Qwen/whisper:large", "Qwen/whisper:large"));
      // The router's own key for the host, never the client's (Content-Length is checked on a real socket, in e2e).
      expect(host.headers.get("authorization")).toBe(`Bearer ${TEST_SECRETS.GARAGE_API_KEY}`);
    });
  }

  it("a form that is not multipart, or has no model, is a 400 and reaches no host", async () => {
    const json = await post("/v1/audio/transcriptions", { model: "sam/whisper" });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe("invalid_content_type");
    const noModel = await upload("/v1/audio/transcriptions", form([["file", "abc", "a.wav"]]));
    expect(noModel.status).toBe(400);
    expect(((await noModel.json()) as { error: { code: string; param: string } }).error).toMatchObject({
      code: "missing_model",
      param: "model",
    });
    expect(seen).toEqual([]);
  });

  it("an upload is sent once: a host that is down is not followed by a fallback host", async () => {
    await putRegistry({
      defaultProvider: "sam",
      providers: [
        { id: "sam", label: "Sam", kind: "llama-swap", baseUrl: "https://down.example.net", fallbacks: ["spare/whisper"] },
        { id: "spare", label: "Spare", kind: "llama-swap", baseUrl: HOST },
      ],
    });
    outbound().route("https://down.example.net", () => new Response("bad gateway", { status: 502 }));
    const res = await upload(
      "/v1/audio/transcriptions",
      form([
        ["model", "sam/whisper"],
        ["file", "abc", "a.wav"],
      ]),
    );
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(seen).toEqual([]);
  });
});

describe("Anthropic's routes answer in Anthropic's shape", () => {
  it("a bad key, a bad body and an unknown model", async () => {
    const unauth = await call("/v1/messages", { json: { model: "sam/q" }, headers: { "anthropic-version": "2023-06-01" } });
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    const bad = await call("/v1/messages", { key, body: "{nope", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    const unknown = await post("/v1/messages", { model: "nosuch/q" });
    expect(await unknown.json()).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: expect.stringContaining("nosuch") },
    });
  });

  it("a host that is down is an api_error / overloaded_error, with no secret in it", async () => {
    outbound().route(HOST, () => new Response("<html>Error 1033</html>", { status: 530, headers: { server: "cloudflare" } }));
    const res = await post("/v1/messages", { model: "sam/q", max_tokens: 1, messages: [] });
    expect(res.status).toBe(503);
    expect(res.headers.get("x-should-retry")).toBeNull(); // a host that is down may be back: retrying is fine
    const text = await dumpResponse(res.clone());
    expectNoSecrets(text);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
  });

  it("a stream that breaks ends with event: error, never a fake message_stop", async () => {
    outbound().route(HOST, () => {
      let pulls = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (pulls++ === 0) c.enqueue(new TextEncoder().encode('event: message_start\ndata: {"type":"message_start"}\n\n'));
          else c.error(new Error("reset"));
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    });
    const res = await post("/v1/messages", { model: "sam/q", stream: true, max_tokens: 1, messages: [] });
    const text = await res.text();
    expect(text.startsWith('event: message_start\ndata: {"type":"message_start"}\n\n')).toBe(true);
    expect(text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"api_error"/);
    expect(text).not.toContain("message_stop");
  });
});

describe("a host without a route", () => {
  it("answers a clear not-found naming the provider and the route", async () => {
    outbound().route(HOST, () => new Response("404 page not found", { status: 404, headers: { "content-type": "text/plain" } }));
    const res = await post("/v1/rerank", { model: "sam/bge", query: "q", documents: [] });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("provider_route_not_found");
    expect(body.error.message).toContain("sam");
    expect(body.error.message).toContain("/v1/rerank");
  });
});
