// Finds the members of a JSON object in its UTF-8 bytes without decoding or parsing the whole body:
// the router reads a handful of top-level fields of request bodies of up to 4 MiB, and decoding the
// text, JSON.parse and re-encoding it cost about ten times what this scan does (issue 16).
//
// How deep the syntax check goes (the rest is the host's to refuse, and its 400 reaches the client in
// the router's shape):
// - the top level is checked fully: one object, string keys, ':' and ',' where they belong, every
//   scalar value a valid JSON number or literal, nothing but whitespace after the closing brace;
// - nested objects and arrays are checked for balanced, matching brackets and terminated strings only
//   (a backslash outside a string, never valid JSON, escapes a quote or backslash after it as inside one);
// - string contents (escapes, control characters, UTF-8) are checked only where the router reads them
//   (see request-body.ts): elsewhere they pass to the host untouched.
// Every byte that can end a string or a container is ASCII, and UTF-8 never uses an ASCII byte inside a
// multi-byte character, so the scan finds the same structure a full parser would in any valid body.
// The top level is walked here; a nested value (a long `messages` array) is skipped by a WebAssembly
// loop (json-scan.wat), which costs a fraction of one JSON.parse of the same bytes.

import { type ScanOutcome, scanValue } from "./json-scan-wasm.ts";

export class JsonSyntaxError extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

export function isWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

export function skipWhitespace(bytes: Uint8Array, at: number): number {
  while (at < bytes.length && isWhitespace(bytes[at])) at++;
  return at;
}

/** `at` is on an opening quote; returns the index just past the closing one. */
export function skipString(bytes: Uint8Array, at: number): number {
  // Most strings the router meets at the top level are keys and short values without an escape before
  // their closing quote: one native indexOf finds it. Anything else goes to the WebAssembly scan.
  const quote = bytes.indexOf(QUOTE, at + 1);
  if (quote < 0) throw new JsonSyntaxError("unterminated string");
  if (bytes[quote - 1] !== BACKSLASH) return quote + 1;
  return ended(scanValue(bytes, at, true)).end;
}

/**
 * `at` is on `{` or `[`; returns the index just past its matching bracket and, for an array, how many
 * elements it holds (for an object, its members).
 */
export function skipContainer(bytes: Uint8Array, at: number): { end: number; elements: number } {
  const { end, commas } = ended(scanValue(bytes, at, false));
  const empty = skipWhitespace(bytes, at + 1) === end - 1;
  return { end, elements: empty ? 0 : commas + 1 };
}

function ended(outcome: ScanOutcome): { end: number; commas: number } {
  if ("end" in outcome) return outcome;
  throw new JsonSyntaxError(outcome.error === "mismatched" ? "mismatched bracket" : "unterminated value");
}

// A JSON number, or true, false or null: what a top-level scalar may be.
const SCALAR = /^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)$/;
const latin1 = new TextDecoder("latin1");

/** Skips one scalar (number or literal), checking its grammar. */
function skipScalar(bytes: Uint8Array, at: number): number {
  let i = at;
  while (i < bytes.length) {
    const byte = bytes[i];
    if (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isWhitespace(byte)) break;
    i++;
  }
  if (!SCALAR.test(latin1.decode(bytes.subarray(at, i)))) throw new JsonSyntaxError("not a JSON value");
  return i;
}

/** Skips one value of any type; returns the index just past it and, for an array, its length. */
export function skipValue(bytes: Uint8Array, at: number): { end: number; elements: number } {
  const first = bytes[at];
  if (first === QUOTE) return { end: skipString(bytes, at), elements: 0 };
  if (first === OPEN_BRACE || first === OPEN_BRACKET) return skipContainer(bytes, at);
  return { end: skipScalar(bytes, at), elements: 0 };
}

export interface Member {
  /** The key's bytes, quotes included. */
  keyStart: number;
  keyEnd: number;
  /** The value's bytes. */
  valueStart: number;
  valueEnd: number;
  /** For an array value, how many elements it holds; 0 otherwise. */
  elements: number;
}

/**
 * Every member of the object that starts at `at` (a `{`), in order, duplicates included, and checks
 * that nothing but whitespace follows it.
 */
export function scanObject(bytes: Uint8Array, at: number): Member[] {
  if (bytes[at] !== OPEN_BRACE) throw new JsonSyntaxError("not a JSON object");
  const members: Member[] = [];
  let i = skipWhitespace(bytes, at + 1);
  if (bytes[i] === CLOSE_BRACE) return finish(bytes, i + 1, members);
  for (;;) {
    if (bytes[i] !== QUOTE) throw new JsonSyntaxError("expected a key");
    const keyStart = i;
    const keyEnd = skipString(bytes, i);
    i = skipWhitespace(bytes, keyEnd);
    if (bytes[i] !== COLON) throw new JsonSyntaxError("expected ':'");
    const valueStart = skipWhitespace(bytes, i + 1);
    if (valueStart >= bytes.length) throw new JsonSyntaxError("expected a value");
    const { end: valueEnd, elements } = skipValue(bytes, valueStart);
    members.push({ keyStart, keyEnd, valueStart, valueEnd, elements });
    i = skipWhitespace(bytes, valueEnd);
    if (bytes[i] === CLOSE_BRACE) return finish(bytes, i + 1, members);
    if (bytes[i] !== COMMA) throw new JsonSyntaxError("expected ',' or '}'");
    i = skipWhitespace(bytes, i + 1);
  }
}

function finish(bytes: Uint8Array, after: number, members: Member[]): Member[] {
  if (skipWhitespace(bytes, after) !== bytes.length) throw new JsonSyntaxError("content after the object");
  return members;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes and parses a small slice that must be one JSON value (a key, the model, `models`). */
export function parseSlice(bytes: Uint8Array, start: number, end: number): unknown {
  try {
    return JSON.parse(utf8.decode(bytes.subarray(start, end)));
  } catch {
    throw new JsonSyntaxError("invalid JSON value");
  }
}

/**
 * A key's name when it may be one the router reads; undefined for a long or non-ASCII key spelled
 * without escapes (no field the router reads is either). Keys with escapes are decoded as JSON.parse
 * would (`"mod\u0065l"` is `model`).
 */
export function keyName(bytes: Uint8Array, member: Member, longest: number): string | undefined {
  const { keyStart, keyEnd } = member;
  const inner = bytes.subarray(keyStart + 1, keyEnd - 1);
  if (inner.indexOf(BACKSLASH) >= 0) {
    const name = parseSlice(bytes, keyStart, keyEnd);
    return typeof name === "string" ? name : undefined;
  }
  if (inner.length > longest) return undefined;
  for (const byte of inner) if (byte < 0x20 || byte >= 0x80) return undefined;
  return latin1.decode(inner);
}
