// The grouped view for pickers: Favorites first (the available ones, in the user's order), then one
// section per provider in registry order. A favorite also stays in its provider's section, marked.
// Favorites whose provider or model is unavailable are left out here and never deleted.
import type { Catalog, CatalogModel, CatalogProvider } from "../catalog/types.ts";

export interface PickerModel {
  id: string;
  name: string;
  /** The provider id, so a client never re-derives routing identity from the composite id's text. */
  provider: string;
  status: CatalogModel["status"];
  favorite: boolean;
  context_length?: number;
  capabilities?: string[];
  /** False when the host says the model does something other than chat (embeddings, reranking, audio, images). */
  chat: boolean;
}

export type PickerSection =
  | { kind: "favorites"; models: PickerModel[] }
  | { kind: "provider"; provider: CatalogProvider; models: PickerModel[] };

// llama-swap's capability names (and the spellings other hosts use) for models that do not chat.
const NOT_CHAT =
  /^(embed|embedding|embeddings|rerank|reranker|reranking|audio|audio_transcriptions|audio_speech|transcription|tts|speech|image_generation|image_to_image|image)$/i;
// Capabilities that add to chat rather than replace it.
const CHAT = /^(chat|completion|completions|vision|function_calling|tools|reasoning)$/i;

/** A model is for chat unless its capabilities name only non-chat jobs; no capabilities: assume chat. */
export function isChatModel(capabilities: readonly string[] | undefined): boolean {
  if (!capabilities?.length) return true;
  if (capabilities.some((c) => CHAT.test(c))) return true;
  return !capabilities.some((c) => NOT_CHAT.test(c));
}

/** `contexts`: context lengths known from the user's cache, used when the host's list has none. */
export function buildPicker(
  catalog: Catalog,
  favorites: readonly string[],
  contexts: Readonly<Record<string, number>> = {},
): { sections: PickerSection[] } {
  const favored = new Set(favorites);
  const byId = new Map(catalog.models.map((m) => [m.id, m]));
  const view = (m: CatalogModel): PickerModel => {
    const context = m.context_length || contexts[m.id];
    return {
      id: m.id,
      name: m.name,
      provider: m.owned_by,
      status: m.status,
      favorite: favored.has(m.id),
      ...(context ? { context_length: context } : {}),
      ...(m.capabilities?.length ? { capabilities: m.capabilities } : {}),
      chat: isChatModel(m.capabilities),
    };
  };
  const favoriteModels = favorites
    .map((id) => byId.get(id))
    .filter((m): m is CatalogModel => m !== undefined && m.status !== "unavailable")
    .map(view);
  const sections: PickerSection[] = [{ kind: "favorites", models: favoriteModels }];
  for (const provider of catalog.providers) {
    sections.push({ kind: "provider", provider, models: catalog.models.filter((m) => m.owned_by === provider.id).map(view) });
  }
  return { sections };
}
