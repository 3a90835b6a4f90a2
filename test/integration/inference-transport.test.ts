// How requests travel to a host: which headers go up and come back, the credentials the transport
// adds, the Workers VPC binding, and what a missing secret does.
import { createExecutionContext } from "cloudflare:test";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/env.ts";
import app from "../../src/index.ts";
import { llamaSwapDouble, type LlamaSwapDouble } from "../doubles/llama-swap.ts";
import { useOutbound } from "../doubles/outbound.ts";
import { call, dumpResponse, expectNoSecrets, putRegistry, testEnv, userKey } from "../helpers/worker.ts";
import { TEST_SECRETS } from "../secrets.ts";

const outbound = useOutbound();
let key = "";
let sam: LlamaSwapDouble, garage: LlamaSwapDouble, deepseek: LlamaSwapDouble;

const access = { type: "access" as const, clientIdSecret: "SAM_ACCESS_ID", clientSecretSecret: "SAM_ACCESS_SECRET" };
const REGISTRY = {
  defaultProvider: "sam-desktop",
  providers: [
    { id: "sam-desktop", label: "Sam", kind: "llama-swap" as const, baseUrl: "https://sam.example.net", auth: access },
    // Behind Access AND checking llama-swap's own API key.
    {
      id: "garage",
      label: "Garage",
      kind: "llama-swap" as const,
      baseUrl: "https://garage.example.net",
      auth: [access, { type: "bearer" as const, secret: "GARAGE_API_KEY" }],
    },
    {
      id: "deepseek",
      label: "DeepSeek",
      kind: "openai" as const,
      baseUrl: "https://api.deepseek.example",
      auth: { type: "bearer" as const, secret: "DEEPSEEK_API_KEY" },
    },
    {
      id: "lost",
      label: "Lost",
      kind: "openai" as const,
      baseUrl: "https://lost.example.net",
      auth: { type: "bearer" as const, secret: "LOST_API_KEY" },
    },
    {
      id: "vpc-box",
      label: "VPC",
      kind: "llama-swap" as const,
      baseUrl: "http://localhost:8080",
      transport: { type: "vpc" as const, binding: "HOME_VPC" },
    },
  ],
};

beforeAll(async () => {
  key = await userKey("transport");
});

beforeEach(async () => {
  await putRegistry(REGISTRY);
  sam = llamaSwapDouble({ name: "sam", models: ["qwen3-32b"] });
  garage = llamaSwapDouble({ name: "garage", models: ["qwen3-32b"], apiKey: TEST_SECRETS.GARAGE_API_KEY });
  deepseek = llamaSwapDouble({ name: "deepseek", models: ["deepseek-chat"] });
  outbound().route("https://sam.example.net", sam.handle);
  outbound().route("https://garage.example.net", garage.handle);
  outbound().route("https://api.deepseek.example", (req) => deepseek.handle(new Request(req.url.replace("example/", "example/v1/"), req)));
});

const hostile = {
  authorization: "Bearer placeholder",
  "x-api-key": "client-x-api-key",
  cookie: "session=client-cookie",
  "cf-connecting-ip": "203.0.113.9",
  "cf-ray": "client-ray",
  "cf-access-client-id": "client-forged-id",
  "x-forwarded-for": "203.0.113.9",
  "x-forwarded-proto": "http",
  forwarded: "for=203.0.113.9",
  "x-real-ip": "203.0.113.9",
  "user-agent": "client-agent/1.0",
  origin: "https://evil.example",
  accept: "application/json",
};

const chatBody = (model: string) => JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] });

