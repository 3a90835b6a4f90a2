// Gives every request an id (the `x-request-id` response header) and writes ONE structured JSON line
// per request: request id, user and key id, provider, composite model, status, time to first byte,
// duration, bytes, the fallback taken, the error. For a streamed answer the line is written when the
// stream ends (the relay or the cold-load keep-alive reports how: `streams/`), so duration, bytes and
// the error of a stream that broke after its 200 are the stream's own. Never logged: keys, tokens,
// secrets, prompts, bodies. A busy isolate writes its lines in groups (log-batch.ts). Read the lines
// with `wrangler tail --format json`. The same fields go to Analytics Engine when a `USAGE` dataset is
// bound (usage.ts).
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { createScope } from "../scope.ts";
import type { StreamEnd } from "../streams/relay.ts";
import { isEventStream } from "../streams/sse.ts";
import { writeLogLine } from "./log-batch.ts";
import { recordUsage } from "./usage.ts";

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Where a streamed body reports its end; the log line waits for it. First report wins. */
export class StreamReport {
  private ended: StreamEnd | undefined;
  private listener: ((end: StreamEnd) => void) | undefined;
  readonly end = (end: StreamEnd): void => {
    if (this.ended) return;
    this.ended = end;
    this.listener?.(end);
  };
  whenEnded(listener: (end: StreamEnd) => void): void {
    if (this.ended) listener(this.ended);
    else this.listener = listener;
  }
}

/**
 * Sets a header on the finished response in place. Hono's `c.header` copies a finished response
 * into a new one for every header it sets; on the hot path that is two copies per request. Headers
 * of a response the router built itself are mutable; a frozen set (a fetch() response) falls back.
 */
function setHeader(c: Context<AppEnv>, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.header(name, value);
  }
}

export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = performance.now();
  const requestId = crypto.randomUUID();
  c.set("requestId", requestId);
  const scope = createScope(c.env, c.executionCtx);
  c.set("scope", scope);
  const log: AppEnv["Variables"]["log"] = {};
  c.set("log", log);
  const stream = new StreamReport();
  c.set("stream", stream);
  await next();
  const ttfb = round(performance.now() - started);
  setHeader(c, "x-request-id", requestId);
  // No answer of the router's is ever sniffed into something a browser would run.
  setHeader(c, "x-content-type-options", "nosniff");
  if (log.provider) setHeader(c, "x-llama-edge-provider", log.provider);

  const write = (fields: { ms: number; bytes?: number; end?: string }) => {
    const status = c.res.status;
    if (c.env.REQUEST_LOG !== "off")
      writeLogLine(
        JSON.stringify({
          rid: requestId,
          method: c.req.method,
          path: c.req.path,
          status,
          ttfb_ms: ttfb,
          ...log,
          ...fields,
        }),
        scope.waitUntil,
      );
    if (c.env.USAGE) recordUsage(c.env, { ...log, ...fields, status, ttfb_ms: ttfb });
  };

  if (c.res.body && isEventStream(c.res.headers.get("content-type"))) {
    stream.whenEnded((end) => {
      log.stream = end.end;
      if (end.error) {
        log.error = end.error.code;
        if (end.error.detail) log.detail = end.error.detail.slice(0, 500);
      }
      write({ ms: round(performance.now() - started), bytes: end.bytes, end: end.end });
    });
    return;
  }
  const length = c.res.headers.get("content-length");
  write({ ms: ttfb, ...(length ? { bytes: Number(length) } : {}) });
});
