// Every way a host can fail becomes one OpenAI-shaped error: right status, right code, never a host's
// HTML, never a secret. The raw host body reaches only the log line.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { llamaSwapDouble, type Generation } from "../doubles/llama-swap.ts";
import { useOutbound } from "../doubles/outbound.ts";
import { call, dumpResponse, expectNoSecrets, putRegistry, userKey } from "../helpers/worker.ts";
import { TEST_SECRETS } from "../secrets.ts";
import { captureLogs, type LogCapture } from "../helpers/log-capture.ts";

const outbound = useOutbound();
const HOST = "https://sam.example.net";
let key = "";

beforeAll(async () => {
  key = await userKey("errors");
});

beforeEach(async () => {
  await putRegistry({
    defaultProvider: "sam-desktop",
    providers: [
      {
        id: "sam-desktop",
        label: "Sam",
        kind: "llama-swap",
        baseUrl: HOST,
        auth: { type: "access", clientIdSecret: "SAM_ACCESS_ID", clientSecretSecret: "SAM_ACCESS_SECRET" },
        timeouts: { firstByteMs: 200 },
      },
    ],
  });
});

let logs: LogCapture;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());
const logLines = () => logs.lines().map((line) => JSON.parse(line) as Record<string, unknown>);

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

async function ask(
  model = "sam-desktop/qwen3-32b",
  headers: Record<string, string> = {},
): Promise<{ res: Response; body: ErrorBody; text: string }> {
  const res = await call("/v1/chat/completions", { key, json: { model, messages: [{ role: "user", content: "hi" }] }, headers });
  const text = await dumpResponse(res.clone());
  expectNoSecrets(text);
  return { res, body: (await res.json()) as ErrorBody, text };
}

const CLOUDFLARE_1033 = `<!DOCTYPE html><html><head><title>Cloudflare Tunnel error | sam.example.net | Cloudflare</title></head><body><h1>Error 1033</h1><p>Ray ID: 8f0000000000</p></body></html>`;
const cloudflarePage = (status: number, body = `<html><body>Error ${status} | Cloudflare</body></html>`) =>
  new Response(body, { status, headers: { "content-type": "text/html", server: "cloudflare", "cf-ray": "8f0000000000-LAX" } });

describe("llama-swap's unknown-model answers", () => {
  const cases: [Generation, Record<string, string>][] = [
    ["v217", {}],
    ["v217", { accept: "application/json" }],
    ["v250", {}],
    ["main", {}],
  ];
  for (const [generation, headers] of cases) {
    it(`${generation}${headers.accept ? " (Accept: json)" : ""} becomes 404 model_not_found naming the composite id`, async () => {
      const host = llamaSwapDouble({ generation, models: ["qwen3-32b"] });
      outbound().route(HOST, host.handle);
      const { res, body } = await ask("sam-desktop/no-such-model", headers);
      expect(res.status).toBe(404);
      expect(body).toEqual({
        error: {
          message: "The model 'sam-desktop/no-such-model' does not exist or you do not have access to it.",
          type: "invalid_request_error",
          param: "model",
          code: "model_not_found",
        },
      });
      expect(res.headers.get("x-llama-edge-provider")).toBe("sam-desktop");
      expect(host.requests.map((r) => r.path)).toEqual(["/v1/chat/completions"]);
    });
  }
});

describe("other host answers", () => {
  it("429 keeps its status and Retry-After", async () => {
    outbound().route(HOST, llamaSwapDouble({ models: ["qwen3-32b"], rateLimited: { retryAfter: "7" } }).handle);
    const { res, body } = await ask();
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(body.error).toMatchObject({ type: "rate_limit_error", code: "provider_rate_limited" });
  });

  it("a host 401 keeps its status, says the router's credentials were refused, and drops WWW-Authenticate", async () => {
    outbound().route(HOST, llamaSwapDouble({ models: ["qwen3-32b"], apiKey: "a-key-the-router-does-not-have" }).handle);
    const { res, body } = await ask();
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBeNull();
    expect(body.error.code).toBe("provider_auth_failed");
    expect(body.error.message).toContain("router's credentials");
  });

  it("another 4xx keeps its status and the host's short message, in OpenAI's shape", async () => {
    outbound().route(HOST, () =>
      Response.json(
        { error: { code: 400, message: "the request exceeds the available context size", type: "exceed_context_size_error" } },
        { status: 400 },
      ),
    );
    const { res, body } = await ask();
    expect(res.status).toBe(400);
    expect(body.error).toMatchObject({ type: "invalid_request_error", code: "upstream_rejected" });
    expect(body.error.message).toContain("the request exceeds the available context size");
  });

  it("a host message that echoes a credential is withheld from the client and from the log", async () => {
    outbound().route(HOST, (req) =>
      Response.json({ error: { message: `bad header ${req.headers.get("cf-access-client-secret")}` } }, { status: 400 }),
    );
    const { res, body } = await ask();
    expect(res.status).toBe(400);
    expect(body.error.message).not.toContain("bad header");
    const line = logLines().at(-1) ?? {};
    expect(String(line.detail)).toContain("withheld");
    expectNoSecrets(JSON.stringify(logLines()));
  });
});

