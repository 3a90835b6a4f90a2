// Reads a provider's model list the way the catalog does (through sendToProvider: the real URL,
// secrets and transport) and, when that fails, says WHY with a reason code and the fix. Shared by
// /admin/health and the doctor. Reads only the list and `/running`: nothing here loads a model.
import { staticModels } from "../catalog/host-list.ts";
import type { HostModel } from "../catalog/types.ts";
import type { Env } from "../env.ts";
import { readSecret } from "../env.ts";
import { MAX_LIST_BYTES, parseModelList } from "../provider-kinds/model-list.ts";
import type { Provider } from "../registry/schema.ts";
import type { Scope } from "../scope.ts";
import { type HostFailure, HostError } from "../upstream/failure.ts";
import { secretNames } from "./registry-warnings.ts";

export type ListReason =
  | "ok"
  | "secret_missing"
  | "binding_missing"
  | "unreachable"
  | "timeout"
  | "tunnel_down"
  | "origin_down"
  | "access_refused"
  | "host_refused_key"
  | "double_v1"
  | "not_found"
  | "host_error"
  | "not_a_model_list";

export interface ListProbe {
  reason: ListReason;
  /** What is wrong, for people; absent when ok. Never holds a secret value or a host's body. */
  message?: string;
  fix?: string;
  latency_ms: number | null;
  models?: HostModel[];
  /** The host's own list carries `status` (llama-swap v236+). */
  listsStatus?: boolean;
}

function problem(reason: ListReason, message: string, fix: string, latency: number | null): ListProbe {
  return { reason, message, fix, latency_ms: latency };
}

/** Secrets and bindings are checked before any request, so the answer names exactly what is missing. */
function configProblem(env: Env, provider: Provider): ListProbe | undefined {
  const missing = secretNames(provider).filter((name) => readSecret(env, name) === undefined);
  if (missing.length > 0) {
    const local = (env as { LLAMA_EDGE_RUNTIME?: string }).LLAMA_EDGE_RUNTIME === "local";
    const commands = missing
      .map((n) => (local ? `npx llama-edge secrets set ${n} --local` : `npx llama-edge secrets set ${n} --remote`))
      .join(", then ");
    return problem(
      "secret_missing",
      `the Worker secret${missing.length > 1 ? "s" : ""} ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not set`,
      `run ${commands}`,
      null,
    );
  }
  if (provider.transport.type === "vpc") {
    const binding = (env as unknown as Record<string, unknown>)[provider.transport.binding] as { fetch?: unknown } | undefined;
    if (typeof binding?.fetch !== "function") {
      return problem(
        "binding_missing",
        `the Worker has no VPC binding '${provider.transport.binding}'`,
        "add it under [[vpc_services]] in wrangler.toml (docs/deploy.md), then deploy",
        null,
      );
    }
  }
  return undefined;
}

const slow = (budgetMs: number, latency: number) =>
  problem("timeout", `no answer within ${budgetMs} ms`, "check the host is up; raise timeouts.catalogMs for a slow link", latency);

