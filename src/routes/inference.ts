// The inference routes (inference/routes-table.ts): request bodies from any client, routed by their
// `model` to the right host and streamed back untouched (inference/run.ts does the work).
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { MAX_BODY_BYTES, parseInferenceBody } from "../inference/request-body.ts";
import { INFERENCE_ROUTES } from "../inference/routes-table.ts";
import { runInference } from "../inference/run.ts";

export const inferenceRoutes = new Hono<AppEnv>();

const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError({
      status: 413,
      type: "invalid_request_error",
      code: "request_too_large",
      message: `The request body is larger than ${MAX_BODY_BYTES / (1024 * 1024)} MiB.`,
    });
  },
});

for (const route of INFERENCE_ROUTES) {
  inferenceRoutes.post(route.path, limitBody, async (c) => {
    const raw = await c.req.arrayBuffer();
    return runInference({
      scope: c.get("scope"),
      route,
      body: parseInferenceBody(raw),
      accept: c.req.header("accept"),
      signal: c.req.raw.signal,
      user: c.get("user").userId,
      log: c.get("log"),
      onStreamEnd: c.get("stream").end,
      conversation: { headers: c.req.raw.headers, raw: new Uint8Array(raw) },
    });
  });
}
