// A provider as something to talk to: its kind (provider-kinds/) and its transport, with the credentials
// it needs for redaction. Every caller that reaches a host (inference, catalog, context discovery,
// health) gets one from the request scope (scope.ts) and never builds a URL itself.
import type { Env } from "../env.ts";
import { kindOf, type ProviderKind } from "../provider-kinds/kind.ts";
import type { Provider } from "../registry/schema.ts";
import { readBoundedJson } from "./bounded-read.ts";
import { classifyHostResponse, type HostContext } from "./classify.ts";
import { hostError } from "./failure.ts";
import { credentialValues, sendToProvider, type UpstreamRequest } from "./transport.ts";

export interface Host {
  readonly provider: Provider;
  readonly kind: ProviderKind;
  /** Sends one request; resolves once headers arrive (any status). Throws HostError. */
  send(request: UpstreamRequest): Promise<Response>;
  /**
   * What classification needs to turn this host's failures into values for `compositeId`; `route` names
   * the route asked (`POST /v1/rerank`).
   */
  context(compositeId: string, route?: string): HostContext;
  /** GETs a JSON document the router reads itself, at most `maxBytes` decoded. Throws HostError. */
  getJson(path: string, signal: AbortSignal, maxBytes: number): Promise<unknown>;
}

export function hostFor(env: Env, provider: Provider): Host {
  const kind = kindOf(provider);
  const host: Host = {
    provider,
    kind,
    send: (request) => sendToProvider(env, provider, request),
    // The secrets are looked up only when a host's answer is an error to scrub (not on the hot path).
    context: (compositeId, route) => ({
      provider,
      kind,
      compositeId,
      ...(route ? { route } : {}),
      get secrets() {
        return credentialValues(env, provider);
      },
    }),
    async getJson(path, signal, maxBytes) {
      const res = await classifyHostResponse(
        await host.send({ path, headers: { accept: "application/json" }, signal }),
        host.context(`${provider.id}:${path}`),
      );
      const read = await readBoundedJson(res, maxBytes);
      if (!read.ok)
        throw hostError({
          kind: "failed",
          provider: provider.id,
          status: res.status,
          detail: `${path}: ${read.reason === "too_large" ? `answer over ${maxBytes} bytes` : read.reason}`,
        });
      return read.json;
    },
  };
  return host;
}
