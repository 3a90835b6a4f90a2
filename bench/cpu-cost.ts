// What a request costs the runtime in CPU, not in time: the CPU time (user + system) the target's own
// workerd processes used over a block of requests, divided by the requests (Linux /proc). Latency on a
// shared 2-core machine moves by a millisecond between runs; the CPU a request costs moves far less, and
// it is what Cloudflare bills and limits. Targets run in alternating blocks, as everywhere in the bench.
// A process's CPU includes the local runtime's own layers (Miniflare's entry Worker, wrangler's proxy),
// which the floor pays too: read the differences.
import { exchange, type Target } from "./client.ts";
import { type Progress, rotated } from "./measurements.ts";
import { cpuMsOf } from "./proc-cpu.ts";
import { round } from "./stats.ts";

export interface CpuPlan {
  rounds: number;
  /** Plain chat requests per target and round. */
  plain: number;
  /** Streamed chat requests per target and round. */
  streams: number;
}

export interface CpuCost {
  /** CPU ms per plain chat request. */
  plainMs: number;
  /** CPU ms per streamed chat request (the whole stream). */
  streamMs: number;
}

async function block(target: Target, body: Buffer, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const answer = await exchange(target, { path: "/v1/chat/completions", body, timeoutMs: 15_000 });
    if (answer.status !== 200) throw new Error(`${target.name}: ${answer.status} ${answer.body.toString().slice(0, 200)}`);
  }
}

export async function cpuPerRequest(
  targets: readonly Target[],
  pidsOf: (t: Target) => number[],
  plan: CpuPlan,
  progress: Progress,
): Promise<Record<string, CpuCost>> {
  const measured = targets.filter((t) => pidsOf(t).length > 0);
  const used = new Map(measured.map((t) => [t.name, { plain: 0, stream: 0 }]));
  for (let r = 0; r < plan.rounds; r++) {
    for (const target of rotated(measured, r)) {
      const pids = pidsOf(target);
      const total = used.get(target.name) as { plain: number; stream: number };
      let before = cpuMsOf(pids);
      await block(target, target.chat.plain, plan.plain);
      let after = cpuMsOf(pids);
      total.plain += after - before;
      before = after;
      await block(target, target.chat.stream, plan.streams);
      after = cpuMsOf(pids);
      total.stream += after - before;
    }
    progress(`CPU per request: round ${r + 1}/${plan.rounds} done`);
  }
  return Object.fromEntries(
    [...used].map(([name, u]) => [
      name,
      { plainMs: round(u.plain / (plan.plain * plan.rounds)), streamMs: round(u.stream / (plan.streams * plan.rounds)) },
    ]),
  );
}
