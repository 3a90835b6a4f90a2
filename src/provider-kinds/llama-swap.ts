// A llama-swap host (any generation: ~v200, v218-v250, main). Routes keep their llama-swap paths under
// `baseUrl`. What is loaded comes from the list's `status` (v236+) or, before that, from `/running`;
// props come from `/upstream/<id>/props`, which LOADS the model: only ever asked for a model that
// `/running` has just reported ready (context/discover.ts).
import * as z from "zod";
import type { HostModel } from "../catalog/types.ts";
import type { Host } from "../upstream/host.ts";
import { hostError } from "../upstream/failure.ts";
import type { ProviderKind } from "./kind.ts";
import { listOrThrow, MAX_LIST_BYTES } from "./model-list.ts";
import { isOpenAiUnknownModel } from "./openai.ts";

const MAX_RUNNING_BYTES = 256 * 1024;
const MAX_PROPS_BYTES = 1024 * 1024;

// `state` is "ready" once llama-server answers; "starting" or "stopping" are not loaded yet / any more.
// Records also carry `cmd`, the host's command line: only model ids leave this module.
const Running = z.looseObject({
  running: z.array(z.looseObject({ model: z.string(), state: z.string().optional().catch(undefined) })).max(5000),
});

const Props = z.looseObject({
  default_generation_settings: z.looseObject({ n_ctx: z.number().int().positive() }),
  total_slots: z.number().int().positive().optional(),
});

/**
 * `/upstream/<wire id>/<rest>` with each segment of the id percent-encoded, so a host-listed id such as
 * `a/%2e%2e/running` cannot walk out of `/upstream/`. An id with a segment that is or decodes to `.` or
 * `..` gets no path at all.
 */
export function upstreamPath(wireModel: string, rest: string): string | undefined {
  const segments = wireModel.split("/");
  for (const segment of segments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      decoded = segment;
    }
    if (segment === "" || decoded === "." || decoded === "..") return undefined;
  }
  return `/upstream/${segments.map(encodeURIComponent).join("/")}/${rest}`;
}

async function running(host: Host, signal: AbortSignal): Promise<Set<string> | undefined> {
  const parsed = Running.safeParse(await host.getJson("/running", signal, MAX_RUNNING_BYTES).catch(() => undefined));
  if (!parsed.success) return undefined;
  return new Set(parsed.data.running.filter((r) => r.state === undefined || r.state === "ready").map((r) => r.model));
}

export const llamaSwapKind: ProviderKind = {
  hostPath: (route) => route,
  unreportedStatus: "unloaded",
  async listModels(host, signal) {
    const json = await host.getJson("/v1/models", signal, MAX_LIST_BYTES);
    const models = listOrThrow(json, () =>
      hostError({ kind: "failed", provider: host.provider.id, status: 200, detail: "the model list is not an OpenAI list" }),
    );
    // Before v236 the list has no `status`: ask `/running` (within the same deadline) rather than call
    // every model unloaded. When `/running` does not answer either, status stays unknown.
    if (models.length === 0 || models.some((m) => m.status !== undefined)) return models;
    const loaded = await running(host, signal);
    if (!loaded) return models;
    return models.map((m): HostModel => ({ ...m, status: loaded.has(m.id) ? "loaded" : "unloaded" }));
  },
  loadedModels: running,
  async readProps(host, wireModel, signal) {
    const path = upstreamPath(wireModel, "props");
    if (!path) return undefined;
    const props = Props.safeParse(await host.getJson(path, signal, MAX_PROPS_BYTES).catch(() => undefined));
    return props.success ? { n_ctx: props.data.default_generation_settings.n_ctx, slots: props.data.total_slots ?? null } : undefined;
  },
  isUnknownModel(status, body, json) {
    // ~v217: 400 text; v218-v250: 404 with `error` a string; main: 404 with an OpenAI-style error object.
    if (status === 400) return body.includes("could not find suitable inference handler");
    if (status === 404 && typeof json === "object" && json !== null && (json as { src?: unknown }).src === "llama-swap") return true;
    return isOpenAiUnknownModel(status, json);
  },
};
