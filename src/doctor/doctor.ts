// The doctor: every provider checked end to end FROM the Worker (its real secrets, transport and
// URLs), one verdict each: ok, or the problem and its fix. Behind GET /admin/doctor; the CLI's
// `llama-edge doctor` prints it. Nothing here makes a host load a model.
import type { Provider } from "../registry/schema.ts";
import type { Scope } from "../scope.ts";
import { probeGeneration, probeProps, type Generation, type PropsCheck } from "./host-features.ts";
import { probeModelList, type ListReason } from "./list-probe.ts";
import { registryWarnings, type RegistryWarning } from "./registry-warnings.ts";

export interface DoctorReport {
  id: string;
  label: string;
  kind: Provider["kind"];
  enabled: boolean;
  /** true: the provider works; false: `reason` says what is wrong and `fix` what to do; null: disabled. */
  ok: boolean | null;
  reason: ListReason | "disabled";
  message?: string;
  fix?: string;
  latency_ms: number | null;
  models: number | null;
  loaded: string[];
  generation?: Generation;
  lists_status?: boolean;
  props?: PropsCheck;
  warnings: Omit<RegistryWarning, "provider">[];
}

/** Probes get a little more than the catalog's deadline: a doctor run is worth waiting for. */
const DOCTOR_BUDGET_MS = 5000;

async function examine(scope: Scope, provider: Provider, warnings: RegistryWarning[]): Promise<DoctorReport> {
  const base = {
    id: provider.id,
    label: provider.label,
    kind: provider.kind,
    enabled: provider.enabled,
    warnings: warnings.filter((w) => w.provider === provider.id).map(({ code, message }) => ({ code, message })),
  };
  if (!provider.enabled) return { ...base, ok: null, reason: "disabled", latency_ms: null, models: null, loaded: [] };
  const list = await probeModelList(scope, provider, Math.max(provider.timeouts.catalogMs, DOCTOR_BUDGET_MS));
  const outcome = { reason: list.reason, ...(list.message ? { message: list.message, fix: list.fix } : {}), latency_ms: list.latency_ms };
  if (list.reason !== "ok" || !list.models) return { ...base, ok: false, ...outcome, models: null, loaded: [] };
  const loaded = list.models.filter((m) => m.status === "loaded").map((m) => m.id);
  const report: DoctorReport = {
    ...base,
    ok: true,
    ...outcome,
    models: list.models.length,
    loaded,
    lists_status: list.listsStatus === true,
  };
  // The generation and `/props` are llama-swap's own; a hosted API has neither.
  if (provider.kind === "llama-swap" && !provider.models) {
    const host = scope.host(provider);
    const [generation, props] = await Promise.all([
      probeGeneration(host, DOCTOR_BUDGET_MS),
      probeProps(host, list.models, DOCTOR_BUDGET_MS),
    ]);
    report.generation = generation;
    report.props = props;
  }
  return report;
}

/** `ownOrigin`: the origin this request reached the router on, so a registry pointing back at it is flagged. */
export async function runDoctor(scope: Scope, ownOrigin: string): Promise<DoctorReport[]> {
  const registry = await scope.registry();
  const warnings = registryWarnings(registry.document, [ownOrigin]);
  return Promise.all(registry.providers.map((p) => examine(scope, p, warnings)));
}
