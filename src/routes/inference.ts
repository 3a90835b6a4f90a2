// POST /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/responses: OpenAI request bodies
// from any client, routed by their `model` to the right host and streamed back untouched.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { forwardInference, type Endpoint } from "../inference/forward.ts";
import { MAX_BODY_BYTES, parseInferenceBody } from "../inference/request-body.ts";
import { resolveModel } from "../inference/resolve-model.ts";
import { loadRegistry } from "../registry/loader.ts";

export const inferenceRoutes = new Hono<AppEnv>();

const ENDPOINTS: readonly Endpoint[] = ["/chat/completions", "/completions", "/embeddings", "/responses"];

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

for (const endpoint of ENDPOINTS) {
  inferenceRoutes.post(endpoint, limitBody, async (c) => {
    const body = parseInferenceBody(await c.req.arrayBuffer());
    const registry = await loadRegistry(c.env);
    const target = await resolveModel(c.env, c.executionCtx as ExecutionContext, registry, body.model);
    const log = c.get("log");
    log.provider = target.provider.id;
    log.model = target.compositeId;
    return forwardInference(c.env, target, { endpoint, body, accept: c.req.header("accept"), signal: c.req.raw.signal });
  });
}
