// Peak memory for one large request (issue 16: at most 3x the body): a fresh runtime for the floor and
// one for the router, warmed with small requests, then one 3.5 MiB chat request; the rise of the
// workerd processes' high-water mark of resident memory (VmHWM) is what that request took at its peak,
// the runtime's own buffering included (the floor's rise shows that part).
import { readFileSync } from "node:fs";
import { exchange, type Target } from "./client.ts";

function highWaterMark(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => {
    try {
      const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      return sum + (match ? Number(match[1]) * 1024 : 0);
    } catch {
      return sum;
    }
  }, 0);
}

/** The high-water mark's rise, in bytes, for one request with `body` after `warmup` small ones. */
export async function peakForOneRequest(target: Target, pids: readonly number[], body: Buffer, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await exchange(target, { path: "/v1/chat/completions", body: target.chat.plain });
  const before = highWaterMark(pids);
  const answer = await exchange(target, { path: "/v1/chat/completions", body, timeoutMs: 30_000 });
  if (answer.status !== 200) throw new Error(`${target.name}: ${answer.status} ${answer.body.toString().slice(0, 200)}`);
  return highWaterMark(pids) - before;
}
