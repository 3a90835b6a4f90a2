// Which error shape a request gets, decided from its path before anything else runs, so that even a 401
// on /v1/messages is in Anthropic's shape: the Messages routes speak Anthropic's, and so does the model
// list when asked with an `anthropic-version` header (as Anthropic's SDKs do); everything else OpenAI's.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { dialectOfPath } from "../inference/routes-table.ts";

export const dialect = createMiddleware<AppEnv>(async (c, next) => {
  const path = c.req.path;
  const chosen =
    dialectOfPath(path) ?? (path.startsWith("/v1/models") && c.req.header("anthropic-version") !== undefined ? "anthropic" : undefined);
  if (chosen) c.set("dialect", chosen);
  await next();
});
