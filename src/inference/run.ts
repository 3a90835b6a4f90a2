// One inference request from parsed body to the answer: resolve the model and the request's own
// fallbacks (bad ones are 4xx before any host is asked), for a pool model order its members
// (pools/route-request.ts), try the candidates (attempts.ts), and for a stream still waiting on a cold
// load, keep the client's connection alive (streams/keep-alive.ts). Failures travel as HostError values
// to app.onError, or, once a stream has been committed to, as the stream's last event.
import type { RequestLog } from "../env.ts";
import { ApiError } from "../errors.ts";
import { begin } from "../pools/memory.ts";
import { planPoolRequest, recordAnswer, routeOf, type ConversationInput, type PoolRouting } from "../pools/route-request.ts";
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
  /** What a pool reads to keep a conversation on one member: the headers and the body's bytes. */
  conversation: ConversationInput;
}

/** A pool in the request's own `models` stands for its members, in the operator's order. */
async function resolveRequested(scope: Scope, ids: readonly string[]): Promise<ResolvedModel[]> {
  const lists = await Promise.all(
    ids.map(async (id, i) => {
      const resolution = await resolve(scope, id);
      if (resolution.ok) return resolution.pool ? resolution.pool.members : [resolution.target];
      // `models[i]` names the entry in a request's own fallback list that was refused.
      const error = inferenceError(id, resolution, "models");
      throw new ApiError({
        status: error.status,
        type: error.type,
        code: error.code,
        param: "models",
        message: `models[${i}]: ${error.message}`,
      });
    }),
  );
  return lists.flat();
}

function setHeader(response: Response, name: string, value: string): void {
  try {
    response.headers.set(name, value);
  } catch {
    // A frozen set of headers (a fetch() response passed through) cannot take it; the log line still can.
  }
}

/** A controller that aborts when `source` does, and can also be aborted on its own. */
function followed(source: AbortSignal): AbortController {
  const controller = new AbortController();
  if (source.aborted) controller.abort(source.reason);
  else source.addEventListener("abort", () => controller.abort(source.reason), { once: true });
  return controller;
}

export async function runInference(job: InferenceJob): Promise<Response> {
  const { scope, request: body, log } = job;
  const resolved = await resolveForInference(scope, body.model);
  const requested = await resolveRequested(scope, body.fallbacks);
  let routing: PoolRouting | undefined;
  let first: ResolvedModel;
  let ordered: ResolvedModel[] = requested;
  if ("pool" in resolved) {
    routing = await planPoolRequest(scope, resolved.pool, job.user, job.conversation);
    const [head, ...rest] = routing.order;
    if (!head)
      throw new ApiError({
        status: 503,
        type: "api_error",
        code: "provider_unavailable",
        message: `No member of '${resolved.pool.compositeId}' is enabled.`,
      });
    first = head;
    ordered = [...rest, ...requested];
    log.pool = resolved.pool.compositeId;
  } else first = resolved.target;
  log.provider = first.provider.id;
  log.model = first.compositeId;
  if (routing) log.route = routing.firstRoute;
  const maxInFlight = "pool" in resolved ? resolved.pool.pool.maxInFlight : undefined;

  // Aborted when the client leaves (the request's signal), or when it leaves a kept-alive stream
  // (only streams have one, so only they pay for a second signal). A listener that follows the
  // request's signal costs less than AbortSignal.any, which tracks its sources through weak references.
  const gone = body.stream ? followed(job.signal) : undefined;
  const signal = gone ? gone.signal : job.signal;
  const resolveLater = async (id: string) => {
    const resolution = await resolve(scope, id);
    return resolution.ok ? (resolution.target ?? resolution.pool.members[0]) : undefined;
  };
  const send = async (target: ResolvedModel) => {
    // In-flight counts only matter to a pool with `maxInFlight`; a stream counts until it ends.
    const done = maxInFlight ? begin(target.compositeId) : undefined;
    try {
      const response = await forwardInference(scope, target, {
        route: job.route,
        request: body,
        clientHeaders: job.clientHeaders,
        signal,
        onStreamEnd: (end) => (done?.(), job.onStreamEnd(end)),
      });
      if (!response.headers.get("content-type")?.includes("event-stream")) done?.();
      return response;
    } catch (error) {
      done?.();
      throw error;
    }
  };
  const attempt: Promise<Answer> = runAttempts(
    { first, requested: ordered, resolveLater, user: job.user, spillOnBusy: routing !== undefined, sendOnce: body.sendOnce },
    send,
  ).then(({ response, target, skipped }) => {
    log.provider = target.provider.id;
    if (routing) {
      recordAnswer(routing, target);
      log.model = target.compositeId;
      log.route = routeOf(routing, target);
      setHeader(response, "x-llama-edge-model", target.compositeId);
      setHeader(response, "x-llama-edge-route", log.route);
    } else if (target !== first) log.fallback = target.compositeId;
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
  if (waited.kind === "answered") return (await attempt).response;
  // A kept-alive stream's headers go out before the host answers: they name the member planned first.
  if (routing) {
    setHeader(waited.response, "x-llama-edge-model", first.compositeId);
    setHeader(waited.response, "x-llama-edge-route", routing.firstRoute);
  }
  return waited.response;
}
