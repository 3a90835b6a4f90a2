// How the router reaches a host: the ONE place that knows a provider's URLs, its secrets and its
// transport. Inference, the catalog, context discovery and fallbacks all call `sendToProvider`.
import type { Env } from "../env.ts";
import { readSecret } from "../env.ts";
import { ApiError, configError } from "../errors.ts";
import type { AuthMethod, Provider } from "../registry/schema.ts";

/** `sidecar` is used for chat and completions when the provider has one; everything else uses `base`. */
export type Target = "base" | "sidecar";

export interface UpstreamRequest {
  target?: Target;
  /** Path under the host, starting with `/`: use `apiPath` for OpenAI endpoints. */
  path: string;
  method?: string;
  /** Only allowlisted headers belong here (content-type, accept); the transport adds auth. */
  headers?: Record<string, string>;
  body?: BodyInit | null;
  /** The client's signal: when the client goes away, the upstream request is closed. */
  signal?: AbortSignal;
  /** Budget until response headers; after they arrive the body may take as long as it takes. */
  firstByteMs?: number;
}

export const DEFAULT_FIRST_BYTE_MS = 300_000;

/** OpenAI endpoint path for this provider kind: llama-swap serves `/v1/...`; an `openai` baseUrl already is the API root. */
export function apiPath(provider: Provider, endpoint: `/${string}`): string {
  return provider.kind === "llama-swap" ? `/v1${endpoint}` : endpoint;
}

export function hostUrl(provider: Provider, target: Target, path: string): string {
  const base = target === "sidecar" && provider.sidecarUrl ? provider.sidecarUrl : provider.baseUrl;
  return base + path;
}

function secretOrThrow(env: Env, provider: Provider, name: string): string {
  const value = readSecret(env, name);
  if (value === undefined) {
    // `npm start` and `npm run demo` bind LLAMA_EDGE_RUNTIME=local; deployed, the var is absent.
    const local = (env as { LLAMA_EDGE_RUNTIME?: string }).LLAMA_EDGE_RUNTIME === "local";
    const how = local
      ? `Run \`npx llama-edge secrets set ${name} --local\` (the running npm start picks it up).`
      : `Run \`npx llama-edge secrets set ${name} --remote\` (or \`npx wrangler secret put ${name}\`).`;
    throw configError(`Provider '${provider.id}' needs the Worker secret '${name}', which is not set. ${how}`);
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
      headers["authorization"] = `Bearer ${secretOrThrow(env, provider, method.secret)}`;
    }
  }
  return headers;
}

function fetcherFor(env: Env, provider: Provider): (input: string, init: RequestInit) => Promise<Response> {
  if (provider.transport.type === "https") return (input, init) => fetch(input, init);
  const name = provider.transport.binding;
  const binding = (env as unknown as Record<string, unknown>)[name] as Fetcher | undefined;
  if (!binding || typeof binding.fetch !== "function") {
    throw configError(`Provider '${provider.id}' uses the VPC binding '${name}', which this Worker does not have.`);
  }
  return (input, init) => binding.fetch(input, init);
}

export const unreachable = (provider: Provider, detail: string): ApiError =>
  new ApiError({
    status: 502,
    type: "api_error",
    code: "provider_unreachable",
    message: `The provider '${provider.id}' could not be reached.`,
    detail,
  });

export const timedOut = (provider: Provider): ApiError =>
  new ApiError({
    status: 504,
    type: "api_error",
    code: "provider_timeout",
    message: `The provider '${provider.id}' did not answer in time.`,
  });

/**
 * Sends one request to a provider and resolves with its response once headers arrive. Never follows
 * redirects: from a tunnel behind Access, a 3xx means the service token was refused. Throws ApiError
 * for connection failures (502), a first-byte timeout (504) and missing secrets or bindings (500).
 * The caller classifies the host's status codes.
 */
export async function sendToProvider(env: Env, provider: Provider, request: UpstreamRequest): Promise<Response> {
  const url = hostUrl(provider, request.target ?? "base", request.path);
  const send = fetcherFor(env, provider);
  const headers = { ...request.headers, ...authHeaders(env, provider) };

  // One controller carries both reasons to stop: the client left, or no headers in time. The timer is
  // cleared once headers arrive, so it never cuts a long stream short.
  const controller = new AbortController();
  const onClientAbort = () => controller.abort(request.signal?.reason);
  if (request.signal?.aborted) onClientAbort();
  request.signal?.addEventListener("abort", onClientAbort, { once: true });
  let timedOutFlag = false;
  const timer = setTimeout(() => {
    timedOutFlag = true;
    controller.abort(new Error("first-byte timeout"));
  }, request.firstByteMs ?? provider.timeouts.firstByteMs ?? DEFAULT_FIRST_BYTE_MS);

  try {
    return await send(url, {
      method: request.method ?? "GET",
      headers,
      body: request.body ?? null,
      redirect: "manual",
      signal: controller.signal,
    });
  } catch (error) {
    if (timedOutFlag) throw timedOut(provider);
    throw unreachable(provider, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GETs a small JSON document from a host (`/running`, a model's props): the parsed body, or undefined
 * when the host cannot be reached, answers anything but 2xx, or sends something that is not JSON.
 * For the router's own probes, where "no answer" is an answer and never an error for the client.
 */
export async function readHostJson(env: Env, provider: Provider, path: string, signal: AbortSignal, firstByteMs: number): Promise<unknown> {
  try {
    const res = await sendToProvider(env, provider, { path, headers: { accept: "application/json" }, signal, firstByteMs });
    if (!res.ok) {
      await res.body?.cancel();
      return undefined;
    }
    return await res.json();
  } catch {
    return undefined;
  }
}
