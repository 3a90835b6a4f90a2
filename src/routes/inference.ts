// POST /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/responses: OpenAI request bodies
// from any client, routed by their `model` to the right host and streamed back untouched. Around
// the forwarding: fallbacks and the circuit breaker (inference/attempts.ts) and, for streams, the
// cold-load keep-alive (resilience/cold-load.ts).
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { runAttempts, skippedHeader } from "../inference/attempts.ts";
import { forwardInference, type Endpoint } from "../inference/forward.ts";
import { MAX_BODY_BYTES, parseInferenceBody, readBodyBytes } from "../inference/request-body.ts";
import { resolveModel } from "../inference/resolve-model.ts";
import { loadRegistry } from "../registry/loader.ts";
import { DEFAULT_LOADING_NOTICE_MS, withLoadingNotice } from "../resilience/cold-load.ts";

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
    const body = parseInferenceBody(await readBodyBytes(c.req.raw));
    const registry = await loadRegistry(c.env);
    const ctx = c.executionCtx as ExecutionContext;
    const first = await resolveModel(c.env, ctx, registry, body.model);
    // The request's own fallbacks are input: a bad one is a 400 now, before any host is asked.
    const requested = await Promise.all(
      body.fallbacks.map((id, i) =>
        resolveModel(c.env, ctx, registry, id).catch((error: unknown) => {
          if (!(error instanceof ApiError)) throw error;
          const { status, type, code, headers, detail } = error;
          throw new ApiError({ status, type, code, headers, detail, message: `models[${i}]: ${error.message}`, param: "models" });
        }),
      ),
    );
    const log = c.get("log");
    log.provider = first.provider.id;
    log.model = first.compositeId;

    // Aborted when the client leaves (the request's signal), or when it leaves a kept-alive stream
    // (only streams have one, so only they pay for a second signal).
    const gone = body.stream ? new AbortController() : undefined;
    const signal = gone ? AbortSignal.any([c.req.raw.signal, gone.signal]) : c.req.raw.signal;
    const attempt = runAttempts(
      {
        first,
        requested,
        resolveLater: (id) => resolveModel(c.env, ctx, registry, id).catch(() => undefined),
      },
      (target) =>
        forwardInference(c.env, target, { endpoint, body, accept: c.req.header("accept"), signal, onStreamEnd: (outcome) => void (log.stream = outcome) }),
    ).then(({ response, target, skipped }) => {
      log.provider = target.provider.id;
      if (target !== first) log.fallback = target.compositeId;
      if (skipped.length) response.headers.set("x-llama-edge-skipped", skippedHeader(skipped));
      return response;
    });

    if (!body.stream) return attempt;
    const answer = attempt.catch((error: unknown) => {
      if (error instanceof ApiError) return error.toResponse();
      throw error;
    });
    const response = await withLoadingNotice({
      answer,
      modelId: first.compositeId,
      thresholdMs: first.provider.timeouts.loadingNoticeMs ?? DEFAULT_LOADING_NOTICE_MS,
      onClientGone: () => gone?.abort(new Error("client left during a cold load")),
    });
    // Settled before the threshold: the host's own answer, or its error through app.onError.
    return response.headers.has("x-llama-edge-loading") ? response : attempt;
  });
}
