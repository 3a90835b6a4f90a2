// The reader the router had before it worked on bytes: decode, JSON.parse, check with zod. Kept as the
// oracle the byte-level reader (src/inference/request-body.ts) is compared with on generated bodies.
import * as z from "zod";
import { invalidRequest } from "../../src/errors.ts";

const RoutedFields = z.looseObject({
  model: z.string({ error: "must be a string" }).min(1, "must not be empty"),
  models: z.array(z.string().min(1).max(256)).max(8).optional(),
  messages: z.array(z.unknown()).max(4096).optional(),
  input: z.union([z.string(), z.array(z.unknown()).max(2048)]).optional(),
  stream: z.unknown().optional(),
});

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function oracleParse(bytes: Uint8Array): { text: string; model: string; stream: boolean; fallbacks: string[] } {
  let text: string;
  let json: unknown;
  try {
    text = decoder.decode(bytes);
    json = JSON.parse(text);
  } catch {
    throw invalidRequest("not JSON", "invalid_json");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw invalidRequest("not an object", "invalid_body");
  const parsed = RoutedFields.safeParse(json);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path[0];
    if (field !== undefined && field !== "model") throw invalidRequest("bad field", "invalid_body", String(field));
    throw invalidRequest("bad model", "model" in json ? "invalid_model" : "missing_model", "model");
  }
  const fallbacks = (parsed.data.models ?? []).filter((m) => m !== parsed.data.model);
  return { text, model: parsed.data.model, stream: parsed.data.stream === true, fallbacks };
}
