// Reads an inference request body. The router checks only what it needs to route (a JSON object with
// a non-empty string `model`); every other field is the host's business and passes through untouched,
// since clients send vendor fields the router cannot know.
import { z } from "zod";
import { invalidRequest } from "../errors.ts";

/** Bodies above this size get 413 before they are parsed. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

const RoutedFields = z.looseObject({
  model: z.string({ error: "must be a string" }).min(1, "must not be empty"),
});

export interface InferenceBody {
  /** The body exactly as the client sent it (decoded from UTF-8). */
  text: string;
  model: string;
  /** The client asked for server-sent events. */
  stream: boolean;
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
    const missing = !("model" in json);
    throw invalidRequest(
      missing ? "The request body has no 'model'. Send a model id such as 'provider/model' (GET /v1/models lists them)." : `The 'model' field ${issue?.message ?? "is invalid"}.`,
      missing ? "missing_model" : "invalid_model",
      "model",
    );
  }
  return { text, model: parsed.data.model, stream: (json as { stream?: unknown }).stream === true };
}
