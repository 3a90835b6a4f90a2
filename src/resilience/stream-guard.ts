// Passes a host's SSE body through chunk by chunk (the bytes are never re-encoded) and watches for
// the two ways a stream can break: the connection fails mid-way (reset, truncated), or the host simply
// stops before `data: [DONE]`. Either way the client gets one error event and the stream ends without
// `[DONE]`: a cut stream must never look like a finished one.
import { ApiError } from "../errors.ts";
import { sseError } from "./sse-events.ts";

const DONE = new TextEncoder().encode("data: [DONE]");
const TAIL = 32;

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

/**
 * `expectDone`: chat and completions streams end with `data: [DONE]`; the Responses API's do not, so
 * for those only a failed read counts as broken.
 * `onEnd` learns how the stream ended (for the log line and the circuit breaker): `complete`, `broken`
 * (host failed), or `cancelled` (the client left; the upstream read is cancelled with it).
 */
export function guardSseStream(
  body: ReadableStream<Uint8Array>,
  provider: string,
  onEnd?: (outcome: "complete" | "broken" | "cancelled", bytes: number) => void,
  expectDone = true,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let tail: Uint8Array = new Uint8Array(0);
  let bytes = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        controller.enqueue(sseError(streamInterrupted(provider, error instanceof Error ? error.message : String(error))));
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
