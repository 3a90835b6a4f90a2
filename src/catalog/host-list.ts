// Reads one provider's model list: the registry's static `models`, or whatever the provider's kind reads
// from the host (provider-kinds/). Only lists are read (and `/running` on llama-swap hosts whose list has
// no status), never `/props` or `/upstream/...`: reading the catalog must never make a host load a model.
// A failure is kept as a value with its reason, so a missing secret is reported as such, not as a host
// that happens to be down.
import type { Provider } from "../registry/schema.ts";
import { type HostFailure, HostError } from "../upstream/failure.ts";
import type { Host } from "../upstream/host.ts";
import type { HostModel } from "./types.ts";

export type ListResult = { ok: true; models: HostModel[] } | { ok: false; failure: HostFailure };

export function staticModels(provider: Provider): HostModel[] | undefined {
  return provider.models?.map((m) =>
    typeof m === "string" ? { id: m } : { id: m.id, ...(m.context_length ? { context_length: m.context_length } : {}) },
  );
}

/**
 * Fetches the list, giving up when `signal` fires (the catalog's deadline): the abort also frees the
 * connection slot, which matters because a Worker keeps at most 6 connections waiting at once.
 */
export async function fetchHostList(host: Host, signal: AbortSignal): Promise<ListResult> {
  const fixed = staticModels(host.provider);
  if (fixed) return { ok: true, models: fixed };
  try {
    return { ok: true, models: await host.kind.listModels(host, signal) };
  } catch (error) {
    if (error instanceof HostError) return { ok: false, failure: error.failure };
    throw error;
  }
}
