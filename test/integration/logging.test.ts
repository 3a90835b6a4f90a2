import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import app from "../../src/index.ts";
import { flushLogLines, LOG_BATCH_MS } from "../../src/observability/log-batch.ts";
import { llamaSwapDouble } from "../doubles/llama-swap.ts";
import { useOutbound } from "../doubles/outbound.ts";
import { captureLogs, type LogCapture } from "../helpers/log-capture.ts";
import { call, expectNoSecrets, putRegistry, testEnv, userKey } from "../helpers/worker.ts";

const outbound = useOutbound();
const HOST = "https://sam.log.example.net";
let logs: LogCapture;

beforeEach(async () => {
  logs = captureLogs();
  await putRegistry({
    defaultProvider: "sam",
    providers: [
      {
        id: "sam",
        label: "Sam",
        kind: "llama-swap",
        baseUrl: HOST,
        auth: { type: "access", clientIdSecret: "SAM_ACCESS_ID", clientSecretSecret: "SAM_ACCESS_SECRET" },
        fallbacks: ["garage/qwen3"],
      },
      { id: "garage", label: "Garage", kind: "llama-swap", baseUrl: "https://garage.log.example.net" },
    ],
  });
});
afterEach(() => vi.restoreAllMocks());

const PROMPT = "my secret diary entry 4c1d";
const parsed = () => logs.entries();

describe("the request log", () => {
  it("writes one line per streamed request when the stream ends: ids, provider, model, status, timings, bytes", async () => {
    outbound().route(HOST, llamaSwapDouble({ models: ["qwen3"], chunks: 3 }).handle);
    const key = await userKey("logger");
    const res = await call("/v1/chat/completions", {
      key,
      json: { model: "sam/qwen3", stream: true, messages: [{ role: "user", content: PROMPT }] },
    });
    const text = await res.text();
    const entries = parsed();
    expect(entries).toHaveLength(1);
    const entry = entries[0] as Record<string, unknown>;
    expect(entry).toMatchObject({
      rid: res.headers.get("x-request-id"),
      user: "logger",
      key: key.split("_")[1],
      provider: "sam",
      model: "sam/qwen3",
      status: 200,
      end: "complete",
      stream: "complete",
    });
    expect(entry.bytes).toBe(new TextEncoder().encode(text).byteLength);
    expect(typeof entry.ttfb_ms).toBe("number");
    expect(entry.ms as number).toBeGreaterThanOrEqual(entry.ttfb_ms as number);
    const all = logs.lines().join("\n");
    expect(all).not.toContain(key);
    expect(all).not.toContain(PROMPT);
    expectNoSecrets(all);
  });

  it("names the fallback taken and never a host's credentials", async () => {
    outbound().route(HOST, () => Promise.reject(new TypeError("connection refused")));
    outbound().route("https://garage.log.example.net", llamaSwapDouble({ models: ["qwen3"] }).handle);
    const key = await userKey("logger2");
    const res = await call("/v1/chat/completions", { key, json: { model: "sam/qwen3", messages: [{ role: "user", content: PROMPT }] } });
    await res.text();
    expect(parsed()[0]).toMatchObject({ status: 200, provider: "garage", model: "sam/qwen3", fallback: "garage/qwen3" });
    expectNoSecrets(logs.lines().join("\n"));
    expect(logs.lines().join("\n")).not.toContain(PROMPT);
  });
});

describe("lines written in groups", () => {
  it("a busy isolate's lines reach the log in one call, each its own argument, within LOG_BATCH_MS and with nothing dropped", async () => {
    const calls = logs.calls();
    const ids: string[] = [];
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      const res = await call("/healthz");
      await res.text();
      ids.push(res.headers.get("x-request-id") as string);
    }
    expect(calls).toEqual([]);
    // No flush by the test: the group's own timer writes it.
    await vi.waitFor(() => expect(calls).toHaveLength(1), { timeout: 4 * LOG_BATCH_MS, interval: 10 });
    expect(Date.now() - started).toBeLessThan(4 * LOG_BATCH_MS);
    const group = (calls[0] as string[]).map((arg) => JSON.parse(arg) as { rid: string; path: string });
    expect(group.map((line) => line.rid)).toEqual(ids);
    expect(group.every((line) => line.path === "/healthz")).toBe(true);
  });

  it("a full group is written at once, without waiting for the timer", async () => {
    const calls = logs.calls();
    for (let i = 0; i < 40; i++) await (await call("/healthz")).text();
    expect(calls).toHaveLength(1);
    expect((calls[0] as string[]).length).toBe(32);
    flushLogLines();
    expect(calls.map((args) => args.length)).toEqual([32, 8]);
  });
});

describe("usage points in Analytics Engine", () => {
  /** The Worker with a stand-in dataset bound as USAGE, recording what would be written. */
  async function callWithUsage(path: string, key: string, json?: unknown) {
    const points: AnalyticsEngineDataPoint[] = [];
    const USAGE = { writeDataPoint: (point: AnalyticsEngineDataPoint) => void points.push(point) };
    const ctx = createExecutionContext();
    const init = json === undefined ? {} : { method: "POST", body: JSON.stringify(json) };
    const res = await app.fetch(
      new Request(`http://router.test${path}`, {
        ...init,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      }),
      { ...testEnv, USAGE },
      ctx,
    );
    const text = await res.text();
    await waitOnExecutionContext(ctx);
    return { points, text };
  }

  it("writes one point per inference request, indexed by user, with no key or prompt", async () => {
    outbound().route(HOST, llamaSwapDouble({ models: ["qwen3"], chunks: 2 }).handle);
    const key = await userKey("meter");
    const { points, text } = await callWithUsage("/v1/chat/completions", key, {
      model: "sam/qwen3",
      stream: true,
      messages: [{ role: "user", content: PROMPT }],
    });
    expect(points).toHaveLength(1);
    const point = points[0] as AnalyticsEngineDataPoint;
    expect(point.indexes).toEqual(["meter"]);
    expect(point.blobs).toEqual(["meter", key.split("_")[1], "sam", "sam/qwen3", "200", "", "complete"]);
    expect(point.doubles?.[2]).toBe(new TextEncoder().encode(text).byteLength);
    expect(JSON.stringify(point)).not.toContain(key);
    expect(JSON.stringify(point)).not.toContain(PROMPT);
  });

  it("writes nothing for requests that name no model", async () => {
    const { points } = await callWithUsage("/api/settings", await userKey("meter2"));
    expect(points).toEqual([]);
  });
});
