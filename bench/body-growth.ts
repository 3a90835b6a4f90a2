// How the router's own cost grows with the request body (issue 16): a chat request of 1 KiB to 3.5 MiB
// through the floor and the router, interleaved, and the slope of router − floor in ms per MiB, beside
// what one JSON.parse of the same body costs (measured in this process, on the same bytes, in the same
// run: the engine is V8 in both).
import { exchange, type Target } from "./client.ts";
import { COMPLETION } from "./host-replies.ts";
import type { Progress } from "./measurements.ts";
import { median, round } from "./stats.ts";

export const GROWTH_SIZES = [1024, 64 * 1024, 512 * 1024, 2 * 1024 * 1024, 3.5 * 1024 * 1024];
const MiB = 1024 * 1024;

/** A chat request of about `bytes` bytes: a long conversation with some escapes and non-ASCII text. */
export function chatOfSize(model: string, bytes: number): Buffer {
  const base = Buffer.byteLength(JSON.stringify({ model, messages: [], max_tokens: 16 }));
  const turn = (i: number, length: number) => ({
    role: i % 2 ? "assistant" : "user",
    content: `${'Turn ü "quoted" \\ text, '.repeat(Math.ceil(length / 26)).slice(0, length)}`,
  });
  const perTurn = 2048;
  const messages: { role: string; content: string }[] = [];
  let size = base;
  while (size < bytes) {
    const want = Math.max(1, Math.min(perTurn, bytes - size - 40));
    const m = turn(messages.length, want);
    messages.push(m);
    size += Buffer.byteLength(JSON.stringify(m)) + 1;
  }
  return Buffer.from(JSON.stringify({ model, messages, max_tokens: 16 }));
}

export interface GrowthPlan {
  rounds: number;
  perRound: number;
}

export interface GrowthFigures {
  sizes: { bytes: number; floorMs: number; routerMs: number; routerMinusFloorMs: number }[];
  /** Least-squares slope of router − floor over the body size. */
  slopeMsPerMiB: number;
  /** One JSON.parse of the largest body, per MiB (this process): the median of batches timed between rounds. */
  jsonParseMsPerMiB: number;
  /** The fastest of those batches. */
  jsonParseBestMsPerMiB: number;
}

function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return num / den;
}

/** Milliseconds per MiB of `work` on `body`, for three batches of five. */
function perMiB(body: Buffer, work: (b: Buffer) => unknown): number[] {
  const figures: number[] = [];
  for (let batch = 0; batch < 3; batch++) {
    const started = performance.now();
    for (let i = 0; i < 5; i++) work(body);
    figures.push((performance.now() - started) / 5 / (body.byteLength / MiB));
  }
  return figures;
}

export async function bodyGrowth(
  floor: Target,
  router: Target,
  modelOf: (t: Target) => string,
  plan: GrowthPlan,
  progress: Progress,
): Promise<GrowthFigures> {
  const bodies = new Map(
    GROWTH_SIZES.map((size) => [size, { floor: chatOfSize(modelOf(floor), size), router: chatOfSize(modelOf(router), size) }]),
  );
  const samples = new Map(GROWTH_SIZES.map((size) => [size, { floor: [] as number[], router: [] as number[] }]));
  const send = async (target: Target, body: Buffer) => {
    const answer = await exchange(target, { path: "/v1/chat/completions", body, timeoutMs: 30_000 });
    if (answer.status !== 200 || !answer.body.equals(COMPLETION))
      throw new Error(`${target.name}: ${answer.status} ${answer.body.toString().slice(0, 200)}`);
    return answer.totalMs;
  };
  for (const size of GROWTH_SIZES) for (const t of [floor, router]) await send(t, bodies.get(size)![t === floor ? "floor" : "router"]);
  // The reference is timed between the rounds, so that it meets the same machine as the requests (a
  // single timing moved by 2x within one run), and summarised as they are, by its median.
  const largest = bodies.get(GROWTH_SIZES.at(-1)!)!.router;
  const largestText = largest.toString("utf8");
  const parse = () => JSON.parse(largestText);
  perMiB(largest, parse); // warm-up: V8 compiles the parse path first
  const parseFigures: number[] = [];
  for (let r = 0; r < plan.rounds; r++) {
    const order = r % 2 ? [router, floor] : [floor, router];
    for (const size of GROWTH_SIZES) {
      for (const t of order) {
        const which = t === floor ? "floor" : "router";
        for (let i = 0; i < plan.perRound; i++) samples.get(size)![which].push(await send(t, bodies.get(size)![which]));
      }
    }
    parseFigures.push(...perMiB(largest, parse));
    progress(`body growth: round ${r + 1}/${plan.rounds} done`);
  }
  const sizes = GROWTH_SIZES.map((bytes) => {
    const s = samples.get(bytes)!;
    const floorMs = median(s.floor);
    const routerMs = median(s.router);
    return { bytes, floorMs: round(floorMs), routerMs: round(routerMs), routerMinusFloorMs: round(routerMs - floorMs) };
  });
  return {
    sizes,
    slopeMsPerMiB: round(slope(sizes.map((s) => ({ x: s.bytes / MiB, y: s.routerMinusFloorMs })))),
    jsonParseMsPerMiB: round(median(parseFigures)),
    jsonParseBestMsPerMiB: round(Math.min(...parseFigures)),
  };
}
