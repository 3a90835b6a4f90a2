// Gives every request an id (the `x-request-id` response header) and writes ONE structured JSON line
// per request when its response starts. Handlers add fields through `c.get("log")`. Never logged:
// keys, tokens, secrets, prompts, bodies. Read the lines with `wrangler tail --format json`.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";

export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = performance.now();
  const requestId = crypto.randomUUID();
  c.set("requestId", requestId);
  const log: AppEnv["Variables"]["log"] = {};
  c.set("log", log);
  await next();
  c.header("x-request-id", requestId);
  if (log.provider) c.header("x-llama-edge-provider", log.provider);
  const line = {
    rid: requestId,
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    status: c.res.status,
    ms: Math.round((performance.now() - started) * 10) / 10,
    ...log,
  };
  console.log(JSON.stringify(line));
});
