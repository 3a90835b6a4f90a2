// The relay: a host's SSE body on its way to the client. Bytes pass through as the host sent them (never
// re-encoded), counted once, and the relay reports ONE outcome when the stream ends, however it ends:
// - complete: the host finished (for chat and completions, with `data: [DONE]`). After `[DONE]` the relay
//   ends the stream itself, even if the host keeps the connection open;
// - broken: the connection failed mid-way, the host stopped before `[DONE]`, or it went silent for
//   `idleMs` (a hung llama-server keeps the socket open forever: the relay lets it go). The client then
//   gets one error event and no `[DONE]`: a cut stream must never look finished;
// - cancelled: the client left; the host's stream is cancelled with it.
// Only whole events are passed on: an event the host has not finished yet is held back until its blank
// line arrives, so that an error event written after a cut is always an event of its own and never glued
// to half a JSON line (which SDKs reject as malformed instead of reporting the error).
import type { ApiError } from "../errors.ts";
import { type HostFailure, toApiError } from "../upstream/failure.ts";
import { type Dialect, sseErrorEvent } from "./sse.ts";

export interface StreamEnd {
  end: "complete" | "broken" | "cancelled";
  /** Bytes passed to the client. */
  bytes: number;
  /** What the client was told in the stream's last event, when it broke. */
  error?: ApiError;
}

export interface RelayOptions {
  provider: string;
  /** Chat and completions streams end with `data: [DONE]`; others (Responses, Anthropic) end when the host closes. */
  endsWithDone: boolean;
  /** Longest silence between chunks before the stream counts as stalled. */
  idleMs: number;
  dialect: Dialect;
  onEnd(end: StreamEnd): void;
}

const LF = 0x0a;
const CR = 0x0d;
const DONE = new TextEncoder().encode("data: [DONE]");
const EMPTY = new Uint8Array(0);

/** Index just past the last blank line (the end of an event) in `bytes`; 0 when there is none. */
export function afterLastEvent(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i >= 1; i--) {
    const b = bytes[i];
    const prev = bytes[i - 1];
    if (b === LF && (prev === LF || (prev === CR && i >= 2 && bytes[i - 2] === LF))) return i + 1;
    if (b === CR && prev === CR) return i + 1;
  }
  return 0;
}

/** Does the last event of `bytes` (which ends at an event boundary) read `data: [DONE]`? */
function lastEventIsDone(bytes: Uint8Array): boolean {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === LF || bytes[end - 1] === CR)) end--;
  if (end < DONE.length) return false;
  const start = end - DONE.length;
  if (start > 0 && bytes[start - 1] !== LF && bytes[start - 1] !== CR) return false;
  for (let i = 0; i < DONE.length; i++) if (bytes[start + i] !== DONE[i]) return false;
  return true;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}

/**
 * The idle limit, with one timer per stream rather than one per chunk (a timer, a race and two promises
 * per chunk were most of the relay's own cost): each read notes when it began, and the timer, when it
 * fires, either finds the read waiting for `idleMs` and cancels the host's stream (the read then ends,
 * and `stalled` says why) or sleeps until the pending read could reach the limit.
 */
class IdleWatch {
  stalled = false;
  private since = -1;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly idleMs: number;
  private readonly onStall: () => void;
  constructor(idleMs: number, onStall: () => void) {
    this.idleMs = idleMs;
    this.onStall = onStall;
  }
  /** A read begins. */
  begin(): void {
    this.since = Date.now();
    if (this.timer === undefined) this.arm(this.idleMs);
  }
  /** The read returned. */
  end(): void {
    this.since = -1;
  }
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.since = -1;
  }
  private arm(ms: number): void {
    this.timer = setTimeout(() => this.check(), ms);
  }
  private check(): void {
    this.timer = undefined;
    // No read under way (the client is not asking for more): the next read arms the timer again.
    if (this.since < 0) return;
    const waited = Date.now() - this.since;
    if (waited < this.idleMs) {
      this.arm(this.idleMs - waited);
      return;
    }
    this.stalled = true;
    this.onStall();
  }
}

export function relayHostStream(body: ReadableStream<Uint8Array>, options: RelayOptions): ReadableStream<Uint8Array> {
  const { provider, endsWithDone, idleMs, dialect } = options;
  const reader = body.getReader();
  const stall: HostFailure = { kind: "stream_stalled", provider, idleMs };
  // A stalled host still holds the connection: cancelling lets it go and ends the pending read.
  const idle = new IdleWatch(idleMs, () => void reader.cancel().catch(() => {}));
  let held: Uint8Array = EMPTY;
  let bytes = 0;
  let reported = false;
  const report = (end: StreamEnd["end"], error?: ApiError) => {
    if (reported) return;
    reported = true;
    idle.stop();
    options.onEnd({ end, bytes, ...(error ? { error } : {}) });
  };
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, failure: HostFailure) => {
    // A stalled host still holds the connection: let it go (a no-op for a stream that already failed).
    reader.cancel().catch(() => {});
    const error = toApiError(failure);
    controller.enqueue(sseErrorEvent(error, dialect));
    controller.close();
    report("broken", error);
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // Loops only while the host sends parts of an event; each pass either forwards bytes or ends.
        for (;;) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          idle.begin();
          try {
            chunk = await reader.read();
          } catch (error) {
            idle.end();
            const failure = idle.stalled
              ? stall
              : { kind: "stream_broken" as const, provider, detail: error instanceof Error ? error.message : String(error) };
            return fail(controller, failure);
          }
          idle.end();
          if (idle.stalled) return fail(controller, stall);
          if (chunk.done) {
            // A host that ends its last event without the blank line: what it sent is all there is.
            const finished = !endsWithDone || (held.byteLength > 0 && lastEventIsDone(held));
            if (!finished)
              return fail(controller, { kind: "stream_broken", provider, detail: "the host closed the stream without [DONE]" });
            if (held.byteLength) {
              bytes += held.byteLength;
              controller.enqueue(held);
            }
            controller.close();
            return report("complete");
          }
          const data = held.byteLength ? concat(held, chunk.value) : chunk.value;
          const cut = afterLastEvent(data);
          if (cut === 0) {
            held = data;
            continue;
          }
          const whole = cut === data.byteLength ? data : data.subarray(0, cut);
          held = cut === data.byteLength ? EMPTY : data.subarray(cut);
          bytes += whole.byteLength;
          controller.enqueue(whole);
          if (endsWithDone && lastEventIsDone(whole)) {
            // The stream is complete; whatever the host does with its connection now is not the client's wait.
            reader.cancel().catch(() => {});
            controller.close();
            report("complete");
          }
          return;
        }
      },
      cancel(reason) {
        report("cancelled");
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
