// Cold loads: a big model takes 10-120 s to load before its first byte, and phones drop a connection
// that is idle for 60 s (Cloudflare itself gives up on a silent origin after ~100 s). For a streaming
// request still waiting after a threshold, the router commits to `200 text/event-stream` and sends an
// SSE comment (`: loading <id>`) at once and then every 15 s, which every SSE client ignores (in both
// OpenAI's and Anthropic's protocol), until the host answers. Then the host's stream follows; if the host
// fails instead, or answers with something that is not a stream, one error event ends the stream without
// `[DONE]` (the status is already 200, so the failure has to travel in the body), and the request's log
// line records that error.
import { ApiError, internalError } from "../errors.ts";
import { HostError, toApiError } from "../upstream/failure.ts";
import type { StreamEnd } from "./relay.ts";
import { type Dialect, isEventStream, SSE_HEADERS, sseComment, sseErrorEvent } from "./sse.ts";

export const KEEPALIVE_INTERVAL_MS = 15_000;

export interface Answer {
  response: Response;
  /** The provider that answered (it may be a fallback). */
  provider: string;
}

export interface KeepAliveOptions {
  /** The host's answer: its stream (already relayed), or a rejection with the failure. */
  answer: Promise<Answer>;
  /** The composite model id, for the comment line. */
  modelId: string;
  thresholdMs: number;
  intervalMs?: number;
  dialect: Dialect;
  /** Called when the client leaves while the router is still waiting: cancel the upstream request. */
  onClientGone(): void;
  /** How the stream ended when the keep-alive itself ended it (the relay reports streams it carried). */
  onEnd(end: StreamEnd): void;
}

/** `answered`: the host answered within the threshold, use its answer as it is. `kept_alive`: the client gets this stream. */
export type Waited = { kind: "answered" } | { kind: "kept_alive"; response: Response };

const asApiError = (error: unknown): ApiError =>
  error instanceof HostError ? toApiError(error.failure) : error instanceof ApiError ? error : internalError(String(error));

export async function waitOrKeepAlive(options: KeepAliveOptions): Promise<Waited> {
  // Errors are handled where the answer is consumed; keep an early rejection from being "unhandled".
  const settled = options.answer.then(
    () => "answered" as const,
    () => "answered" as const,
  );
  let timer = 0;
  const threshold = new Promise<"waiting">((resolve) => {
    timer = setTimeout(() => resolve("waiting"), options.thresholdMs);
  });
  const first = await Promise.race([settled, threshold]);
  clearTimeout(timer);
  if (first === "answered") return { kind: "answered" };

  let keepalive = 0;
  let clientGone = false;
  let sent = 0;
  let upstream: ReadableStreamDefaultReader<Uint8Array> | undefined;
  // Resolves with the host's stream to forward, or undefined once the stream has been ended here.
  let ready: Promise<ReadableStreamDefaultReader<Uint8Array> | undefined> = Promise.resolve(undefined);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (bytes: Uint8Array) => {
        sent += bytes.byteLength;
        controller.enqueue(bytes);
      };
      const notice = () => send(sseComment(`loading ${options.modelId}`));
      notice();
      keepalive = setInterval(notice, options.intervalMs ?? KEEPALIVE_INTERVAL_MS);
      const fail = (error: ApiError) => {
        send(sseErrorEvent(error, options.dialect));
        controller.close();
        options.onEnd({ end: "broken", bytes: sent, error });
        return undefined;
      };
      ready = options.answer.then(
        ({ response, provider }) => {
          clearInterval(keepalive);
          if (clientGone) {
            response.body?.cancel().catch(() => {});
            return undefined;
          }
          if (!isEventStream(response.headers.get("content-type")) || !response.body) {
            response.body?.cancel().catch(() => {});
            return fail(
              toApiError({ kind: "not_a_stream", provider, contentType: response.headers.get("content-type") ?? "no content type" }),
            );
          }
          upstream = response.body.getReader();
          return upstream;
        },
        (error: unknown) => {
          clearInterval(keepalive);
          return clientGone ? undefined : fail(asApiError(error));
        },
      );
    },
    async pull(controller) {
      const reader = await ready;
      if (!reader) return;
      const chunk = await reader.read();
      if (chunk.done) controller.close();
      else controller.enqueue(chunk.value);
    },
    cancel(reason) {
      clearInterval(keepalive);
      clientGone = true;
      if (upstream) return upstream.cancel(reason);
      options.onClientGone();
      options.onEnd({ end: "cancelled", bytes: sent });
      return undefined;
    },
  });
  return { kind: "kept_alive", response: new Response(body, { status: 200, headers: SSE_HEADERS }) };
}