describe("Cloudflare and connection failures", () => {
  const cases: [string, () => Response | Promise<Response>, number, string][] = [
    ["a tunnel down (530, 1033 page)", () => cloudflarePage(530, CLOUDFLARE_1033), 503, "provider_unavailable"],
    ["a 1033 page with another status", () => cloudflarePage(502, CLOUDFLARE_1033), 503, "provider_unavailable"],
    ["Cloudflare's 502 (origin down)", () => cloudflarePage(502), 502, "provider_unreachable"],
    ["Cloudflare's 524 (no first byte in time)", () => cloudflarePage(524), 504, "provider_timeout"],
    ["llama-swap's 503 (process not ready)", () => new Response("process is not ready", { status: 503 }), 503, "provider_unavailable"],
    [
      "llama-swap's 500 (health check timed out)",
      () => new Response("unspecific error: health check timed out after 120s", { status: 500 }),
      502,
      "provider_error",
    ],
    ["a refused connection", () => Promise.reject(new TypeError("Network connection lost.")), 502, "provider_unreachable"],
  ];
  for (const [what, answer, status, code] of cases) {
    it(`${what} → ${status} ${code}, with no HTML and the body only in the log`, async () => {
      outbound().route(HOST, answer);
      const { res, body, text } = await ask();
      expect(res.status).toBe(status);
      expect(body.error).toMatchObject({ type: "api_error", code });
      expect(body.error.message).toContain("'sam-desktop'");
      expect(text).not.toMatch(/<html|<!DOCTYPE|Cloudflare|cf-ray/i);
      expect(res.headers.get("server")).toBeNull();
      if (status === 503) expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      const line = logLines().at(-1) ?? {};
      expect(line).toMatchObject({ status, error: code, provider: "sam-desktop", model: "sam-desktop/qwen3-32b" });
    });
  }

  it("keeps a host's error body (shortened) in the log line's detail", async () => {
    outbound().route(HOST, () => cloudflarePage(530, CLOUDFLARE_1033));
    await ask();
    const detail = String(logLines().at(-1)?.detail);
    expect(detail).toContain("HTTP 530");
    expect(detail).toContain("Error 1033");
    expect(detail.length).toBeLessThanOrEqual(500);
  });

  it("a host that sends no headers within the first-byte budget → 504 provider_timeout, and its request is aborted", async () => {
    const host = llamaSwapDouble({ models: ["qwen3-32b"], loadDelayMs: 60_000 });
    let aborted: Promise<void> = Promise.resolve();
    outbound().route(HOST, (req) => {
      // As the runtime's fetch does: an aborted signal rejects the pending request.
      let onAbort = () => {};
      aborted = new Promise((resolve) => (onAbort = resolve));
      const rejected = new Promise<never>((_, reject) =>
        req.signal.addEventListener("abort", () => (reject(new DOMException("The operation was aborted.", "AbortError")), onAbort()), {
          once: true,
        }),
      );
      return Promise.race([rejected, host.handle(req)]);
    });
    const started = Date.now();
    const { res, body } = await ask();
    expect(res.status).toBe(504);
    expect(body.error.code).toBe("provider_timeout");
    expect(Date.now() - started).toBeLessThan(5_000);
    await aborted;
  });

  it("the canary secrets appear in no error response or log line", async () => {
    for (const answer of [
      () => cloudflarePage(530, CLOUDFLARE_1033 + TEST_SECRETS.SAM_ACCESS_SECRET),
      () => new Response(TEST_SECRETS.SAM_ACCESS_ID, { status: 500 }),
    ]) {
      outbound().route(HOST, answer);
      await ask();
    }
    expectNoSecrets(JSON.stringify(logLines()));
  });
});
