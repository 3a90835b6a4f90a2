// Which conversation a request belongs to, without parsing its body: the client's session header when it
// sends one, else the API user plus a hash of the START of the conversation. Only the first element of
// `messages` / `input` up to and including the first user turn (at most 4 KiB) is hashed, so every later
// turn of the same conversation, which repeats that start, gets the same key, and a 4 MiB agent session
// costs one byte search and a few KiB of hashing.
const SESSION_HEADERS = ["x-session-id", "x-claude-code-session-id"] as const;
const KEYS = ["messages", "input", "prompt"].map((k) => new TextEncoder().encode(`"${k}"`));
const MAX_HASHED = 4096;
const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  COLON = 0x3a,
  OPEN_SQ = 0x5b,
  CLOSE_SQ = 0x5d,
  OPEN_CURLY = 0x7b,
  CLOSE_CURLY = 0x7d,
  COMMA = 0x2c;
const USER_ROLE = /"role"\s*:\s*"user"/;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function indexOf(bytes: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  outer: for (
    let i = bytes.indexOf(first as number, from);
    i !== -1 && i <= bytes.length - needle.length;
    i = bytes.indexOf(first as number, i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const isSpace = (b: number | undefined) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** Where the value of the first of `"messages"`, `"input"`, `"prompt"` used as a key begins; -1 when none. */
function valueStart(bytes: Uint8Array): number {
  for (const key of KEYS) {
    for (let at = indexOf(bytes, key); at !== -1; at = indexOf(bytes, key, at + 1)) {
      let i = at + key.length;
      while (isSpace(bytes[i])) i++;
      if (bytes[i] !== COLON) continue;
      i++;
      while (isSpace(bytes[i])) i++;
      return i;
    }
  }
  return -1;
}

/** End (exclusive) of the hashed start: through the first user element of an array, the string, or 4 KiB. */
function prefixEnd(bytes: Uint8Array, start: number): number {
  const limit = Math.min(bytes.length, start + MAX_HASHED);
  if (bytes[start] === QUOTE) {
    for (let i = start + 1; i < limit; i++) {
      if (bytes[i] === BACKSLASH) i++;
      else if (bytes[i] === QUOTE) return i + 1;
    }
    return limit;
  }
  if (bytes[start] !== OPEN_SQ) return limit;
  let depth = 0;
  let element = start + 1;
  let inString = false;
  for (let i = start; i < limit; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_SQ || b === OPEN_CURLY) depth++;
    else if (b === CLOSE_SQ || b === CLOSE_CURLY) {
      depth--;
      if (depth === 0) return i + 1;
      if (depth === 1 && USER_ROLE.test(decoder.decode(bytes.subarray(element, i + 1)))) return i + 1;
    } else if (b === COMMA && depth === 1) element = i + 1;
  }
  return limit;
}

/** FNV-1a, 32 bits: not for secrecy (the key never leaves the isolate), only to spread and compare. */
function fnv1a(bytes: Uint8Array, start: number, end: number, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  return hash >>> 0;
}

export function conversationKey(headers: Headers, user: string, raw: Uint8Array): string {
  for (const name of SESSION_HEADERS) {
    const session = headers.get(name);
    if (session) return `${user}\u0000s\u0000${session.slice(0, 256)}`;
  }
  const start = valueStart(raw);
  if (start === -1) return `${user}\u0000none`;
  return `${user}\u0000h\u0000${fnv1a(raw, start, prefixEnd(raw, start)).toString(16)}`;
}

/** Rendezvous (highest random weight) score of a member for a key: the same on every isolate. */
export function rendezvousScore(key: string, member: string): number {
  const bytes = encoder.encode(`${key}\u0000${member}`);
  return fnv1a(bytes, 0, bytes.length);
}
