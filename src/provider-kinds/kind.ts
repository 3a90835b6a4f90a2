// What differs between kinds of provider, behind one interface: where a route lives on the host, how to
// read its model list and what is loaded, how it says "no such model". Generic code (catalog, inference,
// context discovery, classification) asks the provider's kind and never tests `provider.kind` itself.
import type { HostModel } from "../catalog/types.ts";
import type { Provider } from "../registry/schema.ts";
import type { Host } from "../upstream/host.ts";
import { llamaSwapKind } from "./llama-swap.ts";
import { openaiKind } from "./openai.ts";

export interface ModelProps {
  /** Context of ONE slot, as llama-server serves it. */
  n_ctx: number;
  slots: number | null;
}

export interface ProviderKind {
  /** The host path for a route as llama-swap names it (`/v1/chat/completions`, `/infill`). */
  hostPath(route: string): string;
  /** A listed model's status when the host does not report one. */
  unreportedStatus: "loaded" | "unloaded";
  /** The host's model list, with loaded state where the kind can tell. Throws HostError. Never loads a model. */
  listModels(host: Host, signal: AbortSignal): Promise<HostModel[]>;
  /** The models loaded right now; undefined when this kind cannot tell. Never loads a model. */
  loadedModels(host: Host, signal: AbortSignal): Promise<Set<string> | undefined>;
  /** Props of a model that `loadedModels` has just reported loaded; undefined when the kind has none. */
  readProps(host: Host, wireModel: string, signal: AbortSignal): Promise<ModelProps | undefined>;
  /** Does this error answer mean "the host serves no such model"? */
  isUnknownModel(status: number, body: string, json: unknown): boolean;
}

const KINDS: Record<Provider["kind"], ProviderKind> = {
  "llama-swap": llamaSwapKind,
  openai: openaiKind,
};

export function kindOf(provider: Provider): ProviderKind {
  return KINDS[provider.kind];
}
