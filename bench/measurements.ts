// The measurements. Each one runs its targets in alternating rounds (the order rotates every round),
// so that whatever else the machine is doing falls on every target alike; comparisons are made
// between targets of the same run. Every loop is bounded in count and every request in time.
import { exchange, type Target } from "./client.ts";
import { COMPLETION, sseEvents, type Pacing } from "./host-replies.ts";
import { sampleMemory } from "./memory.ts";
import { cpuMsOf, machineCpuMs } from "./proc-cpu.ts";
import { round } from "./stats.ts";

export type Progress = (line: string) => void;

const CHAT = "/v1/chat/completions";

/** Round r's order: the targets rotated by r. */
export const rotated = <T>(items: readonly T[], r: number): T[] => items.map((_, i) => items[(i + r) % items.length] as T);

const byName = <V>(targets: readonly Target[], value: () => V): Record<string, V> =>
  Object.fromEntries(targets.map((t) => [t.name, value()]));

async function chat(target: Target): Promise<number> {
  const answer = await exchange(target, { path: CHAT, body: target.chat.plain });
  if (answer.status !== 200 || !answer.body.equals(COMPLETION))
    throw new Error(`${target.name}: unexpected answer ${answer.status} ${answer.body.toString().slice(0, 200)}`);
  return answer.totalMs;
}

export interface LatencyPlan {
  warmup: number;
  rounds: number;
  perRound: number;
}

/** Non-streaming chat at concurrency 1: every request's time until the last byte. */
export async function latency(targets: readonly Target[], plan: LatencyPlan, progress: Progress): Promise<Record<string, number[]>> {
  for (const target of targets) for (let i = 0; i < plan.warmup; i++) await chat(target);
  const samples = byName<number[]>(targets, () => []);
  for (let r = 0; r < plan.rounds; r++) {
    for (const target of rotated(targets, r)) for (let i = 0; i < plan.perRound; i++) samples[target.name]?.push(await chat(target));
    progress(`latency at concurrency 1: round ${r + 1}/${plan.rounds} done`);
  }
  return samples;
}

export interface ThroughputPlan {
  concurrency: number;
  /** Per target, split evenly over the rounds. */
  seconds: number;
  rounds: number;
}

export interface Throughput {
  rps: number;
  ok: number;
  errors: number;
  seconds: number;
  /** Peak summed RSS of the target's workerd processes while it was under load (absent for `direct`). */
  peakRssBytes?: number;
  /** The CPU the load cost (absent for `direct`, which has no workerd processes). */
  underLoad?: UnderLoad;
}

/** What a target's throughput slices cost in CPU. */
export interface UnderLoad {
  /** CPU ms per answered request of the target's workerd processes. */
  cpuMsPerRequest: number;
  /**
   * The busiest of the target's workerd processes: its CPU ÷ the wall time, in cores. A process that runs
   * its isolate on one thread tops out at 1: at that point the Worker's own CPU is what sets the rate.
   */
  busiestProcessCores: number;
  /** The share of the whole machine's CPU in use meanwhile (every process, every core; 1 = all busy). */
  machineBusy: number;
}

