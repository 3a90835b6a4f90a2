// The Worker's environment and the per-request context variables, typed once for the whole app.
import type { StreamReport } from "./observability/request-log.ts";
import type { Scope } from "./scope.ts";
import type { Dialect } from "./streams/sse.ts";

/**
 * Bindings come from `wrangler types` (worker-configuration.d.ts, regenerate with `npm run types`).
 * Secrets are added here: ADMIN_TOKEN, plus whatever names the registry references, read through
 * `readSecret` because their names are data.
 */
export type Env = Cloudflare.Env & {
  ADMIN_TOKEN?: string;
  /** `local` under `npm start` / `npm run demo` (cli/serve.ts), so messages name the local commands. */
  LLAMA_EDGE_RUNTIME?: string;
  /** Optional Workers Analytics Engine dataset for per-user usage points (observability/usage.ts). */
  USAGE?: AnalyticsEngineDataset;
  /**
   * `off` leaves out the per-request log line (usage points are still written). Not for deployments:
   * the bench sets it on one diagnostic variant, to show what the line itself costs under a local
   * runtime (under `wrangler dev` every console.log is relayed through the inspector).
   */
  REQUEST_LOG?: string;
};

export interface AuthenticatedUser {
  userId: string;
  keyId: string;
}

export interface RequestLog {
  provider?: string;
  model?: string;
  fallback?: string;
  [field: string]: string | number | boolean | undefined;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    user: AuthenticatedUser;
    /** The request's bindings, registry and hosts (scope.ts), set first by middleware. */
    scope: Scope;
    /** Fields the handlers add to the request's single log line. */
    log: RequestLog;
    /** The error shape of the route's clients (OpenAI's unless the route says otherwise). */
    dialect?: Dialect;
    /** Where a streamed answer reports how it ended, for that line. */
    stream: StreamReport;
  };
}

/** Reads a secret by the name the registry gives; undefined when the Worker has no such secret. */
export function readSecret(env: Env, name: string): string | undefined {
  const value = (env as unknown as Record<string, unknown>)[name];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}
