// Sends one inference request to the chosen host and hands its answer back: the body streams through
// untouched (an SSE body by way of the relay, which guards it and reports how it ended), failures are
// thrown as HostError values (upstream/classify.ts).
import type { ResolvedModel } from "../resolve.ts";
import type { Scope } from "../scope.ts";
import { relayHostStream, type StreamEnd } from "../streams/relay.ts";
import { isEventStream, markAsEventStream } from "../streams/sse.ts";
import { classifyHostResponse } from "../upstream/classify.ts";
import { clientHeaders } from "../upstream/response-headers.ts";
import type { InferenceBody } from "./request-body.ts";
import type { InferenceRoute } from "./routes-table.ts";
import { spliceModel } from "./splice-model.ts";

export interface ForwardRequest {
  route: InferenceRoute;
  body: InferenceBody;
  /** The client's Accept header, the only client header besides Content-Type that a host sees. */
  accept: string | undefined;
  /** The client's request signal: aborts the upstream request when the client goes away. */
  signal: AbortSignal;
  /** Learns how a streamed body ended, for the log line. */
  onStreamEnd(end: StreamEnd): void;
}

export async function forwardInference(scope: Scope, target: ResolvedModel, request: ForwardRequest): Promise<Response> {
  const host = scope.host(target.provider);
  const upstream = await host.send({
    target: request.route.sidecar ? "sidecar" : "base",
    path: host.kind.hostPath(request.route.path),
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: request.accept ?? (request.body.stream ? "text/event-stream" : "application/json"),
    },
    body: spliceModel(request.body.text, target.wireModel),
    signal: request.signal,
  });
  const ok = await classifyHostResponse(upstream, host.context(target.compositeId));
  const headers = clientHeaders(ok.headers);
  const sse = isEventStream(ok.headers.get("content-type")) || (request.body.stream && !ok.headers.has("content-type"));
  if (sse) markAsEventStream(headers);
  if (ok.status === 204 || ok.status === 205 || !ok.body) return new Response(null, { status: ok.status, headers });
  // A stream that breaks off must end with an error event, never look finished (streams/relay.ts).
  const body = sse
    ? relayHostStream(ok.body, {
        provider: target.provider.id,
        endsWithDone: request.route.endsWithDone,
        idleMs: target.provider.timeouts.streamIdleMs,
        dialect: request.route.dialect,
        onEnd: request.onStreamEnd,
      })
    : ok.body;
  return new Response(body, { status: ok.status, headers });
}
