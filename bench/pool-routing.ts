// The routing decision's added cost per request: what a pool id (`pool/qwen3`) does on top of the
// member's own id (`bench/qwen3`), in the same run: the conversation key from the body's bytes and the
// member order (src/pools/). Both read the same cached lists, so only this work differs. Measured in
// process, in batches, as the median per request; the target is at most 0.1 ms.
import type { ListView, PoolModel } from "../src/pools/types.ts";
import { planPool } from "../src/pools/choose.ts";
import { conversationKey } from "../src/pools/conversation-key.ts";
import type { Pool, Provider } from "../src/registry/schema.ts";
import { median, round } from "./stats.ts";

export interface PoolRoutingFigures {
  /** Median ms per request of the pool's decision, minus the same loop deciding nothing (a member id). */
  addedMedianMs: number;
  poolMedianMs: number;
  memberMedianMs: number;
  target: "<= 0.1 ms";
  met: boolean;
}

const host = (id: string): Provider =>
  ({
    id,
    label: id,
    kind: "llama-swap",
    baseUrl: `https://${id}.example.net`,
    auth: { type: "none" },
    enabled: true,
    transport: { type: "https" },
    timeouts: { firstByteMs: 300_000, catalogMs: 2_500, loadingNoticeMs: 5_000, streamIdleMs: 120_000 },
  }) as Provider;

export function poolRoutingCost(samples = 2_000, batch = 50): PoolRoutingFigures {
  const providers = ["sam", "garage", "attic"].map(host);
  const pool: Pool = { id: "pool", label: "Pool", kind: "pool", members: {}, unify: false, cold: "wait", enabled: true };
  const model: PoolModel = {
    pool,
    wireModel: "qwen3",
    compositeId: "pool/qwen3",
    members: providers.map((p) => ({ provider: p, wireModel: "qwen3", compositeId: `${p.id}/qwen3` })),
  };
  const now = Date.now();
  const lists = new Map<string, ListView>(
    providers.map((p, i) => [p.id, { ok: true, fetchedAt: now, models: [{ id: "qwen3", status: i === 0 ? "unloaded" : "loaded" }] }]),
  );
  const messages = [
    { role: "system", content: "You are a careful assistant. ".repeat(40) },
    ...Array.from({ length: 8 }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `turn ${i} `.repeat(60) })),
  ];
  const bodies = Array.from({ length: 64 }, (_, i) =>
    new TextEncoder().encode(
      JSON.stringify({
        model: "pool/qwen3",
        stream: true,
        messages: [{ ...messages[0], content: `${i} ${messages[0]?.content}` }, ...messages.slice(1)],
      }),
    ),
  );
  const headers = new Headers({ "content-type": "application/json" });
  const time = (decide: (i: number) => unknown) => {
    const perRequest: number[] = [];
    for (let s = 0; s < samples; s++) {
      const started = performance.now();
      for (let i = 0; i < batch; i++) decide(s * batch + i);
      perRequest.push((performance.now() - started) / batch);
    }
    return median(perRequest.slice(samples / 10));
  };
  let sink = 0;
  const member = time((i) => (sink += (bodies[i % bodies.length] as Uint8Array).length));
  const poolMs = time(
    (i) => (sink += planPool(model, conversationKey(headers, "bench", bodies[i % bodies.length] as Uint8Array), lists, now).order.length),
  );
  if (sink < 0) throw new Error("unreachable");
  const added = Math.max(0, poolMs - member);
  return {
    addedMedianMs: round(added),
    poolMedianMs: round(poolMs),
    memberMedianMs: round(member),
    target: "<= 0.1 ms",
    met: added <= 0.1,
  };
}
