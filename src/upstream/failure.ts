// Everything that can go wrong between the router and a host, as plain values. Transport, classification,
// the stream relay and the cold-load keep-alive produce them; fallbacks, the circuit breaker and pools read
// them; only `toApiError` (called from app.onError and from the two places that must write an error event
// into a stream already under way) turns one into what a client sees. Both switches are exhaustive: a new
// kind does not compile until it says whether it is worth a fallback and what the client gets.
import { ApiError, modelNotFound } from "../errors.ts";

export type HostFailure =
  /**
   * Connection refused or reset, DNS, 502, 520-527, a VPC `ProxyError`. `hostWide`: the connection itself
   * failed or Cloudflare answered for the origin, so every model of the host is affected (the circuit
   * breaker pauses the whole host); otherwise the host's own 502 may be about one model only.
   */
  | { kind: "unreachable"; provider: string; hostWide?: boolean; status?: number; detail?: string }
  /** No response headers within the first-byte budget, 504, 524. */
  | { kind: "timeout"; provider: string; hostWide?: boolean; detail?: string }
  /** Cloudflare answered for a tunnel with no connector (530, error 1033). */
  | { kind: "tunnel_down"; provider: string; detail?: string }
  /** 503 from the host: llama-swap's "process is not ready". */
  | { kind: "not_ready"; provider: string; retryAfter: string; detail?: string }
  /** The host refused the router's credentials (its keys or the Access service token). */
  | { kind: "auth_refused"; provider: string; status: 401 | 403; detail?: string }
  /** A 3xx: from a tunnel behind Cloudflare Access, the service token was refused. Never followed. */
  | { kind: "redirected"; provider: string; status: number; detail?: string }
  /** The host does not serve this model (any llama-swap generation's answer, or a hosted API's). */
  | { kind: "unknown_model"; provider: string; compositeId: string; detail?: string }
  /** The host does not serve this route at all (a llama-swap older than the route). */
  | { kind: "no_route"; provider: string; route: string; detail?: string }
  /** Another 4xx: the host's verdict on the request. `said` is its message when safe to show. */
  | { kind: "rejected"; provider: string; compositeId: string; status: number; said?: string; detail?: string }
  /** 429: llama-swap's per-model concurrency limit or a hosted API's rate limit. */
  | { kind: "busy"; provider: string; retryAfter?: string; said?: string; detail?: string }
  /** Any other 5xx. */
  | { kind: "failed"; provider: string; status: number; detail?: string }
  /** The router itself pauses requests to a host that kept failing (resilience/circuit-breaker.ts). */
  | { kind: "circuit_open"; provider: string; retryAfterSeconds: number }
  /** A stream that had started broke off, or ended without its last event. */
  | { kind: "stream_broken"; provider: string; detail?: string }
  /** The router had committed to a stream (keep-alive comments sent) and the host answered something else. */
  | { kind: "not_a_stream"; provider: string; contentType: string }
  /** A stream that had started went silent for `timeouts.streamIdleMs`. */
  | { kind: "stream_stalled"; provider: string; idleMs: number }
  /** The client hung up before an answer; nobody reads what follows. */
  | { kind: "client_left" }
  /** The registry names a secret or a binding this Worker does not have. */
  | { kind: "config"; provider: string; message: string };

export type FailureKind = HostFailure["kind"];

/** Carries a failure through `throw` to whoever decides (fallbacks) or renders (app.onError). */
export class HostError extends Error {
  readonly failure: HostFailure;
  constructor(failure: HostFailure) {
    super(`${failure.kind}${"provider" in failure ? ` (${failure.provider})` : ""}`);
    this.name = "HostError";
    this.failure = failure;
  }
}

export const hostError = (failure: HostFailure): HostError => new HostError(failure);

/**
 * Is this about the host being there at all, rather than about the request? Only these are worth trying
 * the next candidate and count against the host's circuit. A 4xx is the host's verdict on the request; a
 * 429 is a host that is up and says so; a broken stream has already sent bytes.
 */
export function isAvailability(failure: HostFailure): boolean {
  switch (failure.kind) {
    case "unreachable":
    case "timeout":
    case "tunnel_down":
    case "not_ready":
    case "circuit_open":
      return true;
    case "auth_refused":
    case "redirected":
    case "unknown_model":
    case "no_route":
    case "rejected":
    case "busy":
    case "failed":
    case "not_a_stream":
    case "stream_broken":
    case "stream_stalled":
    case "client_left":
    case "config":
      return false;
  }
}

/** Seconds a client should wait when a tunnel is down: about as long as the circuit breaker stays open. */
export const TUNNEL_DOWN_RETRY_AFTER = "30";

const err = (status: number, type: ApiError["type"], code: string, message: string, detail?: string, headers?: Record<string, string>) =>
  new ApiError({ status, type, code, message, ...(detail ? { detail } : {}), ...(headers ? { headers } : {}) });

