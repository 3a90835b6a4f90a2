// Replaces the top-level `model` value of a JSON object text without re-serializing the rest.
// JSON.stringify(JSON.parse(body)) would round big integers (a `seed` above 2^53), rewrite numbers such
// as 1.0 or 1e2, change the whitespace and drop duplicate keys: the host must receive the client's body
// as sent, with only the model changed.
//
// The input must already be valid JSON (the caller parsed it); this scanner only finds token bounds.

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

function skipWhitespace(text: string, at: number): number {
  while (at < text.length && WHITESPACE.has(text[at] as string)) at++;
  return at;
}

/** `at` is on the opening quote; returns the index just past the closing quote. */
function skipString(text: string, at: number): number {
  let i = at + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\") i += 2;
    else if (ch === '"') return i + 1;
    else i++;
  }
  throw new Error("unterminated string");
}

/** Skips one value of any type; returns the index just past it. */
function skipValue(text: string, at: number): number {
  const first = text[at];
  if (first === '"') return skipString(text, at);
  if (first !== "{" && first !== "[") {
    // Number, true, false or null: runs until a delimiter.
    let i = at;
    while (i < text.length && !",}]".includes(text[i] as string) && !WHITESPACE.has(text[i] as string)) i++;
    return i;
  }
  let depth = 0;
  let i = at;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      i = skipString(text, i);
      continue;
    }
    if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  throw new Error("unterminated container");
}

/** Start and end (exclusive) of every top-level `"model"` value, in order. */
export function findTopLevelModel(text: string): { start: number; end: number }[] {
  const found: { start: number; end: number }[] = [];
  let i = skipWhitespace(text, 0);
  if (text[i] !== "{") throw new Error("not a JSON object");
  i = skipWhitespace(text, i + 1);
  if (text[i] === "}") return found;
  for (;;) {
    const keyEnd = skipString(text, i);
    // Keys may be spelled with escapes (`"mod\u0065l"`): compare what they decode to, as JSON.parse does.
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWhitespace(text, keyEnd);
    i = skipWhitespace(text, i + 1); // past ':'
    const valueEnd = skipValue(text, i);
    if (key === "model") found.push({ start: i, end: valueEnd });
    i = skipWhitespace(text, valueEnd);
    if (text[i] === "}") return found;
    i = skipWhitespace(text, i + 1); // past ','
  }
}

/**
 * The same text with every top-level `model` value replaced by `model` (JSON-encoded). Every
 * duplicate is replaced: JSON.parse reads the last one, some hosts read the first, and both must see
 * the id the router routed by.
 */
export function spliceModel(text: string, model: string): string {
  const encoded = JSON.stringify(model);
  let out = "";
  let from = 0;
  for (const { start, end } of findTopLevelModel(text)) {
    out += text.slice(from, start) + encoded;
    from = end;
  }
  return out + text.slice(from);
}