describe("the request a host receives", () => {
  it("carries only content-type, accept and the transport's credentials: never the client's own headers", async () => {
    const res = await call("/v1/chat/completions", {
      body: chatBody("sam-desktop/qwen3-32b"),
      headers: { ...hostile, authorization: `Bearer ${key}`, "content-type": "application/json" },
    });
    expect(res.status).toBe(200);
    const headers = sam.requests[0]?.headers ?? {};
    expect(Object.keys(headers).sort()).toEqual(["accept", "cf-access-client-id", "cf-access-client-secret", "content-type"]);
    expect(headers["cf-access-client-id"]).toBe(TEST_SECRETS.SAM_ACCESS_ID);
    expect(headers["cf-access-client-secret"]).toBe(TEST_SECRETS.SAM_ACCESS_SECRET);
    expect(headers.accept).toBe("application/json");
    expect(JSON.stringify(sam.requests)).not.toContain(key);
    expectNoSecrets(await dumpResponse(res));
  });

  it("adds both Access headers and llama-swap's bearer key when the registry lists both", async () => {
    const res = await call("/v1/chat/completions", {
      key,
      body: chatBody("garage/qwen3-32b"),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(200);
    const headers = garage.requests[0]?.headers ?? {};
    expect(headers.authorization).toBe(`Bearer ${TEST_SECRETS.GARAGE_API_KEY}`);
    expect(headers["cf-access-client-id"]).toBe(TEST_SECRETS.SAM_ACCESS_ID);
  });

  it("sends a hosted API its bearer secret instead of the client's key", async () => {
    const res = await call("/v1/chat/completions", { key, body: chatBody("deepseek/deepseek-chat") });
    expect(res.status).toBe(200);
    expect(deepseek.requests[0]?.headers.authorization).toBe(`Bearer ${TEST_SECRETS.DEEPSEEK_API_KEY}`);
  });

  it("a secret named in the registry but not set is a 500 configuration error naming it, and nothing is sent", async () => {
    const res = await call("/v1/chat/completions", { key, body: chatBody("lost/some-model") });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { message: string; code: string; type: string } };
    expect(body.error.code).toBe("configuration_error");
    expect(body.error.message).toContain("LOST_API_KEY");
    expect(outbound().requests).toEqual([]);
  });
});

describe("the response a client receives", () => {
  it("keeps the host's own headers but drops cookies, server, via, cf-* and CORS headers", async () => {
    outbound().route("https://sam.example.net", async (req) => {
      const answer = await sam.handle(req);
      const headers = new Headers(answer.headers);
      for (const [name, value] of Object.entries({
        "set-cookie": "host=1",
        server: "llama-swap",
        via: "1.1 cloudflared",
        "cf-ray": "8f00-LAX",
        "cf-cache-status": "DYNAMIC",
        "access-control-allow-origin": "*",
        "x-ratelimit-remaining-requests": "42",
      }))
        headers.set(name, value);
      return new Response(answer.body, { status: answer.status, headers });
    });
    const res = await call("/v1/chat/completions", { key, body: chatBody("sam-desktop/qwen3-32b") });
    expect(res.status).toBe(200);
    for (const dropped of ["set-cookie", "server", "via", "cf-ray", "cf-cache-status", "access-control-allow-origin"])
      expect(res.headers.get(dropped), dropped).toBeNull();
    expect(res.headers.get("x-ratelimit-remaining-requests")).toBe("42");
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("x-llama-edge-provider")).toBe("sam-desktop");
  });

  it("never follows a redirect: Access refusing the service token becomes a 502 error, not a login page", async () => {
    outbound().route(
      "https://sam.example.net",
      () =>
        new Response("<html>Sign in</html>", {
          status: 302,
          headers: { location: "https://team.cloudflareaccess.com/cdn-cgi/access/login", "content-type": "text/html" },
        }),
    );
    const res = await call("/v1/chat/completions", { key, body: chatBody("sam-desktop/qwen3-32b") });
    expect(res.status).toBe(502);
    expect(res.headers.get("location")).toBeNull();
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: "provider_auth_failed", type: "api_error" } });
    expect(text).not.toContain("<html>");
    expect(outbound().requests.map((r) => new URL(r.url).host)).toEqual(["sam.example.net"]);
  });
});

describe("the Workers VPC transport", () => {
  const withBinding = (binding: unknown) => (body: string) =>
    app.fetch(
      new Request("http://router.test/v1/chat/completions", {
        method: "POST",
        body,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      }),
      { ...testEnv, HOME_VPC: binding } as Env,
      createExecutionContext(),
    );

  it("sends the request through the named service binding's fetch, never the public internet", async () => {
    const host = llamaSwapDouble({ name: "vpc", models: ["qwen3-32b"] });
    const seen: string[] = [];
    const send = withBinding({
      fetch: (input: RequestInfo, init?: RequestInit) => (seen.push(new Request(input, init).url), host.handle(new Request(input, init))),
    });
    const res = await send(chatBody("vpc-box/qwen3-32b"));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(
      "vpc answered qwen3-32b",
    );
    expect(seen).toEqual(["http://localhost:8080/v1/chat/completions"]);
    expect(outbound().requests).toEqual([]);
  });

  it("a ProxyError from the binding (origin down) is a 502 provider_unreachable", async () => {
    const send = withBinding({
      fetch: async () => new Response("ProxyError: dial tcp 127.0.0.1:8080: connect: connection refused", { status: 500 }),
    });
    const res = await send(chatBody("vpc-box/qwen3-32b"));
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: "provider_unreachable" } });
    expect(text).not.toContain("ProxyError");
  });

  it("a binding whose fetch throws is a 502 provider_unreachable", async () => {
    const send = withBinding({ fetch: async () => Promise.reject(new Error("connection_refused")) });
    const res = await send(chatBody("vpc-box/qwen3-32b"));
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: "provider_unreachable" } });
  });

  it("a registry naming a binding the Worker lacks is a 500 configuration error", async () => {
    const res = await call("/v1/chat/completions", { key, body: chatBody("vpc-box/qwen3-32b") });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { code: "configuration_error" } });
  });
});
