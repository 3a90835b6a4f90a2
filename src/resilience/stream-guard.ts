// Passes a host's SSE body through chunk by chunk (the bytes are never re-encoded) and watches for
// the three ways a stream can break: the connection fails mid-way (reset, truncated), the host simply
// stops before `data: [DONE]`, or it stalls and sends nothing for too long (a hung llama-server keeps
// the socket open forever). Each way the client gets one error event and the stream ends without
// `[DONE]`: a cut stream must never look like a finished one.
import { ApiError } from "../errors.ts";
import { sseError } from "./sse-events.ts";

const DONE = new TextEncoder().encode("data: [DONE]");
const TAIL = 32;

/**
 * Silence allowed between two chunks once the stream has started. Generous on purpose: a long prompt
 * can take a minute of prompt processing before the first token, and llama-swap's loading dots come
 * every 750 ms, so only a host that has really hung stays silent this long.
 */
export const DEFAULT_STREAM_IDLE_MS = 120_000;

export const streamInterrupted = (provider: string, detail?: string): ApiError =>
  new ApiError({
    status: 502,
    type: "api_error",
    code: "provider_stream_interrupted",
    message: `The stream from provider '${provider}' broke off before it was complete.`,
    detail,
  });

function endsWithDone(tail: Uint8Array): boolean {
  // The last event, ignoring trailing line breaks, must be `data: [DONE]`.
  let end = tail.length;
  while (end > 0 && (tail[end - 1] === 0x0a || tail[end - 1] === 0x0d)) end--;
  if (end < DONE.length) return false;
  for (let i = 0; i < DONE.length; i++) if (tail[end - DONE.length + i] !== DONE[i]) return false;
  return true;
}

export type StreamOutcome = "complete" | "broken" | "cancelled";

export interface GuardOptions {
  /** Learns how the stream ended (for the log line): `complete`, `broken` (host failed), or `cancelled` (the client left; the upstream read is cancelled with it). */
  onEnd?: (outcome: StreamOutcome, bytes: number) => void;
  /** Chat and completions streams end with `data: [DONE]`; the Responses API's do not, so for those only a failed read counts as broken. Default true. */
  expectDone?: boolean;
  /** Longest silence between chunks before the stream counts as stalled. Default DEFAULT_STREAM_IDLE_MS. */
  idleMs?: number;
}

const stalled = (provider: string, idleMs: number): ApiError =>
  new ApiError({
    status: 504,
    type: "api_error",
    code: "provider_stream_stalled",
    message: `The stream from provider '${provider}' stalled: nothing arrived for ${Math.round(idleMs / 1000)} s, so the router ended it.`,
  });

/** Reads the next chunk, or rejects with `onIdle()`'s error when none comes within `idleMs`. */
function readWithin<T>(reader: ReadableStreamDefaultReader<T>, idleMs: number, onIdle: () => ApiError): Promise<ReadableStreamReadResult<T>> {
  let timer = 0;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onIdle()), idleMs);
  });
  return Promise.race([reader.read(), idle]).finally(() => clearTimeout(timer));
}

export function guardSseStream(body: ReadableStream<Uint8Array>, provider: string, options: GuardOptions = {}): ReadableStream<Uint8Array> {
  const { onEnd, expectDone = true, idleMs = DEFAULT_STREAM_IDLE_MS } = options;
  const reader = body.getReader();
  let tail: Uint8Array = new Uint8Array(0);
  let bytes = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await readWithin(reader, idleMs, () => stalled(provider, idleMs));
      } catch (error) {
        const apiError = error instanceof ApiError ? error : streamInterrupted(provider, error instanceof Error ? error.message : String(error));
        // A stalled host still holds the connection: let it go (a no-op for a stream that already failed).
        reader.cancel(apiError).catch(() => {});
        controller.enqueue(sseError(apiError));
        controller.close();
        onEnd?.("broken", bytes);
        return;
      }
      if (chunk.done) {
        if (!expectDone || endsWithDone(tail)) {
          onEnd?.("complete", bytes);
        } else {
          controller.enqueue(sseError(streamInterrupted(provider, "the host closed the stream without [DONE]")));
          onEnd?.("broken", bytes);
        }
        controller.close();
        return;
      }
      const value = chunk.value;
      bytes += value.byteLength;
      if (value.byteLength >= TAIL) {
        tail = value.subarray(value.byteLength - TAIL);
      } else {
        const joined = new Uint8Array(Math.min(TAIL, tail.length + value.byteLength));
        const keep = joined.length - value.byteLength;
        joined.set(tail.subarray(tail.length - keep), 0);
        joined.set(value, keep);
        tail = joined;
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      onEnd?.("cancelled", bytes);
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
