// Sends one inference request to the chosen host and hands its answer back: the body streams through
// untouched (an SSE body by way of the relay, which guards it and reports how it ended), failures are
// thrown as HostError values (upstream/classify.ts).
import type { ResolvedModel } from "../resolve.ts";
import type { Scope } from "../scope.ts";
import { relayHostStream, type StreamEnd } from "../streams/relay.ts";
import { isEventStream, markAsEventStream } from "../streams/sse.ts";
import { classifyHostResponse } from "../upstream/classify.ts";
import { clientHeaders } from "../upstream/response-headers.ts";
import type { RoutedRequest } from "./routed-request.ts";
import type { InferenceRoute } from "./routes-table.ts";

export interface ForwardRequest {
  route: InferenceRoute;
  request: RoutedRequest;
  /** The client's headers: only Accept and the route's `passHeaders` reach a host, never credentials. */
  clientHeaders: Headers;
  /** The client's request signal: aborts the upstream request when the client goes away. */
  signal: AbortSignal;
  /** Learns how a streamed body ended, for the log line. */
  onStreamEnd(end: StreamEnd): void;
}

function hostHeaders(job: ForwardRequest): Record<string, string> {
  const { route, request, clientHeaders } = job;
  const headers: Record<string, string> = {
    accept: clientHeaders.get("accept") ?? (request.stream ? "text/event-stream" : "application/json"),
  };
  if (route.modelFrom === "json") headers["content-type"] = "application/json";
  // A multipart body keeps the client's Content-Type: its boundary is what delimits the parts.
  if (route.modelFrom === "multipart") headers["content-type"] = clientHeaders.get("content-type") ?? "";
  for (const name of route.passHeaders ?? []) {
    const value = clientHeaders.get(name);
    if (value !== null) headers[name] = value;
  }
  return headers;
}

export async function forwardInference(scope: Scope, target: ResolvedModel, job: ForwardRequest): Promise<Response> {
  const host = scope.host(target.provider);
  const route = job.route;
  const upstream = await host.send({
    target: route.sidecar ? "sidecar" : "base",
    path: host.kind.hostPath(route.path) + job.request.searchFor(target.wireModel),
    method: route.method,
    headers: hostHeaders(job),
    body: job.request.bodyFor(target.wireModel),
    signal: job.signal,
  });
  const ok = await classifyHostResponse(upstream, host.context(target.compositeId, `${route.method} ${route.path}`));
  const headers = clientHeaders(ok.headers);
  const sse = isEventStream(ok.headers.get("content-type")) || (job.request.stream && !ok.headers.has("content-type"));
  if (sse) markAsEventStream(headers);
  if (ok.status === 204 || ok.status === 205 || !ok.body) return new Response(null, { status: ok.status, headers });
  // A stream that breaks off must end with an error event, never look finished (streams/relay.ts).
  const body = sse
    ? relayHostStream(ok.body, {
        provider: target.provider.id,
        endsWithDone: route.endsWithDone,
        idleMs: target.provider.timeouts.streamIdleMs,
        dialect: route.dialect,
        onEnd: job.onStreamEnd,
      })
    : ok.body;
  return new Response(body, { status: ok.status, headers });
}
