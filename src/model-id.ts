// The model-id grammar: `provider/model`, where the model part may itself hold `/` and `:`
// (`sam-desktop/Qwen/Qwen3-8B-GGUF`, `garage/peer/qwen3:high`). Pure functions, no I/O, no throws.
// Routing and every cache key use the full composite id; only presentation strips the prefix.

export const MAX_MODEL_ID_LENGTH = 256;

export interface ModelRef {
  provider: string;
  /** The id the host knows the model by, sent upstream in the body's `model` field. */
  model: string;
}

/**
 * How an id was read:
 * - `composite`: the part before the first `/` is a registered provider.
 * - `bare`: no `/` at all; a legacy id of the default provider.
 * - `bare-slashed`: has `/` but its first segment is no provider (`Qwen/Qwen3-8B-GGUF`, or a typo such as
 *   `sam-destkop/qwen3`). It belongs to the default provider only if that host lists it; callers check.
 */
export type ParsedModelId =
  | { ok: true; kind: "composite" | "bare" | "bare-slashed"; ref: ModelRef }
  | { ok: false; reason: ModelIdProblem; message: string };

export type ModelIdProblem = "empty" | "too_long" | "bad_character" | "bad_segment" | "no_default_provider";

export interface ProviderIds {
  /** Every registered provider id, enabled or not: a disabled prefix is still a provider, never a model. */
  has(id: string): boolean;
  defaultProvider: string | undefined;
}

// Whitespace, C0/C1 controls, characters that would change the meaning of a URL path, and the bidi
// controls that make an id display as another (`\u202egnp.exe` shows as "exe.png").
const FORBIDDEN = /[\s\u0000-\u001f\u007f-\u009f?#\\\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Checks the characters and segments of any model string (composite or wire). */
export function checkModelString(id: string): { reason: ModelIdProblem; message: string } | undefined {
  if (id.length === 0) return { reason: "empty", message: "The model id is empty." };
  if (id.length > MAX_MODEL_ID_LENGTH) {
    return { reason: "too_long", message: `The model id is longer than ${MAX_MODEL_ID_LENGTH} characters.` };
  }
  if (FORBIDDEN.test(id)) {
    return { reason: "bad_character", message: "The model id contains whitespace, a control character, '?', '#', '\\' or a bidi control." };
  }
  for (const segment of id.split("/")) {
    if (segment === "") return { reason: "bad_segment", message: "The model id has an empty part between slashes." };
    if (segment === "..") return { reason: "bad_segment", message: "The model id contains a '..' segment." };
  }
  return undefined;
}

export function parseModelId(id: string, providers: ProviderIds): ParsedModelId {
  const problem = checkModelString(id);
  if (problem) return { ok: false, ...problem };
  const slash = id.indexOf("/");
  if (slash > 0) {
    const prefix = id.slice(0, slash);
    if (providers.has(prefix)) return { ok: true, kind: "composite", ref: { provider: prefix, model: id.slice(slash + 1) } };
  }
  const fallback = providers.defaultProvider;
  if (fallback === undefined) {
    return {
      ok: false,
      reason: "no_default_provider",
      message: `The model id '${id}' names no provider and no default provider is configured.`,
    };
  }
  return { ok: true, kind: slash === -1 ? "bare" : "bare-slashed", ref: { provider: fallback, model: id } };
}

export function formatModelId(ref: ModelRef): string {
  return `${ref.provider}/${ref.model}`;
}

/** For presentation only: `sam-desktop/Qwen/Qwen3-8B-GGUF` → `Qwen/Qwen3-8B-GGUF`. */
export function displayName(compositeId: string, provider: string): string {
  const prefix = `${provider}/`;
  return compositeId.startsWith(prefix) ? compositeId.slice(prefix.length) : compositeId;
}
