// Normalizing a favorites list written by a client. Rules:
// - ids are trimmed; anything that is not a well-formed model id is refused, naming each bad entry;
// - a legacy bare id (no `/`) is stored as `<default provider>/<id>`, resolved when written;
// - an id whose first segment is a registered provider, or could be one (`garage/qwen3` while garage
//   is offline or removed), is kept exactly as written: providers come back, favorites must survive;
// - an id whose first segment can never be a provider id (`Qwen/Qwen3-8B-GGUF`) is a default-provider
//   model and is stored under the default provider, like a bare id;
// - duplicates are dropped, keeping the first position; more than 200 entries change nothing.
import { invalidRequest } from "../errors.ts";
import { checkModelString, formatModelId, parseModelId } from "../model-id.ts";
import type { Registry } from "../registry/loader.ts";
import { PROVIDER_ID } from "../registry/schema.ts";

export const MAX_FAVORITES = 200;

export function normalizeFavorites(input: readonly unknown[], registry: Registry): string[] {
  if (input.length > MAX_FAVORITES) {
    throw invalidRequest(
      `favorite_models holds ${input.length} entries; at most ${MAX_FAVORITES} are allowed. Nothing was changed.`,
      "too_many_favorites",
      "favorite_models",
    );
  }
  const problems: string[] = [];
  const out: string[] = [];
  const seen = new Set<string>();
  input.forEach((raw, index) => {
    const id = typeof raw === "string" ? raw.trim() : undefined;
    const problem = id === undefined ? "is not a string" : checkModelString(id)?.message;
    if (id === undefined || problem) {
      problems.push(`favorite_models[${index}] (${JSON.stringify(raw)?.slice(0, 80)}): ${problem}`);
      return;
    }
    // The one parser decides what the id names; favorites add only that a prefix which could be a
    // provider id is kept as written, since a provider may be offline or removed for a while.
    const parsed = parseModelId(id, registry);
    const prefix = id.includes("/") ? id.slice(0, id.indexOf("/")) : undefined;
    const couldBeProvider = prefix !== undefined && PROVIDER_ID.test(prefix);
    let composite: string;
    if (parsed.ok) composite = parsed.kind === "bare-slashed" && couldBeProvider ? id : formatModelId(parsed.ref);
    else if (couldBeProvider) composite = id;
    else {
      problems.push(`favorite_models[${index}] ('${id}'): names no provider and no default provider is configured`);
      return;
    }
    if (!seen.has(composite)) {
      seen.add(composite);
      out.push(composite);
    }
  });
  if (problems.length) throw invalidRequest(`Invalid favorite model ids: ${problems.join("; ")}`, "invalid_favorites", "favorite_models");
  return out;
}
