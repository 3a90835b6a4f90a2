// Runs json-scan.wat's loop over a body's bytes. The module has one small memory per isolate (a window,
// its padding and the bracket stack); the body is copied into the window a piece at a time, so a 4 MiB
// body costs one extra copy of 64 KiB at most, never a second copy of the body. The scan is synchronous,
// so requests in one isolate never share the window mid-scan.
import scannerModule from "./json-scan.wasm";

const WINDOW = 64 * 1024;
/** Zeros after a short last piece: the last 32-byte block may read past it. */
const PAD = 64;
const STACK = WINDOW + PAD;
/** Levels of nesting the stack holds at first (1 bit each); a deeper body grows it and is scanned again. */
const FIRST_DEPTH = 65_536;
/** The first piece: most values end within it (keys, short strings, small arrays), so a long window
 *  is copied only for a long value. Every piece but the last is a multiple of 32 bytes. */
const FIRST_PIECE = 256;

interface Exports {
  scan(p: number, stop: number, string: number, stack: number, maxDepth: number): number;
  depth: WebAssembly.Global;
  commas: WebAssembly.Global;
  carry: WebAssembly.Global;
  inString: WebAssembly.Global;
}

const PAGE = 65_536;

interface Scanner {
  exports: Exports;
  memory: WebAssembly.Memory;
  window: Uint8Array;
  /** Levels of nesting the stack holds. */
  depth: number;
}

let scanner: Scanner | undefined;

function instance(): Scanner {
  if (scanner) return scanner;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((STACK + FIRST_DEPTH / 8) / PAGE) });
  const { exports } = new WebAssembly.Instance(scannerModule, { env: { memory } });
  scanner = { exports: exports as unknown as Exports, memory, window: new Uint8Array(memory.buffer), depth: 0 };
  scanner.depth = (memory.buffer.byteLength - STACK) * 8;
  return scanner;
}

/** Makes the stack hold `levels` (the memory only grows: a rare, deeply nested body keeps it). */
function growStack(s: Scanner, levels: number): void {
  const pages = Math.ceil((STACK + Math.ceil(levels / 8)) / PAGE) - s.memory.buffer.byteLength / PAGE;
  if (pages > 0) s.memory.grow(pages);
  s.window = new Uint8Array(s.memory.buffer); // growing detaches the old view
  s.depth = (s.memory.buffer.byteLength - STACK) * 8;
}

export type ScanOutcome = { end: number; commas: number } | { error: "unterminated" | "mismatched" };

/** Scans the string (`string`) or container that starts at `at` (a quote, or `[` or `{`). */
export function scanValue(bytes: Uint8Array, at: number, string: boolean): ScanOutcome {
  const s = instance();
  for (;;) {
    const outcome = scanOnce(s, bytes, at, string);
    if (outcome !== "too deep") return outcome;
    // Nesting can be no deeper than the bytes left: one more pass with a stack that holds them all.
    growStack(s, bytes.length - at + 1);
  }
}

function scanOnce(s: Scanner, bytes: Uint8Array, at: number, string: boolean): ScanOutcome | "too deep" {
  const { exports, window } = s;
  exports.depth.value = 0;
  exports.commas.value = 0;
  exports.carry.value = 0;
  exports.inString.value = 0;
  let piece = FIRST_PIECE;
  for (let from = at; from < bytes.length; from += piece, piece = Math.min(piece * 2, WINDOW)) {
    const length = Math.min(piece, bytes.length - from);
    window.set(bytes.subarray(from, from + length));
    if (length < piece) window.fill(0, length, length + PAD);
    const result = exports.scan(0, length, string ? 1 : 0, STACK, s.depth);
    if (result >= 0) return { end: from + result, commas: exports.commas.value };
    if (result === -2) return { error: "mismatched" };
    if (result === -3) return "too deep";
  }
  return { error: "unterminated" };
}
