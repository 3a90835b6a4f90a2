// The one place where a host's answer becomes the router's answer. A success passes through; every
// failure becomes an OpenAI-shaped ApiError. The client never sees a host's raw body (Cloudflare's
// and Access's HTML pages included): that goes, shortened, only into the log line's `detail`, and
// only when it holds no credential.
import { ApiError, modelNotFound } from "../errors.ts";
import type { Provider } from "../registry/schema.ts";

export interface HostContext {
  provider: Provider;
  /** The composite id the client asked for: error messages name it, never the bare wire id. */
  compositeId: string;
  /** Values that must never reach a client or a log (the provider's credentials). */
  secrets: readonly string[];
}

/** Seconds a client should wait when a tunnel is down: about as long as the circuit breaker stays open. */
export const TUNNEL_DOWN_RETRY_AFTER = "30";
const MAX_ERROR_BODY = 16 * 1024;

const mentionsSecret = (text: string, secrets: readonly string[]) => secrets.some((s) => s.length > 0 && text.includes(s));

/** Reads at most MAX_ERROR_BODY bytes of an error body, then lets the connection go. */
export async function readErrorBody(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_ERROR_BODY) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still classifies by its status.
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes.subarray(0, MAX_ERROR_BODY));
}

function logDetail(status: number, body: string, host: HostContext): string {
  const snippet = mentionsSecret(body, host.secrets) ? "(body withheld: it contains a credential)" : body.replace(/\s+/g, " ").trim().slice(0, 300);
  return `host ${host.provider.id} answered HTTP ${status}: ${snippet}`;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** A short, plain message from a JSON error body (`{"error":{"message"}}`, `{"error":"..."}`, `{"message"}`), when safe to show. */
function hostMessage(json: unknown, host: HostContext): string | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const record = json as { error?: unknown; message?: unknown };
  const inner = typeof record.error === "object" && record.error !== null ? (record.error as { message?: unknown }).message : undefined;
  const message = [inner, record.error, record.message].find((m): m is string => typeof m === "string" && m.trim() !== "");
  if (!message || message.length > 500 || /<[a-z!]/i.test(message) || mentionsSecret(message, host.secrets)) return undefined;
  return message.trim();
}

/** llama-swap's three generations of "no such model", and a hosted API's OpenAI-style one. */
function isUnknownModel(status: number, body: string, json: unknown): boolean {
  if (status === 400) return body.includes("could not find suitable inference handler");
  if (status !== 404 || typeof json !== "object" || json === null) return false;
  const record = json as { src?: unknown; error?: unknown };
  if (record.src === "llama-swap") return true;
  const code = typeof record.error === "object" && record.error !== null ? (record.error as { code?: unknown }).code : undefined;
  return code === "model_not_found";
}

const error = (status: number, type: ApiError["type"], code: string, message: string, detail: string, headers?: Record<string, string>) =>
  new ApiError({ status, type, code, message, detail, ...(headers ? { headers } : {}) });

function clientError(status: number, headers: Headers, body: string, host: HostContext, detail: string): ApiError {
  const json = parseJson(body);
  const id = host.provider.id;
  if (isUnknownModel(status, body, json)) {
    const e = modelNotFound(host.compositeId);
    return new ApiError({ status: e.status, type: e.type, code: e.code, param: e.param, message: e.message, detail });
  }
  const said = hostMessage(json, host);
  const suffix = said ? `: ${said}` : ".";
  if (status === 401 || status === 403) {
    // The client's key was accepted by the router; it is the router's credentials the host refused.
    const message = `The provider '${id}' refused the router's credentials (HTTP ${status}). Your API key for this router is fine; the operator must check the provider's secrets.`;
    return error(status, status === 401 ? "authentication_error" : "permission_error", "provider_auth_failed", message, detail);
  }
  if (status === 429) {
    const retryAfter = headers.get("retry-after");
    return error(429, "rate_limit_error", "provider_rate_limited", `The provider '${id}' is busy (HTTP 429)${suffix}`, detail, retryAfter ? { "retry-after": retryAfter } : undefined);
  }
  if (status === 404) return error(404, "invalid_request_error", "upstream_not_found", `The provider '${id}' answered 404 for '${host.compositeId}'${suffix}`, detail);
  return error(status, "invalid_request_error", "upstream_rejected", `The provider '${id}' rejected the request (HTTP ${status})${suffix}`, detail);
}

function serverError(status: number, headers: Headers, body: string, host: HostContext, detail: string): ApiError {
  const id = host.provider.id;
  const viaCloudflare = (headers.get("server") ?? "").toLowerCase() === "cloudflare";
  if (status === 530 || (viaCloudflare && body.includes("1033"))) {
    return error(503, "api_error", "provider_unavailable", `The provider '${id}' is offline: its tunnel is down. Try again later.`, detail, { "retry-after": TUNNEL_DOWN_RETRY_AFTER });
  }
  if (status === 503) {
    return error(503, "api_error", "provider_unavailable", `The provider '${id}' is not ready. Try again shortly.`, detail, { "retry-after": headers.get("retry-after") ?? "5" });
  }
  if (status === 504 || status === 524) return error(504, "api_error", "provider_timeout", `The provider '${id}' did not answer in time.`, detail);
  // A Workers VPC binding whose origin is down answers 500 `ProxyError: ...`.
  const proxyError = status === 500 && host.provider.transport.type === "vpc" && body.trimStart().startsWith("ProxyError");
  if (status === 502 || (status >= 520 && status <= 527) || proxyError) {
    return error(502, "api_error", "provider_unreachable", `The provider '${id}' could not be reached.`, detail);
  }
  return error(502, "api_error", "provider_error", `The provider '${id}' failed to handle the request (HTTP ${status}).`, detail);
}

/**
 * Resolves with the host's response when it is a success (2xx); otherwise consumes its body and
 * throws the router's error. A 3xx is never followed: from a tunnel behind Cloudflare Access it means
 * the service token was refused.
 */
export async function classifyHostResponse(res: Response, host: HostContext): Promise<Response> {
  if (res.status >= 200 && res.status < 300) return res;
  const body = await readErrorBody(res);
  const detail = logDetail(res.status, body, host);
  if (res.status >= 300 && res.status < 400) {
    throw error(502, "api_error", "provider_auth_failed", `The provider '${host.provider.id}' redirected the request (HTTP ${res.status}): Cloudflare Access refused the router's service token. The operator must check the provider's secrets.`, detail);
  }
  throw res.status >= 400 && res.status < 500 ? clientError(res.status, res.headers, body, host, detail) : serverError(res.status, res.headers, body, host, detail);
}

/** Availability failures: worth a fallback and counted by the circuit breaker (never a 4xx). */
export function isAvailabilityFailure(err: unknown): boolean {
  return err instanceof ApiError && ["provider_unavailable", "provider_unreachable", "provider_timeout"].includes(err.code);
}