const said = (text: string | undefined) => (text ? `: ${text}` : ".");

/** What the client sees for a failure: OpenAI's error object (routes in another dialect re-shape it). */
export function toApiError(failure: HostFailure): ApiError {
  switch (failure.kind) {
    case "unreachable":
      return err(502, "api_error", "provider_unreachable", `The provider '${failure.provider}' could not be reached.`, failure.detail);
    case "timeout":
      return err(504, "api_error", "provider_timeout", `The provider '${failure.provider}' did not answer in time.`, failure.detail);
    case "tunnel_down":
      return err(
        503,
        "api_error",
        "provider_unavailable",
        `The provider '${failure.provider}' is offline: its tunnel is down. Try again later.`,
        failure.detail,
        {
          "retry-after": TUNNEL_DOWN_RETRY_AFTER,
        },
      );
    case "not_ready":
      return err(
        503,
        "api_error",
        "provider_unavailable",
        `The provider '${failure.provider}' is not ready. Try again shortly.`,
        failure.detail,
        {
          "retry-after": failure.retryAfter,
        },
      );
    case "auth_refused":
      return err(
        failure.status,
        failure.status === 401 ? "authentication_error" : "permission_error",
        "provider_auth_failed",
        `The provider '${failure.provider}' refused the router's credentials (HTTP ${failure.status}). Your API key for this router is fine; the operator must check the provider's secrets.`,
        failure.detail,
      );
    case "redirected":
      return err(
        502,
        "api_error",
        "provider_auth_failed",
        `The provider '${failure.provider}' redirected the request (HTTP ${failure.status}): Cloudflare Access refused the router's service token. The operator must check the provider's secrets.`,
        failure.detail,
      );
    case "unknown_model": {
      const e = modelNotFound(failure.compositeId);
      return new ApiError({
        status: e.status,
        type: e.type,
        code: e.code,
        param: e.param,
        message: e.message,
        ...(failure.detail ? { detail: failure.detail } : {}),
      });
    }
    case "no_route":
      return err(
        404,
        "not_found_error",
        "provider_route_not_found",
        `The provider '${failure.provider}' does not serve ${failure.route} (HTTP 404); its llama-swap may be older than this route.`,
        failure.detail,
      );
    case "rejected":
      return failure.status === 404
        ? err(
            404,
            "invalid_request_error",
            "upstream_not_found",
            `The provider '${failure.provider}' answered 404 for '${failure.compositeId}'${said(failure.said)}`,
            failure.detail,
          )
        : err(
            failure.status,
            "invalid_request_error",
            "upstream_rejected",
            `The provider '${failure.provider}' rejected the request (HTTP ${failure.status})${said(failure.said)}`,
            failure.detail,
          );
    case "busy":
      return err(
        429,
        "rate_limit_error",
        "provider_rate_limited",
        `The provider '${failure.provider}' is busy (HTTP 429)${said(failure.said)}`,
        failure.detail,
        failure.retryAfter ? { "retry-after": failure.retryAfter } : undefined,
      );
    case "failed":
      return err(
        502,
        "api_error",
        "provider_error",
        `The provider '${failure.provider}' failed to handle the request (HTTP ${failure.status}).`,
        failure.detail,
      );
    case "circuit_open":
      return err(
        503,
        "api_error",
        "provider_unavailable",
        `The provider '${failure.provider}' failed several times in a row; the router pauses requests to it. Try again later.`,
        undefined,
        { "retry-after": String(failure.retryAfterSeconds) },
      );
    case "not_a_stream":
      return err(
        502,
        "api_error",
        "provider_stream_invalid",
        `The provider '${failure.provider}' answered a streaming request with '${failure.contentType.slice(0, 60)}' instead of an event stream.`,
      );
    case "stream_broken":
      return err(
        502,
        "api_error",
        "provider_stream_interrupted",
        `The stream from provider '${failure.provider}' broke off before it was complete.`,
        failure.detail,
      );
    case "stream_stalled":
      return err(
        504,
        "api_error",
        "provider_stream_stalled",
        `The stream from provider '${failure.provider}' stalled: nothing arrived for ${Math.round(failure.idleMs / 1000)} s, so the router ended it.`,
      );
    case "client_left":
      // Nobody reads it; the log line records it as nginx's 499 does.
      return err(499, "api_error", "client_closed_request", "The client closed the request.");
    case "config":
      return err(500, "server_error", "configuration_error", failure.message);
  }
}

/** The word `x-llama-edge-skipped` uses for a candidate that was passed over. */
export function skippedCode(failure: HostFailure): string {
  return failure.kind === "circuit_open" ? "circuit_open" : toApiError(failure).code;
}
