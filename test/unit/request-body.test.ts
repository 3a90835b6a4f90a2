// The byte-level request reader against the reader it replaced (JSON.parse and zod, the oracle): on
// any valid JSON body both must route the same model, stream flag and fallbacks, or refuse with the
// same code and field; on broken bodies the byte reader may leave deep errors to the host (or name a
// missing field first), but whatever is still valid JSON gets the oracle's answer.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors.ts";
import { hostBody, parseInferenceBody, readBodyBytes, type InferenceBody } from "../../src/inference/request-body.ts";
import { oracleParse } from "./request-body-oracle.ts";

const utf8 = new TextEncoder();
const text8 = new TextDecoder();

type Outcome = { ok: true; model: string; stream: boolean; fallbacks: string[] } | { ok: false; code: string; param: string | null };

function outcome(run: () => { model: string; stream: boolean; fallbacks: string[] }): Outcome {
  try {
    const { model, stream, fallbacks } = run();
    return { ok: true, model, stream, fallbacks };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { ok: false, code: error.code, param: error.param };
  }
}

const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

/** What a host receives: hostBody gives a buffer, or for a large body a stream of the client's bytes. */
async function sent(body: InferenceBody, wire: string): Promise<Uint8Array> {
  const out = hostBody(body, wire);
  return out instanceof Uint8Array ? out : new Uint8Array(await new Response(out).arrayBuffer());
}

/** JSON text of a member list (duplicates allowed) with whitespace drawn from `spaces`, keys optionally escaped. */
function render(entries: [string, unknown][], spaces: string[], escapeKeys: boolean): string {
  let n = 0;
  const ws = () => spaces[n++ % spaces.length] ?? "";
  const key = (k: string) =>
    escapeKeys && k.length > 0 ? `"\\u${k.charCodeAt(0).toString(16).padStart(4, "0")}${JSON.stringify(k).slice(2)}` : JSON.stringify(k);
  const value = (v: unknown): string => {
    if (Array.isArray(v)) return `[${ws()}${v.map(value).join(`${ws()},${ws()}`)}${ws()}]`;
    if (v !== null && typeof v === "object")
      return `{${ws()}${Object.entries(v)
        .map(([k, x]) => `${JSON.stringify(k)}${ws()}:${ws()}${value(x)}`)
        .join(",")}${ws()}}`;
    return JSON.stringify(v);
  };
  return `${ws()}{${ws()}${entries.map(([k, v]) => `${key(k)}${ws()}:${ws()}${value(v)}`).join(`${ws()},${ws()}`)}${ws()}}${ws()}`;
}

const whitespace = fc.array(fc.constantFrom("", " ", "\n", "\t", "\r\n"), { minLength: 1, maxLength: 6 });
const filled = (n: number, item: unknown) => Array.from({ length: n }, () => item);
const routed = fc.record(
  {
    model: fc.oneof(fc.string(), fc.constantFrom("", "sam/qwen3", "ü/🦙", 'a"b\\c'), fc.constantFrom(null, 0, true, ["x"], { id: "x" })),
    models: fc.oneof(
      fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom("", "x".repeat(256), "x".repeat(257), "sam/qwen3")), {
        maxLength: 10,
      }),
      fc.constantFrom("sam/x", null, [1], [null], {}),
    ),
    messages: fc.oneof(
      fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
      fc.constantFrom(4095, 4096, 4097).map((n) => filled(n, { role: "user", content: "," })),
      fc.constantFrom("hi", null, {}, 3),
    ),
    input: fc.oneof(
      fc.string(),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.constantFrom(2048, 2049).map((n) => filled(n, [1, 2])),
      fc.constantFrom(null, 7, {}),
    ),
    stream: fc.constantFrom(true, false, "true", 1, null, [true]),
  },
  { requiredKeys: [] },
);
const extras = fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });

const body = fc
  .record({ routed, extras, duplicateModel: fc.option(fc.string({ maxLength: 6 }), { nil: undefined }) })
  .chain(({ routed, extras, duplicateModel }) => {
    const entries: [string, unknown][] = [...Object.entries(extras), ...Object.entries(routed)];
    if (duplicateModel !== undefined) entries.push(["model", duplicateModel]);
    return fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length });
  });

const encode = (text: string, bom: boolean) => {
  const bytes = utf8.encode(text);
  return bom ? new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]) : bytes;
};

