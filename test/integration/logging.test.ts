import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { llamaSwapDouble } from "../doubles/llama-swap.ts";
import { useOutbound } from "../doubles/outbound.ts";
import { call, expectNoSecrets, putRegistry, userKey } from "../helpers/worker.ts";

const outbound = useOutbound();
const HOST = "https://sam.log.example.net";
let lines: string[] = [];

beforeEach(async () => {
  lines = [];
  vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
  await putRegistry({
    defaultProvider: "sam",
    providers: [
      { id: "sam", label: "Sam", kind: "llama-swap", baseUrl: HOST, auth: { type: "access", clientIdSecret: "SAM_ACCESS_ID", clientSecretSecret: "SAM_ACCESS_SECRET" }, fallbacks: ["garage/qwen3"] },
      { id: "garage", label: "Garage", kind: "llama-swap", baseUrl: "https://garage.log.example.net" },
    ],
  });
});
afterEach(() => vi.restoreAllMocks());

const PROMPT = "my secret diary entry 4c1d";
const parsed = () => lines.filter((l) => l.startsWith('{"rid"')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe("the request log", () => {
  it("writes one line per streamed request when the stream ends: ids, provider, model, status, timings, bytes", async () => {
    outbound().route(HOST, llamaSwapDouble({ models: ["qwen3"], chunks: 3 }).handle);
    const key = await userKey("logger");
    const res = await call("/v1/chat/completions", { key, json: { model: "sam/qwen3", stream: true, messages: [{ role: "user", content: PROMPT }] } });
    const text = await res.text();
    const entries = parsed();
    expect(entries).toHaveLength(1);
    const entry = entries[0] as Record<string, unknown>;
    expect(entry).toMatchObject({ rid: res.headers.get("x-request-id"), user: "logger", key: key.split("_")[1], provider: "sam", model: "sam/qwen3", status: 200, end: "complete", stream: "complete" });
    expect(entry.bytes).toBe(new TextEncoder().encode(text).byteLength);
    expect(typeof entry.ttfb_ms).toBe("number");
    expect(entry.ms as number).toBeGreaterThanOrEqual(entry.ttfb_ms as number);
    const all = lines.join("\n");
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
    expectNoSecrets(lines.join("\n"));
    expect(lines.join("\n")).not.toContain(PROMPT);
  });
});
