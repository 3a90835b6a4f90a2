// Reads one provider's model list: a llama-swap host's `/v1/models`, a hosted API's `/models`, or the
// registry's static `models`. Only lists are read (and `/running` on hosts whose list has no status),
// never `/props` or `/upstream/...`: reading the catalog must never make a host load a model.
import * as z from "zod";
import type { Env } from "../env.ts";
import type { Provider } from "../registry/schema.ts";
import { runningModels } from "../upstream/running.ts";
import { apiPath, sendToProvider } from "../upstream/transport.ts";

/** A model as its host reports it, by wire id. */
export interface HostModel {
  id: string;
  /** undefined when the host does not say (llama-swap before v236, hosted APIs). */
  status?: "loaded" | "unloaded";
  context_length?: number;
}

// Tolerant on purpose: hosts add fields with every release; a record we cannot read is skipped, not fatal.
const Record_ = z.looseObject({
  id: z.string().min(1).max(256),
  status: z.looseObject({ value: z.string() }).optional().catch(undefined),
  context_length: z.number().int().positive().optional().catch(undefined),
  meta: z.looseObject({ n_ctx: z.number().int().positive().optional().catch(undefined) }).optional().catch(undefined),
});
const List = z.looseObject({ data: z.array(z.unknown()).max(5000) });

const MAX_LIST_BYTES = 4 * 1024 * 1024;

export function parseModelList(json: unknown): HostModel[] | undefined {
  const list = List.safeParse(json);
  if (!list.success) return undefined;
  const models: HostModel[] = [];
  const seen = new Set<string>();
  for (const raw of list.data.data) {
    const record = Record_.safeParse(raw);
    if (!record.success || seen.has(record.data.id)) continue;
    seen.add(record.data.id);
    const value = record.data.status?.value;
    const context = record.data.context_length ?? record.data.meta?.n_ctx;
    models.push({
      id: record.data.id,
      ...(value === "loaded" || value === "unloaded" ? { status: value } : {}),
      ...(context ? { context_length: context } : {}),
    });
  }
  return models;
}

export function staticModels(provider: Provider): HostModel[] | undefined {
  return provider.models?.map((m) => (typeof m === "string" ? { id: m } : { id: m.id, ...(m.context_length ? { context_length: m.context_length } : {}) }));
}

/**
 * Fetches the list, giving up when `signal` fires (the catalog's deadline): the abort also frees the
 * connection slot, which matters because a Worker keeps at most 6 connections waiting at once.
 * Resolves undefined when the host cannot be reached or answers with anything but a list.
 */
export async function fetchHostList(env: Env, provider: Provider, signal: AbortSignal, timeoutMs: number): Promise<HostModel[] | undefined> {
  const fixed = staticModels(provider);
  if (fixed) return fixed;
  try {
    const res = await sendToProvider(env, provider, {
      path: apiPath(provider, "/models"),
      headers: { accept: "application/json" },
      signal,
      firstByteMs: timeoutMs,
    });
    if (!res.ok || Number(res.headers.get("content-length") ?? 0) > MAX_LIST_BYTES) {
      await res.body?.cancel();
      return undefined;
    }
    const models = parseModelList(await res.json());
    return models && provider.kind === "llama-swap" ? await withRunningStatus(env, provider, models, signal, timeoutMs) : models;
  } catch {
    return undefined;
  }
}

/**
 * llama-swap before v236 lists no `status`: ask `/running` (within the same deadline) what is loaded,
 * rather than calling every model unloaded. When `/running` does not answer, status stays unknown.
 */
async function withRunningStatus(env: Env, provider: Provider, models: HostModel[], signal: AbortSignal, timeoutMs: number): Promise<HostModel[]> {
  if (models.length === 0 || models.some((m) => m.status !== undefined)) return models;
  const running = await runningModels(env, provider, signal, timeoutMs);
  if (!running) return models;
  return models.map((m) => ({ ...m, status: running.has(m.id) ? "loaded" : "unloaded" }));
}
