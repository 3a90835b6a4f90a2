// The inference routes as data: where each one's model id is, how its errors and streams are spoken,
// which client headers the host needs, and whether a provider's sidecar serves it. A new llama-swap route
// is one row here, not a new handler. (Paths and first versions: llama-swap's internal/server/server.go.)
import type { Dialect } from "../streams/sse.ts";

export interface InferenceRoute {
  method: "POST" | "GET";
  /** The path as clients call it and llama-swap serves it; the provider's kind maps it to the host's path. */
  path: string;
  /** Where the model id is: the JSON body's `model`, the query's `?model=`, or a multipart form's `model` field. */
  modelFrom: "json" | "query" | "multipart";
  /** How errors (and error events in streams) are shaped for this route's clients. */
  dialect: Dialect;
  /** A sidecar adds features to chat; every other route always goes to the host itself. */
  sidecar: boolean;
  /** Chat and completions streams end with `data: [DONE]`; others (Responses, Anthropic) end when the host closes. */
  endsWithDone: boolean;
  /** Client headers the host needs besides Content-Type and Accept (never credentials). */
  passHeaders?: readonly string[];
}

const openai = (path: string, extra: Partial<InferenceRoute> = {}): InferenceRoute => ({
  method: "POST",
  path,
  modelFrom: "json",
  dialect: "openai",
  sidecar: false,
  endsWithDone: true,
  ...extra,
});

/** What Anthropic clients (Claude Code, the Anthropic SDKs) send that llama-server reads. */
const ANTHROPIC_HEADERS = ["anthropic-version", "anthropic-beta"] as const;

export const INFERENCE_ROUTES: readonly InferenceRoute[] = [
  openai("/v1/chat/completions", { sidecar: true }),
  openai("/v1/completions", { sidecar: true }),
  openai("/v1/embeddings"),
  openai("/v1/responses", { endsWithDone: false }),
  openai("/v1/messages", { dialect: "anthropic", endsWithDone: false, passHeaders: ANTHROPIC_HEADERS }),
  openai("/v1/messages/count_tokens", { dialect: "anthropic", endsWithDone: false, passHeaders: ANTHROPIC_HEADERS }),
  openai("/v1/rerank"),
  openai("/v1/reranking"),
  openai("/rerank"),
  openai("/reranking"),
  // llama-server's native fill-in-the-middle and completion (editor plugins); their streams end when the host closes.
  openai("/infill", { endsWithDone: false }),
  openai("/completion", { endsWithDone: false }),
  openai("/v1/audio/speech"),
  openai("/v1/audio/transcriptions", { modelFrom: "multipart" }),
  openai("/v1/audio/voices"),
  openai("/v1/audio/voices", { method: "GET", modelFrom: "query" }),
  openai("/v1/images/generations"),
  openai("/v1/images/edits", { modelFrom: "multipart" }),
];

const byPath = new Map<string, Dialect>(INFERENCE_ROUTES.map((r) => [r.path, r.dialect]));

/** The error shape a request's path calls for, before anything else is known (even a 401 must be in it). */
export function dialectOfPath(path: string): Dialect | undefined {
  return byPath.get(path);
}
