// Cold loads: a big model takes 10-120 s to load before its first byte, and phones drop a connection
// that is idle for 60 s (Cloudflare itself gives up on a silent origin after ~100 s). For a streaming
// request still waiting after a threshold, the router commits to `200 text/event-stream` and sends an
// SSE comment (`: loading <id>`) at once and then every 15 s, which every SSE client ignores, until the
// host answers. Then the host's stream follows; if the host fails instead, one error event ends the
// stream without `[DONE]` (the status is already 200, so the failure has to travel in the body).
import { ApiError, internalError } from "../errors.ts";
import { SSE_HEADERS, sseComment, sseError } from "./sse-events.ts";

export const DEFAULT_LOADING_NOTICE_MS = 5_000;
export const KEEPALIVE_INTERVAL_MS = 15_000;

export interface ColdLoadOptions {
  /** Resolves with the response the client should get (a stream, or an OpenAI-shaped error), or throws ApiError. */
  answer: Promise<Response>;
  /** The composite model id, for the comment line. */
  modelId: string;
  thresholdMs: number;
  intervalMs?: number;
  /** Called when the client leaves while the router is still waiting: cancel the upstream request. */
  onClientGone: () => void;
}

async function errorEventFrom(response: Response): Promise<Uint8Array> {
  try {
    return sseError((await response.json()) as { error: unknown });
  } catch {
    return sseError(internalError("unreadable error response"));
  }
}

/** Resolves with the host's own answer when it comes within the threshold, else with a kept-alive stream. */
export async function withLoadingNotice(options: ColdLoadOptions): Promise<Response> {
  // Errors are handled where the answer is consumed; keep an early rejection from being "unhandled".
  const settled = options.answer.then(() => "answered" as const, () => "answered" as const);
  let timer = 0;
  const threshold = new Promise<"waiting">((resolve) => {
    timer = setTimeout(() => resolve("waiting"), options.thresholdMs);
  });
  const first = await Promise.race([settled, threshold]);
  clearTimeout(timer);
  if (first === "answered") return options.answer;

  let keepalive = 0;
  let clientGone = false;
  let upstream: ReadableStreamDefaultReader<Uint8Array> | undefined;
  // Resolves with the host's stream to forward, or undefined once the stream has been ended here.
  let ready: Promise<ReadableStreamDefaultReader<Uint8Array> | undefined> = Promise.resolve(undefined);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const notice = () => controller.enqueue(sseComment(`loading ${options.modelId}`));
      notice();
      keepalive = setInterval(notice, options.intervalMs ?? KEEPALIVE_INTERVAL_MS);
      const fail = (event: Uint8Array) => {
        controller.enqueue(event);
        controller.close();
        return undefined;
      };
      ready = options.answer.then(
        async (response) => {
          clearInterval(keepalive);
          if (clientGone) return undefined;
          if (!response.ok || !response.body) return fail(await errorEventFrom(response));
          upstream = response.body.getReader();
          return upstream;
        },
        (error: unknown) => {
          clearInterval(keepalive);
          if (clientGone) return undefined;
          return fail(sseError(error instanceof ApiError ? error : internalError(String(error))));
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
      if (!upstream) options.onClientGone();
      return upstream?.cancel(reason);
    },
  });
  return new Response(body, { status: 200, headers: { ...SSE_HEADERS, "x-llama-edge-loading": "1" } });
}
