// A hosted OpenAI-compatible API (DeepSeek, OpenAI, OpenRouter...). `baseUrl` is the API root an OpenAI
// SDK would take, so routes drop their `/v1`. Its models are always ready: nothing loads, no props.
import type { Host } from "../upstream/host.ts";
import { hostError } from "../upstream/failure.ts";
import type { ProviderKind } from "./kind.ts";
import { listOrThrow, MAX_LIST_BYTES } from "./model-list.ts";

/** OpenAI's own answer for an unknown model, which most compatible APIs copy. */
export function isOpenAiUnknownModel(status: number, json: unknown): boolean {
  if (status !== 404 || typeof json !== "object" || json === null) return false;
  const error = (json as { error?: unknown }).error;
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "model_not_found";
}

export const openaiKind: ProviderKind = {
  hostPath: (route) => (route.startsWith("/v1/") ? route.slice(3) : route),
  unreportedStatus: "loaded",
  async listModels(host: Host, signal) {
    const json = await host.getJson("/models", signal, MAX_LIST_BYTES);
    return listOrThrow(json, () =>
      hostError({ kind: "failed", provider: host.provider.id, status: 200, detail: "the model list is not an OpenAI list" }),
    );
  },
  loadedModels: async () => undefined,
  readProps: async () => undefined,
  isUnknownModel: (status, _body, json) => isOpenAiUnknownModel(status, json),
};
