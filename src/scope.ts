// What every handler needs about the request's world, set once by middleware (`c.get("scope")`): the
// Worker's bindings, a way to keep work running after the answer (`waitUntil`), the registry (read at most
// once per request, from a per-isolate cache) and how to reach each provider. Passed as one value instead
// of `env`, `ctx` and the registry threaded through every frame.
import type { Env } from "./env.ts";
import { loadRegistry, type Registry } from "./registry/loader.ts";
import type { Provider } from "./registry/schema.ts";
import { type Host, hostFor } from "./upstream/host.ts";

export interface Scope {
  readonly env: Env;
  waitUntil(work: Promise<unknown>): void;
  /** The provider registry; rejects with a configuration error when the stored one is broken. */
  registry(): Promise<Registry>;
  host(provider: Provider): Host;
}

export function createScope(env: Env, ctx: Pick<ExecutionContext, "waitUntil">): Scope {
  let registry: Promise<Registry> | undefined;
  const hosts = new Map<Provider, Host>();
  return {
    env,
    waitUntil: (work) => ctx.waitUntil(work),
    registry: () => (registry ??= loadRegistry(env, Date.now(), (work) => ctx.waitUntil(work))),
    host(provider) {
      let host = hosts.get(provider);
      if (!host) {
        host = hostFor(env, provider);
        hosts.set(provider, host);
      }
      return host;
    },
  };
}
