// How the router reaches a host: the ONE place that knows a provider's URLs, its secrets and its
// transport. Everything that talks to a host goes through `sendToProvider`, usually by way of a `Host`
// (upstream/host.ts). Failures are thrown as HostError values (upstream/failure.ts), never rendered here.
import type { Env } from "../env.ts";
import { readSecret } from "../env.ts";
import type { AuthMethod, Provider } from "../registry/schema.ts";
import { hostError } from "./failure.ts";

/** `sidecar` is used for chat and completions when the provider has one; everything else uses `base`. */
export type Target = "base" | "sidecar";

export interface UpstreamRequest {
  target?: Target;
  /** Path under the host, starting with `/`: the provider kind maps a route to it (provider-kinds/). */
  path: string;
  method?: string;
  /** Only allowlisted headers belong here (content-type, accept); the transport adds auth. */
  headers?: Record<string, string>;
  body?: BodyInit | null;
  /**
   * Ends the request: the client left, or (for the router's own probes) a deadline such as
   * `AbortSignal.timeout(ms)`, whose TimeoutError reads as a timeout rather than as a client that left.
   */
  signal?: AbortSignal;
}

export function hostUrl(provider: Provider, target: Target, path: string): string {
  const base = target === "sidecar" && provider.sidecarUrl ? provider.sidecarUrl : provider.baseUrl;
  return base + path;
}

function secretOrThrow(env: Env, provider: Provider, name: string): string {
  const value = readSecret(env, name);
  if (value === undefined) {
    // `npm start` and `npm run demo` bind LLAMA_EDGE_RUNTIME=local; deployed, the var is absent.
    const how =
      env.LLAMA_EDGE_RUNTIME === "local"
        ? `Run \`npx llama-edge secrets set ${name} --local\` (the running npm start picks it up).`
        : `Run \`npx llama-edge secrets set ${name} --remote\` (or \`npx wrangler secret put ${name}\`).`;
    const message = `Provider '${provider.id}' needs the Worker secret '${name}', which is not set. ${how}`;
    throw hostError({ kind: "config", provider: provider.id, message });
  }
  return value;
}

export function authHeaders(env: Env, provider: Provider): Record<string, string> {
  const methods: AuthMethod[] = Array.isArray(provider.auth) ? provider.auth : [provider.auth];
  const headers: Record<string, string> = {};
  for (const method of methods) {
    if (method.type === "access") {
      headers["cf-access-client-id"] = secretOrThrow(env, provider, method.clientIdSecret);
      headers["cf-access-client-secret"] = secretOrThrow(env, provider, method.clientSecretSecret);
    } else if (method.type === "bearer") {
      headers.authorization = `Bearer ${secretOrThrow(env, provider, method.secret)}`;
    }
  }
  return headers;
}

/** The credential values the router sends this provider: what redaction must find in host answers. */
export function credentialValues(env: Env, provider: Provider): string[] {
  return Object.values(authHeaders(env, provider)).map((v) => v.replace(/^Bearer /, ""));
}

function fetcherFor(env: Env, provider: Provider): (input: string, init: RequestInit) => Promise<Response> {
  if (provider.transport.type === "https") return (input, init) => fetch(input, init);
  const name = provider.transport.binding;
  const binding = (env as unknown as Record<string, unknown>)[name] as Fetcher | undefined;
  if (!binding || typeof binding.fetch !== "function") {
    throw hostError({
      kind: "config",
      provider: provider.id,
      message: `Provider '${provider.id}' uses the VPC binding '${name}', which this Worker does not have.`,
    });
  }
  return (input, init) => binding.fetch(input, init);
}

const isTimeout = (reason: unknown) => reason instanceof Error && reason.name === "TimeoutError";

/**
 * Sends one request to a provider and resolves with its response once headers arrive. Never follows
 * redirects: from a tunnel behind Access, a 3xx means the service token was refused. Throws HostError
 * for connection failures, the first-byte budget (`timeouts.firstByteMs`) or the caller's deadline, a
 * client that left, and missing secrets or bindings. The caller classifies the host's status codes.
 */
export async function sendToProvider(env: Env, provider: Provider, request: UpstreamRequest): Promise<Response> {
  const send = fetcherFor(env, provider);
  const url = hostUrl(provider, request.target ?? "base", request.path);
  const headers = { ...request.headers, ...authHeaders(env, provider) };

  // One controller carries every reason to stop (the caller's signal, or no headers in time). The
  // first-byte budget is a native AbortSignal.timeout rather than setTimeout: workerd's setTimeout is a
  // JavaScript wrapper that built a Timeout object and cost about 5% of the router's CPU per request.
  // Its listener is removed once headers arrive, so it never cuts a long stream short.
  const controller = new AbortController();
  const onAbort = () => controller.abort(request.signal?.reason);
  if (request.signal?.aborted) onAbort();
  request.signal?.addEventListener("abort", onAbort, { once: true });
  const budget = AbortSignal.timeout(provider.timeouts.firstByteMs);
  const onTimeout = () => controller.abort(new DOMException("first-byte timeout", "TimeoutError"));
  budget.addEventListener("abort", onTimeout, { once: true });
  const signal = controller.signal;
  try {
    return await send(url, { method: request.method ?? "GET", headers, body: request.body ?? null, redirect: "manual", signal });
  } catch (error) {
    if (signal.aborted) {
      if (isTimeout(signal.reason)) throw hostError({ kind: "timeout", provider: provider.id });
      throw hostError({ kind: "client_left" });
    }
    throw hostError({
      kind: "unreachable",
      provider: provider.id,
      hostWide: true,
      detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  } finally {
    budget.removeEventListener("abort", onTimeout);
  }
}
