// The one place where a host's non-2xx answer becomes a HostFailure. The client never sees a host's raw
// body (Cloudflare's and Access's HTML pages included): that goes, shortened, only into the failure's
// private `detail` for the log line, and only when it holds no credential.
import type { ProviderKind } from "../provider-kinds/kind.ts";
import type { Provider } from "../registry/schema.ts";
import { readBoundedText } from "./bounded-read.ts";
import { type HostFailure, hostError } from "./failure.ts";
import { mentionsCredential } from "./redact.ts";

export interface HostContext {
  provider: Provider;
  kind: ProviderKind;
  /** The composite id the client asked for: errors name it, never the bare wire id. */
  compositeId: string;
  /** Values that must never reach a client or a log (the provider's credentials). */
  secrets: readonly string[];
  /** `POST /v1/rerank`: the route asked, so a host without it can be told from a host without the model. */
  route?: string;
}

const MAX_ERROR_BODY = 16 * 1024;
/** A host's own message is shown only when short and plain; longer ones are cut to this. */
const MAX_HOST_MESSAGE = 300;
const MAX_RETRY_AFTER_S = 86_400;

function logDetail(status: number, body: string, host: HostContext): string {
  const snippet = mentionsCredential(body, host.secrets)
    ? "(body withheld: it contains a credential)"
    : body.replace(/\s+/g, " ").trim().slice(0, 300);
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
  if (!message || /<[a-z!/]/i.test(message) || mentionsCredential(message, host.secrets)) return undefined;
  // Controls (and the bidi overrides that make text display as something else) never pass.
  const plain = message.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, " ").trim();
  return plain.length > MAX_HOST_MESSAGE ? `${plain.slice(0, MAX_HOST_MESSAGE)}…` : plain;
}

/** `Retry-After` as seconds when it is a sane number or an HTTP date within a day; anything else is dropped. */
export function sanitizeRetryAfter(value: string | null, now = Date.now()): string | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,6}$/.test(text)) return Number(text) <= MAX_RETRY_AFTER_S ? String(Number(text)) : undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const seconds = Math.ceil((date - now) / 1000);
  return seconds <= MAX_RETRY_AFTER_S ? String(Math.max(0, seconds)) : undefined;
}

function clientFailure(status: number, headers: Headers, body: string, host: HostContext, detail: string): HostFailure {
  const json = parseJson(body);
  const provider = host.provider.id;
  if (host.kind.isUnknownModel(status, body, json)) return { kind: "unknown_model", provider, compositeId: host.compositeId, detail };
  if (status === 401 || status === 403) return { kind: "auth_refused", provider, status, detail };
  // A host that predates a route answers its web framework's plain-text 404, where a missing model gets JSON.
  if (status === 404 && host.route && json === undefined) return { kind: "no_route", provider, route: host.route, detail };
  const said = hostMessage(json, host);
  if (status === 429) {
    const retryAfter = sanitizeRetryAfter(headers.get("retry-after"));
    return { kind: "busy", provider, ...(retryAfter ? { retryAfter } : {}), ...(said ? { said } : {}), detail };
  }
  return { kind: "rejected", provider, compositeId: host.compositeId, status, ...(said ? { said } : {}), detail };
}

function serverFailure(status: number, headers: Headers, body: string, host: HostContext, detail: string): HostFailure {
  const provider = host.provider.id;
  const viaCloudflare = (headers.get("server") ?? "").toLowerCase() === "cloudflare";
  if (status === 530 || (viaCloudflare && body.includes("1033"))) return { kind: "tunnel_down", provider, detail };
  if (status === 503) return { kind: "not_ready", provider, retryAfter: sanitizeRetryAfter(headers.get("retry-after")) ?? "5", detail };
  if (status === 504 || status === 524) return { kind: "timeout", provider, ...(viaCloudflare ? { hostWide: true } : {}), detail };
  // A Workers VPC binding whose origin is down answers 500 `ProxyError: ...`.
  const proxyError = status === 500 && host.provider.transport.type === "vpc" && body.trimStart().startsWith("ProxyError");
  if (status === 502 || (status >= 520 && status <= 527) || proxyError)
    return { kind: "unreachable", provider, status, ...(viaCloudflare || proxyError ? { hostWide: true } : {}), detail };
  return { kind: "failed", provider, status, detail };
}

/**
 * Resolves with the host's response when it is a success (2xx); otherwise reads a bounded part of its
 * body and throws the failure. A 3xx is never followed: from a tunnel behind Cloudflare Access it means
 * the service token was refused.
 */
export async function classifyHostResponse(res: Response, host: HostContext): Promise<Response> {
  if (res.status >= 200 && res.status < 300) return res;
  const body = await readBoundedText(res, MAX_ERROR_BODY);
  const detail = logDetail(res.status, body, host);
  if (res.status >= 300 && res.status < 400)
    throw hostError({ kind: "redirected", provider: host.provider.id, status: res.status, detail });
  throw hostError(
    res.status >= 400 && res.status < 500
      ? clientFailure(res.status, res.headers, body, host, detail)
      : serverFailure(res.status, res.headers, body, host, detail),
  );
}
