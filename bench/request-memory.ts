// Peak memory for one large request (issue 16: at most 3x the body): a fresh runtime for the floor and
// one for the router, warmed with small requests, then one large request; the rise of the workerd
// processes' high-water mark of resident memory (VmHWM) is what that request took at its peak, the
// runtime's own buffering included (the floor's rise shows that part).
//
// Two warm-ups: "cold", small chat requests only, so the large body is the first long one the isolate
// sees (the runtime and V8 grow their buffers and heaps for it then, and the rise is larger); and
// "warm", the same plus a few 256 KiB bodies first (floor and router alike), as in an isolate that has
// served long conversations before. The target holds for both.
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

export interface LargeRequest {
  path: string;
  body: Buffer;
  headers?: Record<string, string>;
}

/**
 * The high-water mark's rise, in bytes, for one `request` after `warmup` small chat requests and the
 * `warmBodies` (each sent as a chat request); undefined when the request's route answers 404 (not wired).
 */
export async function peakForOneRequest(
  target: Target,
  pids: readonly number[],
  request: LargeRequest,
  warmup: number,
  warmBodies: readonly Buffer[] = [],
): Promise<number | undefined> {
  for (let i = 0; i < warmup; i++) await exchange(target, { path: "/v1/chat/completions", body: target.chat.plain });
  for (const body of warmBodies) await exchange(target, { path: "/v1/chat/completions", body, timeoutMs: 30_000 });
  const before = highWaterMark(pids);
  const answer = await exchange(target, { ...request, timeoutMs: 60_000 });
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw new Error(`${target.name}: ${answer.status} ${answer.body.toString().slice(0, 200)}`);
  return highWaterMark(pids) - before;
}

/** A multipart/form-data transcription upload: the `model` part first (as docs/clients.md advises), then `bytes` of audio. */
export function transcriptionUpload(model: string, bytes: number): { body: Buffer; contentType: string } {
  const boundary = "----llama-edge-bench-7d1f3a";
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\n${model}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="speech.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  // Audio-like bytes that never spell the boundary.
  const audio = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) audio[i] = (i * 31 + (i >> 9)) & 0x7f;
  return { body: Buffer.concat([head, audio, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}
