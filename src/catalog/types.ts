// The catalog's contract: what `/v1/models`, the picker, context discovery and model resolution read.

export type ModelStatus = "loaded" | "unloaded" | "unavailable";

/** One record of `GET /v1/models`: OpenAI's model object plus provider identity. */
export interface CatalogModel {
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