/** Why the list could not be read, for people: each host failure with the fix that usually helps. */
function explain(provider: Provider, failure: HostFailure, budgetMs: number, latency: number): ListProbe {
  switch (failure.kind) {
    case "redirected":
      return problem(
        "access_refused",
        `redirected (HTTP ${failure.status}): Cloudflare Access refused the router's service token`,
        "check the Access application's Service Auth policy includes this service token, and that the secrets hold its Client ID and Secret",
        latency,
      );
    case "auth_refused":
      return failure.status === 403
        ? problem(
            "access_refused",
            "refused with HTTP 403: Cloudflare Access (or the host) does not accept the router's credentials",
            "check the Access policy (Service Auth, this token) and the secrets' values",
            latency,
          )
        : problem(
            "host_refused_key",
            "the host refused the router's key (HTTP 401)",
            "set the bearer secret to a key in llama-swap's apiKeys (or the API's key)",
            latency,
          );
    case "tunnel_down":
      return problem(
        "tunnel_down",
        "the tunnel is down (HTTP 530, error 1033): no cloudflared is connected",
        "start cloudflared on the host (sudo systemctl start cloudflared) and check `cloudflared tunnel info`",
        latency,
      );
    case "timeout":
      return slow(budgetMs, latency);
    case "unreachable":
      return failure.status === undefined
        ? problem(
            "unreachable",
            "DNS lookup or connection failed",
            "check the hostname resolves (the tunnel's DNS route: cloudflared tunnel route dns) and the host is running",
            latency,
          )
        : problem(
            "origin_down",
            `the host does not answer behind its tunnel or proxy (HTTP ${failure.status})`,
            "check llama-swap runs on the address cloudflared forwards to (its config.yml ingress)",
            latency,
          );
    case "rejected":
    case "unknown_model":
    case "no_route":
      if (provider.kind === "llama-swap" && /\/v1$/.test(new URL(provider.baseUrl).pathname)) {
        return problem(
          "double_v1",
          "baseUrl ends in /v1, so the router asked /v1/v1/models (HTTP 404)",
          "remove the trailing /v1 from baseUrl: the router adds it for llama-swap hosts",
          latency,
        );
      }
      return problem(
        "not_found",
        "no model list under baseUrl (HTTP 404)",
        provider.kind === "llama-swap"
          ? "baseUrl must be llama-swap's root (where /v1/models and /running answer)"
          : "baseUrl must be the API root an OpenAI SDK would take, or list `models` in the registry",
        latency,
      );
    case "config":
      return problem("secret_missing", failure.message, "set the secret or binding the registry names", latency);
    case "failed":
      return problem("host_error", `the host answered HTTP ${failure.status} for its model list`, "look at the host's logs", latency);
    default:
      return problem("host_error", `the host failed (${failure.kind})`, "look at the host's logs", latency);
  }
}

/** Reads the host's own list (to tell whether it carries `status`), then what is loaded where it does not. */
async function readList(scope: Scope, provider: Provider, signal: AbortSignal): Promise<{ models?: HostModel[]; listsStatus: boolean }> {
  const host = scope.host(provider);
  const models = parseModelList(await host.getJson(host.kind.hostPath("/v1/models"), signal, MAX_LIST_BYTES));
  if (!models) return { listsStatus: false };
  const listsStatus = models.some((m) => m.status !== undefined);
  if (listsStatus || models.length === 0) return { models, listsStatus };
  const loaded = await host.kind.loadedModels(host, signal);
  return {
    models: loaded ? models.map((m): HostModel => ({ ...m, status: loaded.has(m.id) ? "loaded" : "unloaded" })) : models,
    listsStatus,
  };
}

export async function probeModelList(scope: Scope, provider: Provider, budgetMs: number): Promise<ListProbe> {
  const fixed = staticModels(provider);
  if (fixed) return { reason: "ok", latency_ms: null, models: fixed, listsStatus: false };
  const config = configProblem(scope.env, provider);
  if (config) return config;
  const started = Date.now();
  let read: Awaited<ReturnType<typeof readList>>;
  try {
    read = await readList(scope, provider, AbortSignal.timeout(budgetMs));
  } catch (error) {
    if (!(error instanceof HostError)) throw error;
    const latency = Date.now() - started;
    if (error.failure.kind === "failed" && error.failure.detail?.includes("bytes")) {
      return problem("not_a_model_list", "the model list is too large", "check baseUrl points at the model host", latency);
    }
    if (error.failure.kind === "failed" && error.failure.status < 300) {
      return problem(
        "not_a_model_list",
        "baseUrl answered 200, but not with a model list",
        "check baseUrl points at llama-swap (or the API root), not a web page",
        latency,
      );
    }
    return explain(provider, error.failure, budgetMs, latency);
  }
  const latency = Date.now() - started;
  if (!read.models)
    return problem(
      "not_a_model_list",
      "baseUrl answered 200, but not with a model list",
      "check baseUrl points at llama-swap (or the API root), not a web page",
      latency,
    );
  return { reason: "ok", latency_ms: latency, models: read.models, listsStatus: read.listsStatus };
}
