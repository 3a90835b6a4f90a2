// The catalog's contract: what `/v1/models`, the picker, context discovery and model resolution read.

export type ModelStatus = "loaded" | "unloaded" | "unavailable";

/** What a host says a model is for (llama-swap v225+), kept as the host sent it, within bounds. */
export interface ModelTraits {
  /** llama-swap's names: vision, audio_transcriptions, audio_speech, image_generation, image_to_image, function_calling, reranker, embedding... */
  capabilities?: string[];
  architecture?: { input_modalities?: string[]; output_modalities?: string[] };
  supported_parameters?: string[];
}

/** A model as its host reports it, by wire id. */
export interface HostModel extends ModelTraits {
  id: string;
  /** undefined when the host does not say (llama-swap before v236, hosted APIs). */
  status?: "loaded" | "unloaded";
  context_length?: number;
}

/** One record of `GET /v1/models`: OpenAI's model object plus provider identity. */
export interface CatalogModel extends ModelTraits {
  /** The composite id `provider/model`. */
  id: string;
  object: "model";
  created: number;
  /** The provider id. */
  owned_by: string;
  /** Display name: the id without the provider prefix. */
  name: string;
  provider: { id: string; label: string };
  status: ModelStatus;
  context_length?: number;
  /** The host's capability names when it lists them (llama-swap: "vision", "embedding", "reranker", ...). */
  capabilities?: string[];
  /** A pool's model only: its members' composite ids, in the operator's order (src/pools/). */
  members?: string[];
}

export interface CatalogProvider {
  id: string;
  label: string;
  /** `ok`: its list was fetched now or within the cache window; `unavailable`: served from the last good list (or none). */
  status: "ok" | "unavailable";
}

export interface Catalog {
  /** Ordered by provider (registry order), then id. Enabled providers only. */
  models: CatalogModel[];
  providers: CatalogProvider[];
  /** Ids of providers whose list could not be fetched this time. */
  degraded: string[];
}