async function load(target: Target, concurrency: number, ms: number): Promise<{ ok: number; errors: number; ms: number }> {
  const started = performance.now();
  const end = started + ms;
  let ok = 0;
  let errors = 0;
  const worker = async () => {
    while (performance.now() < end) {
      try {
        const answer = await exchange(target, { path: CHAT, body: target.chat.plain });
        if (answer.status === 200) ok++;
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ok, errors, ms: performance.now() - started };
}

/** Requests per second with `concurrency` requests always in flight; memory sampled meanwhile. */
export async function throughput(
  targets: readonly Target[],
  plan: ThroughputPlan,
  pidsOf: (t: Target) => number[],
  progress: Progress,
): Promise<Record<string, Throughput>> {
  const totals = byName(targets, () => ({
    ok: 0,
    errors: 0,
    ms: 0,
    peakRssBytes: 0,
    cpuMs: 0,
    busiestMs: 0,
    machineBusyMs: 0,
    machineMs: 0,
  }));
  const slice = (plan.seconds * 1000) / plan.rounds;
  for (let r = 0; r < plan.rounds; r++) {
    for (const target of rotated(targets, r)) {
      const pids = pidsOf(target);
      const memory = pids.length ? sampleMemory(pids) : undefined;
      const cpuBefore = pids.map((pid) => cpuMsOf([pid]));
      const machineBefore = machineCpuMs();
      const part = await load(target, plan.concurrency, slice);
      const machineAfter = machineCpuMs();
      const cpuUsed = pids.map((pid, i) => cpuMsOf([pid]) - (cpuBefore[i] as number));
      const total = totals[target.name] as (typeof totals)[string];
      total.ok += part.ok;
      total.errors += part.errors;
      total.ms += part.ms;
      total.cpuMs += cpuUsed.reduce((sum, ms) => sum + ms, 0);
      total.busiestMs += Math.max(0, ...cpuUsed);
      total.machineBusyMs += machineAfter.busy - machineBefore.busy;
      total.machineMs += machineAfter.total - machineBefore.total;
      if (memory) total.peakRssBytes = Math.max(total.peakRssBytes, memory.stop().peakRssBytes);
    }
    progress(`throughput at concurrency ${plan.concurrency}: round ${r + 1}/${plan.rounds} done`);
  }
  return Object.fromEntries(
    Object.entries(totals).map(([name, t]) => [
      name,
      {
        rps: round(t.ok / (t.ms / 1000)),
        ok: t.ok,
        errors: t.errors,
        seconds: round(t.ms / 1000),
        ...(t.peakRssBytes ? { peakRssBytes: t.peakRssBytes } : {}),
        ...(t.cpuMs && t.ok
          ? {
              underLoad: {
                cpuMsPerRequest: round(t.cpuMs / t.ok),
                busiestProcessCores: round(t.busiestMs / t.ms),
                machineBusy: round(t.machineBusyMs / t.machineMs),
              },
            }
          : {}),
      },
    ]),
  );
}

export interface StreamingPlan {
  rounds: number;
  perRound: number;
  pacing: Pacing;
}

export interface StreamingSamples {
  ttfb: number[];
  /** Time between consecutive SSE events as they arrived. */
  gaps: number[];
  streams: number;
  /** Streams whose bytes were exactly the host's. */
  identical: number;
}

/** Streamed chat: time to the first byte, the gaps between events, and the bytes themselves. */
export async function streaming(
  targets: readonly Target[],
  plan: StreamingPlan,
  progress: Progress,
): Promise<Record<string, StreamingSamples>> {
  const expected = Buffer.concat(sseEvents(plan.pacing.chunks));
  const out = byName<StreamingSamples>(targets, () => ({ ttfb: [], gaps: [], streams: 0, identical: 0 }));
  const timeoutMs = 10_000 + plan.pacing.chunks * plan.pacing.gapMs * 3;
  for (const target of targets) await exchange(target, { path: CHAT, body: target.chat.stream, timeoutMs });
  for (let r = 0; r < plan.rounds; r++) {
    for (const target of rotated(targets, r)) {
      for (let i = 0; i < plan.perRound; i++) {
        const answer = await exchange(target, { path: CHAT, body: target.chat.stream, events: true, timeoutMs });
        const samples = out[target.name] as StreamingSamples;
        samples.streams++;
        if (answer.status === 200 && answer.body.equals(expected)) samples.identical++;
        samples.ttfb.push(answer.ttfbMs);
        const times = answer.eventTimes ?? [];
        for (let k = 1; k < times.length; k++) samples.gaps.push((times[k] as number) - (times[k - 1] as number));
      }
    }
    progress(`streaming: round ${r + 1}/${plan.rounds} done`);
  }
  return out;
}

/** GET a path `count` times in a row; every answer must be a 200. */
export async function repeatedGet(target: Target, path: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await exchange(target, { path, timeoutMs: 15_000 });
    if (answer.status !== 200) throw new Error(`${target.name} ${path}: ${answer.status} ${answer.body.toString().slice(0, 200)}`);
    times.push(answer.totalMs);
  }
  return times;
}
