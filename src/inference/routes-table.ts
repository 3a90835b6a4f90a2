// The inference routes as data: where each one's model id is, how its errors and streams are spoken, and
// whether a provider's sidecar serves it. A new llama-swap route is one row here, not a new handler.
import type { Dialect } from "../streams/sse.ts";

export interface InferenceRoute {
  /** The path as clients call it and llama-swap serves it; the provider's kind maps it to the host's path. */
  path: string;
  /** Where the model id is. */
  modelFrom: "json";
  /** How errors (and error events in streams) are shaped for this route's clients. */
  dialect: Dialect;
  /** A sidecar adds features to chat; embeddings and the Responses API always go to the host itself. */
  sidecar: boolean;
  /** Chat and completions streams end with `data: [DONE]`; the Responses API's end when the host closes. */
  endsWithDone: boolean;
}

export const INFERENCE_ROUTES: readonly InferenceRoute[] = [
  { path: "/v1/chat/completions", modelFrom: "json", dialect: "openai", sidecar: true, endsWithDone: true },
  { path: "/v1/completions", modelFrom: "json", dialect: "openai", sidecar: true, endsWithDone: true },
  { path: "/v1/embeddings", modelFrom: "json", dialect: "openai", sidecar: false, endsWithDone: true },
  { path: "/v1/responses", modelFrom: "json", dialect: "openai", sidecar: false, endsWithDone: false },
];
