// The byte scanner under the request reader: on any valid JSON object it finds the members JSON.parse
// sees, with values that parse to the same thing, and it refuses top-level syntax errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWhitespace, JsonSyntaxError, parseSlice, scanObject, skipString, skipValue } from "../../src/inference/json-scan.ts";

const utf8 = new TextEncoder();

describe("the JSON byte scanner", () => {
  it("finds every member of a valid object, with its value and, for arrays, its length", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.boolean(), (object, pretty) => {
        const text = JSON.stringify(object, null, pretty ? 2 : undefined);
        const bytes = utf8.encode(text);
        const members = scanObject(bytes, 0);
        expect(members.map((m) => [parseSlice(bytes, m.keyStart, m.keyEnd), parseSlice(bytes, m.valueStart, m.valueEnd)])).toEqual(
          Object.entries(JSON.parse(text) as object),
        );
        for (const m of members) {
          const value = parseSlice(bytes, m.valueStart, m.valueEnd);
          expect(m.elements).toBe(Array.isArray(value) || (value !== null && typeof value === "object") ? Object.keys(value).length : 0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("ends a string at the first quote not escaped by an odd run of backslashes", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", "\\", '"', "ü", "\n"), maxLength: 600 }), (s) => {
        const encoded = JSON.stringify(s);
        const bytes = utf8.encode(`${encoded},"x"`);
        expect(skipString(bytes, 0)).toBe(utf8.encode(encoded).length);
      }),
    );
  });

  it("ends a string right whether escapes are dense, sparse or come back after a long plain run", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('"', "\\", "\n", "ü"), fc.nat({ max: 700 })), { maxLength: 6 }), (parts) => {
        const s = parts.map(([escape, run]) => escape + "a".repeat(run)).join("");
        const encoded = JSON.stringify(s);
        expect(skipString(utf8.encode(`${encoded}]"x"`), 0)).toBe(utf8.encode(encoded).length);
      }),
    );
  });

  // The nested scan reads 32-byte blocks from pieces of 256 bytes, then 512, up to 64 KiB, carrying the
  // state between them: strings, escapes and brackets that straddle those edges must come out the same.
  it("finds the end and length of long arrays whose strings and escapes straddle block and piece edges", () => {
    const unit = fc.constantFrom("a", "\\", '"', "[", "]", "{", "}", ",", "ü", "\n");
    fc.assert(
      fc.property(
        fc.nat({ max: 96 }),
        fc.array(fc.oneof(fc.string({ unit, maxLength: 3000 }), fc.array(fc.string({ unit, maxLength: 40 }), { maxLength: 3 })), {
          maxLength: 12,
        }),
        (shift, elements) => {
          const array = JSON.stringify(elements);
          const bytes = utf8.encode(`{"${"k".repeat(shift)}":${array},"x":1}`);
          const at = shift + 4;
          expect(skipValue(bytes, at)).toEqual({ end: at + utf8.encode(array).length, elements: elements.length });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("ends a long string across pieces, and refuses a mismatch or an unterminated value far into a body", () => {
    for (const length of [31, 32, 33, 255, 256, 257, 767, 768, 70_000, 200_001]) {
      const text = JSON.stringify(`${"\\".repeat(length)}"`);
      expect(skipString(utf8.encode(`${text},`), 0), String(length)).toBe(utf8.encode(text).length);
    }
    const long = JSON.stringify('x"'.repeat(60_000));
    for (const text of [`[${long}}`, `{"a":[${long}]]`, `[${long}`, `[${long.slice(0, -1)}]`])
      expect(() => skipValue(utf8.encode(text), 0)).toThrow(JsonSyntaxError);
  });

  // The same decision as a plain byte-by-byte walk of strings and brackets, on any bytes (mostly not JSON):
  // where a container ends, how many elements it holds, or that it is mismatched or unterminated.
  it("agrees with a byte-by-byte walk on arbitrary bytes, valid or not, short or crossing pieces", () => {
    const unit = fc.constantFrom("a", " ", "\\", '"', "[", "]", "{", "}", ",", "ü", "\n");
    const soup = fc.oneof(
      fc.string({ unit, maxLength: 200 }),
      fc.string({ unit, maxLength: 6000 }),
      // Long runs of one byte, so that blocks of backslashes, quotes or brackets meet block and piece edges.
      fc.array(fc.tuple(unit, fc.nat({ max: 900 })), { maxLength: 8 }).map((runs) => runs.map(([u, n]) => u.repeat(n + 1)).join("")),
    );
    fc.assert(
      fc.property(fc.nat({ max: 70 }), fc.constantFrom("[", "{"), soup, (shift, open, rest) => {
        const bytes = utf8.encode(`${" ".repeat(shift)}${open}${rest}`);
        const expected = walk(bytes, shift);
        const actual = (() => {
          try {
            return skipValue(bytes, shift);
          } catch (error) {
            expect(error).toBeInstanceOf(JsonSyntaxError);
            return "refused";
          }
        })();
        expect(actual).toEqual(expected);
      }),
      { numRuns: 1500 },
    );
  });

  it("refuses mismatched or unterminated containers and bad top-level scalars", () => {
    for (const text of ["[1,2}", '{"a":[}', '["]', "[[[]]", "-", "01", "1.", "+1", "nul", "truex"]) {
      expect(() => skipValue(utf8.encode(text), 0), text).toThrow(JsonSyntaxError);
    }
    for (const text of ["-0", "1e5", "-1.5E-3", "true", "null", "18446744073709551615"])
      expect(skipValue(utf8.encode(text), 0).end).toBe(text.length);
  });

  it("skips deep nesting without recursion", () => {
    const bytes = utf8.encode(`{"a":${"[".repeat(200_000)}${"]".repeat(200_000)}}`);
    expect(scanObject(bytes, 0)).toHaveLength(1);
  });
});

/** The reference: one byte at a time, a stack of open brackets, and a backslash that escapes a backslash or a quote. */
function walk(bytes: Uint8Array, at: number): { end: number; elements: number } | "refused" {
  const closing: number[] = [];
  let commas = 0;
  let inString = false;
  for (let i = at; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    // Like the scan, a backslash escapes a backslash or quote after it outside strings too (where JSON never
    // has one); brackets and commas after it still count there.
    if (byte === 0x5c) {
      if (bytes[i + 1] === 0x5c || bytes[i + 1] === 0x22) i++;
      continue;
    }
    if (inString) {
      if (byte === 0x22) inString = false;
      continue;
    }
    if (byte === 0x22) inString = true;
    else if (byte === 0x5b) closing.push(0x5d);
    else if (byte === 0x7b) closing.push(0x7d);
    else if (byte === 0x5d || byte === 0x7d) {
      if (closing.pop() !== byte) return "refused";
      if (closing.length === 0) {
        const empty = bytes.subarray(at + 1, i).every(isWhitespace);
        return { end: i + 1, elements: empty ? 0 : commas + 1 };
      }
    } else if (byte === 0x2c && closing.length === 1) commas++;
  }
  return "refused";
}