describe("the byte-level request reader", () => {
  it("reads every valid JSON body as JSON.parse and zod did, and sends the host the same body with the new model", async () => {
    await fc.assert(
      fc.asyncProperty(
        body,
        whitespace,
        fc.boolean(),
        fc.boolean(),
        fc.string({ maxLength: 8 }),
        async (entries, spaces, escapeKeys, bom, wire) => {
          const bytes = encode(render(entries, spaces, escapeKeys), bom);
          const expected = outcome(() => oracleParse(bytes));
          let parsed: InferenceBody | undefined;
          const actual = outcome(() => (parsed = parseInferenceBody(buffer(bytes))));
          expect(actual).toEqual(expected);
          if (parsed) {
            const received = text8.decode(await sent(parsed, wire));
            const original = oracleParse(bytes).text;
            expect(JSON.parse(received)).toEqual({ ...JSON.parse(original), model: wire });
            // Byte for byte: the client's text (without a BOM) with each model value swapped, nothing else.
            expect(text8.decode(parsed.bytes)).toBe(original);
            let rebuilt = "";
            let from = 0;
            for (const slot of parsed.modelSlots) {
              rebuilt += text8.decode(parsed.bytes.subarray(from, slot.start)) + JSON.stringify(wire);
              from = slot.end;
            }
            expect(received).toBe(rebuilt + text8.decode(parsed.bytes.subarray(from)));
          }
        },
      ),
      { numRuns: 400 },
    );
  }, 30_000);

  it("gives a broken body that is still JSON the same answer, and may leave deep syntax errors to the host", () => {
    const broken = fc
      .tuple(body, whitespace, fc.nat(), fc.constantFrom("", "{", "}", "[", "]", '"', "\\", ",", ":", "x", "\u0000", "\uffff"))
      .map(([entries, spaces, at, junk]) => {
        const text = render(entries, spaces, false);
        const cut = at % (text.length + 1);
        return utf8.encode(text.slice(0, cut) + junk + text.slice(cut + (at % 3)));
      });
    fc.assert(
      fc.property(broken, (bytes) => {
        const expected = outcome(() => oracleParse(bytes));
        const actual = outcome(() => parseInferenceBody(buffer(bytes)));
        // Still valid JSON (the junk landed in a string): the same answer. Not JSON: the byte reader
        // refuses it too, or the syntax error is deep and the host will refuse it.
        if (expected.ok || expected.code !== "invalid_json") expect(actual).toEqual(expected);
      }),
      { numRuns: 1500 },
    );
  }, 30_000);

  it("refuses what the router can see without a host: the top level, the model, bad UTF-8 where it reads", () => {
    const code = (text: string | Uint8Array) =>
      outcome(() => parseInferenceBody(buffer(typeof text === "string" ? utf8.encode(text) : text)));
    for (const text of [
      "",
      " ",
      "{",
      '{"model":"a"',
      '{"model":"a"}x',
      '{"model":"a",}',
      '{"model" "a"}',
      '{model:"a"}',
      '{"model":"a","t":tru}',
      '{"model":"a","t":01}',
      '{"model":"a","m":[1,2}',
      '{"model":"a","m":{"x":"}',
      "\u0000{}",
    ]) {
      expect(code(text), text).toMatchObject({ ok: false, code: "invalid_json" });
    }
    expect(code(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]))).toMatchObject({ code: "invalid_json" });
    expect(code(new Uint8Array([...utf8.encode('{"model":"a'), 0xff, ...utf8.encode('"}')]))).toMatchObject({ code: "invalid_json" });
    expect(code('{"model":"a\\x"}')).toMatchObject({ code: "invalid_json" });
    for (const text of ["[]", "null", "42", '"model"', '[{"model":"a"}]'])
      expect(code(text), text).toMatchObject({ ok: false, code: "invalid_body" });
    expect(code('{"messages":[]}')).toMatchObject({ code: "missing_model", param: "model" });
    expect(code('{"model":""}')).toMatchObject({ code: "invalid_model" });
    expect(code('{"model":"a","messages":"hi"}')).toMatchObject({ code: "invalid_body", param: "messages" });
  });

  it("leaves deep syntax to the host: a body broken only inside a message still routes", () => {
    const parsed = parseInferenceBody(buffer(utf8.encode('{"model":"a/b","messages":[{"role":"user",,"content":tru}]}')));
    expect(parsed.model).toBe("a/b");
  });

  it("keeps a body with bytes that are not UTF-8 inside a message, byte for byte", async () => {
    const bytes = new Uint8Array([...utf8.encode('{"messages":[{"content":"'), 0xc3, 0x28, ...utf8.encode('"}],"model":"a/b"}')]);
    const received = await sent(parseInferenceBody(buffer(bytes)), "b");
    expect([...received]).toEqual([...utf8.encode('{"messages":[{"content":"'), 0xc3, 0x28, ...utf8.encode('"}],"model":"b"}')]);
  });

  it("drops a leading byte order mark, as decoding the text did", async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8.encode('{"model":"a"}')]);
    expect(text8.decode(await sent(parseInferenceBody(buffer(bytes)), "b"))).toBe('{"model":"b"}');
  });

  it("reads a 3.5 MiB conversation from the request's own buffer, and sends it again for each attempt", async () => {
    const messages = Array.from({ length: 4000 }, (_, i) => ({ role: "user", content: `${'word \\" '.repeat(100)}${i}` }));
    const input = buffer(utf8.encode(JSON.stringify({ model: "a/b", messages })));
    expect(input.byteLength).toBeGreaterThan(3.5 * 1024 * 1024);
    const parsed = parseInferenceBody(input);
    expect(parsed.bytes.buffer).toBe(input);
    // A large body streams from views of the client's buffer: nothing may detach it, or a fallback
    // attempt would send nothing.
    expect(hostBody(parsed, "x")).toBeInstanceOf(ReadableStream);
    for (const wire of ["x", "fallback/y"]) expect(JSON.parse(text8.decode(await sent(parsed, wire)))).toEqual({ model: wire, messages });
    expect(parsed.bytes.byteLength).toBe(input.byteLength);
  });

  it("reads a request's body bytes exactly, with or without a Content-Length, whatever the stream", async () => {
    const text = `{"model":"a/b","messages":[{"content":"${"ü🦙 ".repeat(50_000)}"}]}`;
    const bytes = utf8.encode(text);
    const chunked = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 7_000) controller.enqueue(bytes.slice(at, at + 7_000));
          controller.close();
        },
      });
    const requests = [
      new Request("http://x/", { method: "POST", body: text, headers: { "content-length": String(bytes.length) } }),
      new Request("http://x/", { method: "POST", body: text }),
      new Request("http://x/", { method: "POST", body: chunked(), headers: { "content-length": String(bytes.length) } }),
      new Request("http://x/", { method: "POST", body: new Response(chunked()).body, headers: { "content-length": String(bytes.length) } }),
    ];
    for (const request of requests) expect(text8.decode(await readBodyBytes(request))).toBe(text);
  });
});
