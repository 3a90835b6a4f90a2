// Gives every request an id (the `x-request-id` response header) and writes ONE structured JSON line
// per request: request id, user and key id, provider, composite model, status, time to first byte,
// duration, bytes, the fallback taken. For a streamed answer the line is written when the stream ends
// (or the client leaves), so duration and bytes are the stream's own. Never logged: keys, tokens,
// secrets, prompts, bodies. Read the lines with `wrangler tail --format json`. The same fields go to
// Analytics Engine when a `USAGE` dataset is bound (usage.ts).
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { meteredStream } from "./metered-stream.ts";
import { recordUsage } from "./usage.ts";

const round = (ms: number) => Math.round(ms * 10) / 10;

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
  const log: AppEnv["Variables"]["log"] = {};
  c.set("log", log);
  await next();
  const ttfb = round(performance.now() - started);
  setHeader(c, "x-request-id", requestId);
  if (log.provider) setHeader(c, "x-llama-edge-provider", log.provider);

  const write = (fields: { ms: number; bytes?: number; end?: string }) => {
    const status = c.res.status;
    console.log(JSON.stringify({ rid: requestId, method: c.req.method, path: new URL(c.req.url).pathname, status, ttfb_ms: ttfb, ...log, ...fields }));
    recordUsage(c.env, { ...log, ...fields, status, ttfb_ms: ttfb });
  };

  const res = c.res;
  if (res.body && (res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    c.res = new Response(
      meteredStream(res.body, (bytes, outcome) => write({ ms: round(performance.now() - started), bytes, end: outcome })),
      res,
    );
    return;
  }
  const length = res.headers.get("content-length");
  write({ ms: ttfb, ...(length ? { bytes: Number(length) } : {}) });
});
