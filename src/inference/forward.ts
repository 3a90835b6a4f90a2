// Sends one inference request to the chosen host and hands its answer back: the body streams through
// untouched, errors become the router's own (upstream/classify.ts).
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { guardSseStream, type StreamOutcome } from "../resilience/stream-guard.ts";
import { classifyHostResponse, type HostContext } from "../upstream/classify.ts";
import { clientHeaders, isEventStream, markAsEventStream } from "../upstream/response-headers.ts";
import { apiPath, authHeaders, sendToProvider, type Target } from "../upstream/transport.ts";
import { hostBody, type InferenceBody } from "./request-body.ts";
import type { ResolvedModel } from "./resolve-model.ts";

export type Endpoint = "/chat/completions" | "/completions" | "/embeddings" | "/responses";

/** A sidecar adds features to chat; embeddings and the Responses API always go to the host itself. */
const SIDECAR_ENDPOINTS: ReadonlySet<Endpoint> = new Set(["/chat/completions", "/completions"]);

export interface ForwardRequest {
  endpoint: Endpoint;
  body: InferenceBody;
  /** The client's Accept header, the only client header besides Content-Type that a host sees. */
  accept: string | undefined;
  /** The client's request signal: aborts the upstream request when the client goes away. */
  signal: AbortSignal;
  /** Learns how a streamed body ended, for the log line. */
  onStreamEnd?: (outcome: StreamOutcome, bytes: number) => void;
}

/** Nobody reads a response to a client that has left; the log line records it as nginx's 499 does. */
const clientClosed = () =>
  new ApiError({ status: 499, type: "api_error", code: "client_closed_request", message: "The client closed the request." });

function credentialValues(env: Env, target: ResolvedModel): string[] {
  return Object.values(authHeaders(env, target.provider)).map((v) => v.replace(/^Bearer /, ""));
}

export async function forwardInference(env: Env, target: ResolvedModel, request: ForwardRequest): Promise<Response> {
  const { provider } = target;
  const host: HostContext = { provider, compositeId: target.compositeId, secrets: credentialValues(env, target) };
  const routeTarget: Target = SIDECAR_ENDPOINTS.has(request.endpoint) ? "sidecar" : "base";
  let upstream: Response;
  try {
    upstream = await sendToProvider(env, provider, {
      target: routeTarget,
      path: apiPath(provider, request.endpoint),
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: request.accept ?? (request.body.stream ? "text/event-stream" : "application/json"),
      },
      body: hostBody(request.body, target.wireModel),
      signal: request.signal,
    });
  } catch (error) {
    if (request.signal.aborted) throw clientClosed();
    throw error;
  }
  const ok = await classifyHostResponse(upstream, host);
  const headers = clientHeaders(ok.headers);
  const contentType = ok.headers.get("content-type");
  if (isEventStream(contentType) || (request.body.stream && contentType === null)) markAsEventStream(headers);
  const empty = ok.status === 204 || ok.status === 205;
  if (empty || !ok.body) return new Response(null, { status: ok.status, headers });
  // A stream that breaks off must end with an error event, never look finished (resilience/stream-guard.ts).
  const body = headers.get("content-type") === "text/event-stream"
    ? guardSseStream(ok.body, provider.id, {
        onEnd: request.onStreamEnd,
        expectDone: request.endpoint !== "/responses",
        idleMs: provider.timeouts.streamIdleMs,
      })
    : ok.body;
  return new Response(body, { status: ok.status, headers });
}
