// Fallbacks and circuits around one request (inference/attempts.ts), with the host replaced by a function.
import { beforeEach, describe, expect, it } from "vitest";
import { runAttempts } from "../../src/inference/attempts.ts";
import {
  admit,
  FAILURES_TO_OPEN,
  hostKey,
  modelKey,
  OPEN_MS,
  recordFailure,
  resetCircuitBreakers,
} from "../../src/resilience/circuit-breaker.ts";
import type { ResolvedModel } from "../../src/resolve.ts";
import { Provider } from "../../src/registry/schema.ts";
import { HostError } from "../../src/upstream/failure.ts";

const provider = (id: string) => Provider.parse({ id, label: id, kind: "llama-swap", baseUrl: `https://${id}.example.net` });
const target = (id: string, model = "qwen3"): ResolvedModel => ({
  provider: provider(id),
  wireModel: model,
  compositeId: `${id}/${model}`,
});
const plan = (first: ResolvedModel, requested: ResolvedModel[] = []) => ({
  first,
  requested,
  resolveLater: async () => undefined,
  user: "alice",
});

beforeEach(resetCircuitBreakers);

describe("attempts", () => {
  it("a probe whose client left hands the probe to the next request", async () => {
    const sam = target("sam");
    const long_ago = Date.now() - OPEN_MS - 1000;
    for (let i = 0; i < FAILURES_TO_OPEN; i++) recordFailure(hostKey("sam"), "alice", long_ago);
    await expect(runAttempts(plan(sam), () => Promise.reject(new HostError({ kind: "client_left" })))).rejects.toBeInstanceOf(HostError);
    expect(admit(hostKey("sam"), "alice")).toEqual({ allowed: true, probe: true });
  });

  it("moves to the next candidate on an availability failure and records it against the model", async () => {
    const sam = target("sam");
    const garage = target("garage");
    const tried: string[] = [];
    const result = await runAttempts(plan(sam, [garage]), async (t) => {
      tried.push(t.compositeId);
      if (t === sam) throw new HostError({ kind: "unreachable", provider: "sam" });
      return new Response("ok");
    });
    expect(tried).toEqual(["sam/qwen3", "garage/qwen3"]);
    expect(result.skipped).toEqual([{ compositeId: "sam/qwen3", code: "provider_unreachable" }]);
    for (let i = 1; i < FAILURES_TO_OPEN; i++) recordFailure(modelKey("sam/qwen3"), "alice");
    expect(admit(modelKey("sam/qwen3"), "alice").allowed).toBe(false);
    expect(admit(hostKey("sam"), "alice").allowed).toBe(true);
  });

  it("never falls back after the host's verdict on the request (a 4xx)", async () => {
    const tried: string[] = [];
    await expect(
      runAttempts(plan(target("sam"), [target("garage")]), async (t) => {
        tried.push(t.compositeId);
        throw new HostError({ kind: "rejected", provider: "sam", compositeId: t.compositeId, status: 400 });
      }),
    ).rejects.toBeInstanceOf(HostError);
    expect(tried).toEqual(["sam/qwen3"]);
  });
});
