// Resilience as a client meets it: cold loads, streams that break, fallbacks, the circuit breaker,
// and each injected fault's documented outcome.
import { beforeEach, describe, expect, it } from "vitest";
import type { ProviderInput } from "../../src/registry/schema.ts";
import { llamaSwapDouble } from "../doubles/llama-swap.ts";
import { useOutbound } from "../doubles/outbound.ts";
import { call, dumpResponse, expectNoSecrets, putRegistry, userKey } from "../helpers/worker.ts";

const outbound = useOutbound();
let key = "";
const SAM = "https://sam.res.example.net";
const GARAGE = "https://garage.res.example.net";

const sam = (extra: Partial<ProviderInput> = {}): ProviderInput => ({
  id: "sam",
  label: "Sam",
  kind: "llama-swap",
  baseUrl: SAM,
  timeouts: { loadingNoticeMs: 100, firstByteMs: 2000 },
  ...extra,
});
const garage: ProviderInput = { id: "garage", label: "Garage", kind: "llama-swap", baseUrl: GARAGE };

beforeEach(async () => {
  key = await userKey("res");
  await putRegistry({ defaultProvider: "sam", providers: [sam({ fallbacks: ["garage/qwen3"] }), garage] });
});

const chat = (json: Record<string, unknown>) =>
  call("/v1/chat/completions", { key, json: { messages: [{ role: "user", content: "hi" }], ...json } });
const events = (text: string) => text.split("\n\n").filter((e) => e.trim() !== "");
const refuse = () => Promise.reject(new TypeError("Network connection lost."));

describe("cold loads", () => {
  it("a stream still waiting after the threshold gets 200 SSE with loading comments, then the host's stream", async () => {
    const host = llamaSwapDouble({ models: ["qwen3"], loadDelayMs: 600 });
    outbound().route(SAM, host.handle);
    const res = await chat({ model: "sam/qwen3", stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    expect(text.startsWith(": loading sam/qwen3\n\n")).toBe(true);
    expect(events(text).at(-1)).toBe("data: [DONE]");
  });

  it("a host that fails after the loading notice ends the stream with one error event and no [DONE]", async () => {
    outbound().route(SAM, async () => {
      await new Promise((r) => setTimeout(r, 400));
      return new Response("unspecific error: health check timed out after 120s", { status: 500 });
    });
    outbound().route(GARAGE, llamaSwapDouble({ models: [] }).handle);
    const res = await chat({ model: "sam/qwen3", stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("[DONE]");
    const last = events(text).at(-1) as string;
    expect(JSON.parse(last.replace(/^data: /, ""))).toMatchObject({ error: { type: "api_error", code: "provider_error" } });
    expect(text).not.toContain("health check");
  });

  it("a non-streaming request simply waits for the host", async () => {
    outbound().route(SAM, llamaSwapDouble({ models: ["qwen3"], loadDelayMs: 300 }).handle);
    const res = await chat({ model: "sam/qwen3" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ object: "chat.completion" });
  });
});

describe("faults before and during the stream", () => {
  let sent = false;
  beforeEach(() => void (sent = false));
  const brokenStream = (afterBytes: string, end: "reset" | "close") => () =>
    new Response(
      new ReadableStream(
        {
          // Pull-based, so the first bytes are delivered before the failure (an error discards a queue).
          pull(c) {
            if (!sent) {
              sent = true;
              c.enqueue(new TextEncoder().encode(afterBytes));
            } else if (end === "reset") c.error(new Error("connection reset by peer"));
            else c.close();
          },
        },
        { highWaterMark: 0 },
      ),
      { headers: { "content-type": "text/event-stream" } },
    );

  const FIRST = 'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n';
  /** The client got the host's bytes so far, then exactly one error event with `code`, and no [DONE]. */
  async function expectCutWith(res: Response, code: string): Promise<void> {
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.startsWith(FIRST)).toBe(true);
    expect(text).not.toContain("[DONE]");
    expect(events(text)).toHaveLength(2);
    expect(events(text)[1]).toContain(`"code":"${code}"`);
  }

  it.each([
    ["reset after k bytes", "reset"],
    ["truncated (closed before [DONE])", "close"],
  ] as const)("%s: the client gets the bytes so far, then one error event, and no [DONE]", async (_name, end) => {
    outbound().route(SAM, brokenStream(FIRST, end));
    await expectCutWith(await chat({ model: "sam/qwen3", stream: true }), "provider_stream_interrupted");
  });

  it("stalls mid-stream: after the idle limit the client gets one error event, no [DONE], and the host is let go", async () => {
    await putRegistry({ defaultProvider: "sam", providers: [sam({ timeouts: { streamIdleMs: 150 } })] });
    let hostCancelled!: () => void;
    const released = new Promise<void>((resolve) => (hostCancelled = resolve));
    outbound().route(
      SAM,
      () =>
        new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode(FIRST)), cancel: () => hostCancelled() }), {
          headers: { "content-type": "text/event-stream" },
        }),
    );
    await expectCutWith(await chat({ model: "sam/qwen3", stream: true }), "provider_stream_stalled");
    await released;
  });

  it.each([
    ["refuses connections", refuse, 502, "provider_unreachable"],
    [
      "answers 530 with an HTML 1033 page",
      () =>
        new Response("<html>Error 1033 Argo Tunnel error</html>", {
          status: 530,
          headers: { server: "cloudflare", "content-type": "text/html" },
        }),
      503,
      "provider_unavailable",
    ],
    [
      "answers 502",
      () => new Response("<html>Bad gateway</html>", { status: 502, headers: { server: "cloudflare" } }),
      502,
      "provider_unreachable",
    ],
    [
      "answers 524",
      () => new Response("<html>A timeout occurred</html>", { status: 524, headers: { server: "cloudflare" } }),
      504,
      "provider_timeout",
    ],
  ] as const)("a host that %s gives %i %s, OpenAI-shaped, without HTML", async (_name, handler, status, code) => {
    await putRegistry({ defaultProvider: "sam", providers: [sam()] });
    outbound().route(SAM, handler as () => Response);
    const res = await chat({ model: "sam/qwen3" });
    expect(res.status).toBe(status);
    const text = await dumpResponse(res);
    expect(text).not.toMatch(/<html/i);
    expectNoSecrets(text);
    expect(JSON.parse(text.slice(text.indexOf("\n\n") + 2))).toMatchObject({ error: { code } });
  });

  it("a host that stalls before headers gives 504 provider_timeout after the first-byte budget", async () => {
    await putRegistry({ defaultProvider: "sam", providers: [sam({ timeouts: { firstByteMs: 150 } })] });
    outbound().route(
      SAM,
      (r) => new Promise((_, reject) => r.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")))),
    );
    const res = await chat({ model: "sam/qwen3" });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ error: { code: "provider_timeout" } });
  });
});

