// Reads a provider's model list the way the catalog does (through sendToProvider: the real URL,
// secrets and transport) and, when that fails, says WHY with a reason code and the fix. Shared by
// /admin/health and the doctor. Reads only the list and `/running`: nothing here loads a model.
import type { Env } from "../env.ts";
import { readSecret } from "../env.ts";
import { ApiError } from "../errors.ts";
import { parseModelList, staticModels, type HostModel } from "../catalog/host-list.ts";
import type { Provider } from "../registry/schema.ts";
import { runningModels } from "../upstream/running.ts";
import { apiPath, sendToProvider } from "../upstream/transport.ts";
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

const MAX_LIST_BYTES = 4 * 1024 * 1024;

function problem(reason: ListReason, message: string, fix: string, latency: number | null): ListProbe {
  return { reason, message, fix, latency_ms: latency };
}

/** Secrets and bindings are checked before any request, so the answer names exactly what is missing. */
function configProblem(env: Env, provider: Provider): ListProbe | undefined {
  const missing = secretNames(provider).filter((name) => readSecret(env, name) === undefined);
  if (missing.length > 0) {
    const local = (env as { LLAMA_EDGE_RUNTIME?: string }).LLAMA_EDGE_RUNTIME === "local";
    const commands = missing.map((n) => (local ? `npx llama-edge secrets set ${n} --local` : `npx llama-edge secrets set ${n} --remote`)).join(", then ");
    return problem("secret_missing", `the Worker secret${missing.length > 1 ? "s" : ""} ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not set`, `run ${commands}`, null);
  }
  if (provider.transport.type === "vpc") {
    const binding = (env as unknown as Record<string, unknown>)[provider.transport.binding] as { fetch?: unknown } | undefined;
    if (typeof binding?.fetch !== "function") {
      return problem("binding_missing", `the Worker has no VPC binding '${provider.transport.binding}'`, "add it under [[vpc_services]] in wrangler.toml (docs/deploy.md), then deploy", null);
    }
  }
  return undefined;
}

async function bodyText(res: Response): Promise<string> {
  try {
    return (await res.text()).slice(0, 4096);
  } catch {
    return "";
  }
}

async function classifyStatus(provider: Provider, res: Response, latency: number): Promise<ListProbe> {
  const status = res.status;
  const body = status >= 400 ? await bodyText(res) : (await res.body?.cancel(), "");
  const viaCloudflare = (res.headers.get("server") ?? "").toLowerCase() === "cloudflare";
  if (status >= 300 && status < 400) {
    return problem("access_refused", `redirected (HTTP ${status}): Cloudflare Access refused the router's service token`, "check the Access application's Service Auth policy includes this service token, and that the secrets hold its Client ID and Secret", latency);
  }
  if (status === 403) return problem("access_refused", "refused with HTTP 403: Cloudflare Access (or the host) does not accept the router's credentials", "check the Access policy (Service Auth, this token) and the secrets' values", latency);
  if (status === 401) return problem("host_refused_key", "the host refused the router's key (HTTP 401)", "set the bearer secret to a key in llama-swap's apiKeys (or the API's key)", latency);
  if (status === 530 || (viaCloudflare && body.includes("1033"))) {
    return problem("tunnel_down", `the tunnel is down (HTTP ${status}${body.includes("1033") ? ", error 1033" : ""}): no cloudflared is connected`, "start cloudflared on the host (sudo systemctl start cloudflared) and check `cloudflared tunnel info`", latency);
  }
  if (status === 404) {
    if (provider.kind === "llama-swap" && /\/v1$/.test(new URL(provider.baseUrl).pathname)) {
      return problem("double_v1", "baseUrl ends in /v1, so the router asked /v1/v1/models (HTTP 404)", "remove the trailing /v1 from baseUrl: the router adds it for llama-swap hosts", latency);
    }
    return problem("not_found", `no model list at ${apiPath(provider, "/models")} under baseUrl (HTTP 404)`, provider.kind === "llama-swap" ? "baseUrl must be llama-swap's root (where /v1/models and /running answer)" : "baseUrl must be the API root an OpenAI SDK would take, or list `models` in the registry", latency);
  }
  if (status === 502 || (status >= 520 && status <= 527)) {
    return problem("origin_down", `the host does not answer behind its tunnel or proxy (HTTP ${status})`, "check llama-swap runs on the address cloudflared forwards to (its config.yml ingress)", latency);
  }
  return problem("host_error", `the host answered HTTP ${status} for its model list`, "look at the host's logs", latency);
}

export async function probeModelList(env: Env, provider: Provider, budgetMs: number): Promise<ListProbe> {
  const fixed = staticModels(provider);
  if (fixed) return { reason: "ok", latency_ms: null, models: fixed, listsStatus: false };
  const config = configProblem(env, provider);
  if (config) return config;
  const signal = AbortSignal.timeout(budgetMs);
  const started = Date.now();
  let res: Response;
  try {
    res = await sendToProvider(env, provider, { path: apiPath(provider, "/models"), headers: { accept: "application/json" }, signal, firstByteMs: budgetMs });
  } catch (error) {
    const latency = Date.now() - started;
    if (error instanceof ApiError && error.code === "provider_timeout") return problem("timeout", `no answer within ${budgetMs} ms`, "check the host is up; raise timeouts.catalogMs for a slow link", latency);
    if (signal.aborted) return problem("timeout", `no answer within ${budgetMs} ms`, "check the host is up; raise timeouts.catalogMs for a slow link", latency);
    return problem("unreachable", "DNS lookup or connection failed", "check the hostname resolves (the tunnel's DNS route: cloudflared tunnel route dns) and the host is running", latency);
  }
  const latency = Date.now() - started;
  if (!res.ok) return classifyStatus(provider, res, latency);
  if (Number(res.headers.get("content-length") ?? 0) > MAX_LIST_BYTES) {
    await res.body?.cancel();
    return problem("not_a_model_list", "the model list is too large", "check baseUrl points at the model host", latency);
  }
  let models: HostModel[] | undefined;
  try {
    models = parseModelList(await res.json());
  } catch {
    models = undefined;
  }
  if (!models) return problem("not_a_model_list", "baseUrl answered 200, but not with a model list", "check baseUrl points at llama-swap (or the API root), not a web page", latency);
  const listsStatus = models.some((m) => m.status !== undefined);
  if (!listsStatus && provider.kind === "llama-swap" && models.length > 0) {
    const running = await runningModels(env, provider, signal, budgetMs);
    if (running) models = models.map((m) => ({ ...m, status: running.has(m.id) ? "loaded" : "unloaded" }));
  }
  return { reason: "ok", latency_ms: latency, models, listsStatus };
}
