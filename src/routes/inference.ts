// The inference routes (inference/routes-table.ts): request bodies from any client, routed by their
// `model` to the right host and streamed back untouched (inference/run.ts does the work).
import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { requireUser } from "../auth/middleware.ts";
import { limitBody, tooLarge, uploadLimitBytes } from "../http/body-limit.ts";
import { rateLimit } from "../http/rate-limit.ts";
import { MAX_BODY_BYTES } from "../inference/request-body.ts";
import { readRouted } from "../inference/routed-request.ts";
import { INFERENCE_ROUTES } from "../inference/routes-table.ts";
import { runInference } from "../inference/run.ts";

export const inferenceRoutes = new Hono<AppEnv>();

const jsonLimit = limitBody(MAX_BODY_BYTES);
// Multipart uploads have their own, larger limit (wrangler.toml's MAX_UPLOAD_MIB). A declared length over
// it is refused before a byte is read; a chunked upload is counted by the reader as it streams
// (multipart-model.ts), never gathered first as hono's bodyLimit would.
const uploadLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const max = uploadLimitBytes(c.env.MAX_UPLOAD_MIB);
  if (Number(c.req.header("content-length") ?? 0) > max) throw tooLarge(max);
  await next();
};

for (const route of INFERENCE_ROUTES) {
  const limit = route.modelFrom === "multipart" ? uploadLimit : jsonLimit;
  const handle = async (c: Context<AppEnv>) => {
    const request = await readRouted(route, c.req.raw, { uploadBytes: uploadLimitBytes(c.env.MAX_UPLOAD_MIB) });
    return runInference({
      scope: c.get("scope"),
      route,
      request,
      clientHeaders: c.req.raw.headers,
      signal: c.req.raw.signal,
      user: c.get("user").userId,
      log: c.get("log"),
      onStreamEnd: c.get("stream").end,
      conversation: { headers: c.req.raw.headers, raw: request.raw },
    });
  };
  // Routes outside /v1 (llama-server's /infill, /rerank...) need the same key and limit as those under it.
  if (route.path.startsWith("/v1/")) inferenceRoutes.on(route.method, route.path, limit, handle);
  else inferenceRoutes.on(route.method, route.path, requireUser, rateLimit, limit, handle);
}
