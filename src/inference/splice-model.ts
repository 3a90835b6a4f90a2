// Replaces the top-level `model` value in the client's raw body bytes without re-serializing the rest.
// JSON.stringify(JSON.parse(body)) would round big integers (a `seed` above 2^53), rewrite numbers such
// as 1.0 or 1e2, change the whitespace and drop duplicate keys: the host must receive the client's body
// as sent, with only the model changed. Working on bytes also spares decoding and re-encoding up to
// 4 MiB per request: the only copy is the output itself.
import { keyName, scanObject, skipWhitespace } from "./json-scan.ts";

export interface Slot {
  /** Start and end (exclusive) of a value in the body's bytes. */
  start: number;
  end: number;
}

/** Every top-level `"model"` value of the object in `bytes`, in order (throws JsonSyntaxError). */
export function findTopLevelModel(bytes: Uint8Array): Slot[] {
  const members = scanObject(bytes, skipWhitespace(bytes, 0));
  return members.filter((m) => keyName(bytes, m, 5) === "model").map((m) => ({ start: m.valueStart, end: m.valueEnd }));
}

const encoder = new TextEncoder();

/** The spliced body as pieces: views of the original bytes and the encoded model between them. */
export function splicePieces(bytes: Uint8Array, model: string, slots: readonly Slot[]): Uint8Array[] {
  const encoded = encoder.encode(JSON.stringify(model));
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const { start, end } of slots) {
    pieces.push(bytes.subarray(from, start), encoded);
    from = end;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}

/**
 * The same bytes with every slot replaced by `model` (JSON-encoded). Every duplicate is replaced:
 * JSON.parse reads the last one, some hosts read the first, and both must see the id the router
 * routed by.
 */
export function spliceModel(bytes: Uint8Array, model: string, slots: readonly Slot[] = findTopLevelModel(bytes)): Uint8Array {
  const encoded = encoder.encode(JSON.stringify(model));
  const removed = slots.reduce((sum, s) => sum + (s.end - s.start), 0);
  const out = new Uint8Array(bytes.length - removed + slots.length * encoded.length);
  let from = 0;
  let to = 0;
  for (const { start, end } of slots) {
    out.set(bytes.subarray(from, start), to);
    to += start - from;
    out.set(encoded, to);
    to += encoded.length;
    from = end;
  }
  out.set(bytes.subarray(from), to);
  return out;
}
