// The inference routes (inference/routes-table.ts): request bodies from any client, routed by their
// `model` to the right host and streamed back untouched (inference/run.ts does the work).
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { limitBody } from "../http/body-limit.ts";
import { MAX_BODY_BYTES, parseInferenceBody } from "../inference/request-body.ts";
import { INFERENCE_ROUTES } from "../inference/routes-table.ts";
import { runInference } from "../inference/run.ts";

export const inferenceRoutes = new Hono<AppEnv>();

const limit = limitBody(MAX_BODY_BYTES);

for (const route of INFERENCE_ROUTES) {
  inferenceRoutes.post(route.path, limit, async (c) =>
    runInference({
      scope: c.get("scope"),
      route,
      body: parseInferenceBody(await c.req.arrayBuffer()),
      accept: c.req.header("accept"),
      signal: c.req.raw.signal,
      user: c.get("user").userId,
      log: c.get("log"),
      onStreamEnd: c.get("stream").end,
    }),
  );
}