describe("fallbacks", () => {
  it("tries the provider's fallback when the host is unavailable before any byte, and says so in headers", async () => {
    outbound().route(SAM, refuse);
    const garageHost = llamaSwapDouble({ name: "garage", models: ["qwen3"] });
    outbound().route(GARAGE, garageHost.handle);
    const res = await chat({ model: "sam/qwen3" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-llama-edge-provider")).toBe("garage");
    expect(res.headers.get("x-llama-edge-skipped")).toBe("sam/qwen3 (provider_unreachable)");
    expect(JSON.parse(garageHost.requests[0]?.body ?? "{}")).toMatchObject({ model: "qwen3" });
  });

  it("tries the request's own models: [...] in order, before the registry's", async () => {
    await putRegistry({ defaultProvider: "sam", providers: [sam({ fallbacks: ["garage/never"] }), garage] });
    outbound().route(SAM, (r) => (new URL(r.url).pathname === "/v1/models" ? Response.json({ data: [] }) : refuse()));
    const garageHost = llamaSwapDouble({ models: ["backup"] });
    outbound().route(GARAGE, garageHost.handle);
    const res = await chat({ model: "sam/qwen3", models: ["sam/qwen3", "garage/backup"] });
    expect(res.status).toBe(200);
    expect(JSON.parse(garageHost.requests.at(-1)?.body ?? "{}").model).toBe("backup");
  });

  it("never falls back after a 4xx", async () => {
    outbound().route(SAM, llamaSwapDouble({ models: ["qwen3"] }).handle);
    const garageHost = llamaSwapDouble({ models: ["qwen3"] });
    outbound().route(GARAGE, garageHost.handle);
    const res = await chat({ model: "sam/missing" });
    expect(res.status).toBe(404);
    expect(garageHost.requests).toEqual([]);
  });

  it("refuses a bad id in models: [...] with 400 and sends no inference request", async () => {
    const host = llamaSwapDouble({ models: ["qwen3"] });
    outbound().route(SAM, host.handle);
    const res = await chat({ model: "sam/qwen3", models: ["nosuch/x"] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: "unknown_provider", param: "models", message: expect.stringMatching(/^models\[0\]: Unknown provider 'nosuch'/) },
    });
    expect(host.requests.map((r) => r.path)).toEqual(["/v1/models"]);
  });
});

describe("the circuit breaker", () => {
  it("after 3 availability failures fails fast without calling the host, with Retry-After", async () => {
    await putRegistry({ defaultProvider: "sam", providers: [sam()] });
    let calls = 0;
    outbound().route(SAM, () => (calls++, refuse()));
    for (let i = 0; i < 3; i++) expect((await chat({ model: "sam/qwen3" })).status).toBe(502);
    const res = await chat({ model: "sam/qwen3" });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ error: { code: "provider_unavailable" } });
    expect(calls).toBe(3);
  });

  it("with a fallback, an open circuit sends requests straight to it", async () => {
    let samCalls = 0;
    outbound().route(SAM, () => (samCalls++, refuse()));
    outbound().route(GARAGE, llamaSwapDouble({ models: ["qwen3"] }).handle);
    for (let i = 0; i < 4; i++) expect((await chat({ model: "sam/qwen3" })).status).toBe(200);
    expect(samCalls).toBe(3);
    const res = await chat({ model: "sam/qwen3" });
    expect(res.headers.get("x-llama-edge-skipped")).toBe("sam/qwen3 (circuit_open)");
  });
});

describe("request bounds", () => {
  it("bounds message counts and embedding inputs with 400, before any host call", async () => {
    const many = await chat({ model: "sam/qwen3", messages: Array.from({ length: 4097 }, () => ({ role: "user", content: "x" })) });
    expect(many.status).toBe(400);
    expect(await many.json()).toMatchObject({ error: { param: "messages" } });
    const inputs = await call("/v1/embeddings", { key, json: { model: "sam/e", input: Array.from({ length: 2049 }, () => "x") } });
    expect(inputs.status).toBe(400);
  });
});
