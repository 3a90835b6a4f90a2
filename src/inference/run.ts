// One inference request from parsed body to the answer: resolve the model and the request's own
// fallbacks (bad ones are 400s before any host is asked), try the candidates (attempts.ts), and for a
// stream still waiting on a cold load, keep the client's connection alive (streams/keep-alive.ts).
// Failures travel as HostError values to app.onError, or, once a stream has been committed to, as the
// stream's last event.
import type { RequestLog } from "../env.ts";
import { ApiError } from "../errors.ts";
import { resolve, resolveForInference, inferenceError, type ResolvedModel } from "../resolve.ts";
import type { Scope } from "../scope.ts";
import { waitOrKeepAlive, type Answer } from "../streams/keep-alive.ts";
import type { StreamEnd } from "../streams/relay.ts";
import { runAttempts, skippedHeader } from "./attempts.ts";
import { forwardInference } from "./forward.ts";
import type { RoutedRequest } from "./routed-request.ts";
import type { InferenceRoute } from "./routes-table.ts";

export interface InferenceJob {
  scope: Scope;
  route: InferenceRoute;
  request: RoutedRequest;
  clientHeaders: Headers;
  /** The client's request signal. */
  signal: AbortSignal;
  user: string;
  log: RequestLog;
  onStreamEnd(end: StreamEnd): void;
}

/** `models[i]` names the entry in a request's own fallback list that was refused. */
async function resolveRequested(scope: Scope, ids: readonly string[]): Promise<ResolvedModel[]> {
  return Promise.all(
    ids.map(async (id, i) => {
      const resolution = await resolve(scope, id);
      if (resolution.ok) return resolution.target;
      const error = inferenceError(id, resolution, "models");
      throw new ApiError({ status: error.status, type: error.type, code: error.code, param: "models", message: `models[${i}]: ${error.message}` });
    }),
  );
}

export async function runInference(job: InferenceJob): Promise<Response> {
  const { scope, request: body, log } = job;
  const first = await resolveForInference(scope, body.model);
  const requested = await resolveRequested(scope, body.fallbacks);
  log.provider = first.provider.id;
  log.model = first.compositeId;

  // Aborted when the client leaves (the request's signal), or when it leaves a kept-alive stream
  // (only streams have one, so only they pay for a second signal).
  const gone = body.stream ? new AbortController() : undefined;
  const signal = gone ? AbortSignal.any([job.signal, gone.signal]) : job.signal;
  const resolveLater = async (id: string) => {
    const resolution = await resolve(scope, id);
    return resolution.ok ? resolution.target : undefined;
  };
  const attempt: Promise<Answer> = runAttempts({ first, requested, resolveLater, user: job.user }, (target) =>
    forwardInference(scope, target, { route: job.route, request: body, clientHeaders: job.clientHeaders, signal, onStreamEnd: job.onStreamEnd }),
  ).then(({ response, target, skipped }) => {
    log.provider = target.provider.id;
    if (target !== first) log.fallback = target.compositeId;
    if (skipped.length) response.headers.set("x-llama-edge-skipped", skippedHeader(skipped));
    return { response, provider: target.provider.id };
  });

  if (!body.stream) return (await attempt).response;
  const waited = await waitOrKeepAlive({
    answer: attempt,
    modelId: first.compositeId,
    thresholdMs: first.provider.timeouts.loadingNoticeMs,
    dialect: job.route.dialect,
    onClientGone: () => gone?.abort(new Error("client left during a cold load")),
    onEnd: job.onStreamEnd,
  });
  // Settled before the threshold: the host's own answer, or its failure through app.onError.
  return waited.kind === "answered" ? (await attempt).response : waited.response;
}
