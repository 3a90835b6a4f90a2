// Reads an inference request body. The router checks only what it needs to route (a JSON object with
// a non-empty string `model`); every other field is the host's business and passes through untouched,
// since clients send vendor fields the router cannot know.
import * as z from "zod";
import { invalidRequest } from "../errors.ts";

/** Bodies above this size get 413 before they are parsed. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

// Bounds that keep one request from being unreasonable whatever the host would accept: the body is
// already at most 4 MiB; these bound what a router or a host would iterate over.
export const MAX_MESSAGES = 4096;
export const MAX_EMBEDDING_INPUTS = 2048;
export const MAX_FALLBACK_MODELS = 8;

const RoutedFields = z.looseObject({
  model: z.string({ error: "must be a string" }).min(1, "must not be empty"),
  /** OpenRouter-style fallbacks: tried in order when the model's host is unavailable. */
  models: z.array(z.string().min(1).max(256)).max(MAX_FALLBACK_MODELS).optional(),
  messages: z.array(z.unknown()).max(MAX_MESSAGES).optional(),
  input: z.union([z.string(), z.array(z.unknown()).max(MAX_EMBEDDING_INPUTS)]).optional(),
  stream: z.unknown().optional(),
});

export interface InferenceBody {
  /** The body exactly as the client sent it (decoded from UTF-8). */
  text: string;
  model: string;
  /** The client asked for server-sent events. */
  stream: boolean;
  /** Fallback model ids from the body's `models`, without the first model itself. */
  fallbacks: string[];
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function parseInferenceBody(bytes: ArrayBuffer): InferenceBody {
  let text: string;
  let json: unknown;
  try {
    text = decoder.decode(bytes);
    json = JSON.parse(text);
  } catch {
    throw invalidRequest("The request body is not valid JSON (UTF-8).", "invalid_json");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw invalidRequest("The request body must be a JSON object.", "invalid_body");
  }
  const parsed = RoutedFields.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0];
    if (field !== undefined && field !== "model") {
      throw invalidRequest(`The '${String(field)}' field is invalid: ${issue?.message}.`, "invalid_body", String(field));
    }
    const missing = !("model" in json);
    throw invalidRequest(
      missing ? "The request body has no 'model'. Send a model id such as 'provider/model' (GET /v1/models lists them)." : `The 'model' field ${issue?.message ?? "is invalid"}.`,
      missing ? "missing_model" : "invalid_model",
      "model",
    );
  }
  const fallbacks = (parsed.data.models ?? []).filter((m) => m !== parsed.data.model);
  return { text, model: parsed.data.model, stream: parsed.data.stream === true, fallbacks };
}
