// The multipart reader that finds `model` in an upload and rewrites it while the rest streams through:
// the result must not depend on how the body was cut into chunks, must parse with the runtime's own
// formData() (the new model, every file byte identical), and every bad body must be a 400 or 413.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors.ts";
import { readMultipartModel } from "../../src/inference/multipart-model.ts";

interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: Uint8Array;
}
const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

/** A multipart/form-data body as browsers and SDKs write it. */
function build(boundary: string, parts: Part[], preamble = ""): Uint8Array {
  const out: Uint8Array[] = [bytes(preamble)];
  for (const part of parts) {
    const filename = part.filename === undefined ? "" : `; filename="${part.filename}"`;
    const type = part.type === undefined ? "" : `Content-Type: ${part.type}\r\n`;
    out.push(
      bytes(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\n${type}\r\n`),
      part.data,
      bytes("\r\n"),
    );
  }
  out.push(bytes(`--${boundary}--\r\n`));
  return concat(out);
}

/** The body as a stream cut at the given sizes (cycled), so every chunk boundary position gets tried. */
function stream(body: Uint8Array, cuts: number[] = [body.length || 1]): ReadableStream<Uint8Array> {
  let at = 0;
  let n = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= body.length) return controller.close();
      const size = cuts[n++ % cuts.length] ?? 1;
      controller.enqueue(body.slice(at, (at += size)));
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body).arrayBuffer());
}

const contentType = (boundary: string) => `multipart/form-data; boundary="${boundary}"`;
const MAX = { maxBytes: 64 * 1024 * 1024 };

/** What happened: the model and the rewritten body, or the error's status and code. */
async function outcome(
  body: Uint8Array,
  boundary: string,
  cuts?: number[],
  limits: { maxBytes: number; maxHeldBytes?: number } = MAX,
): Promise<string> {
  try {
    const read = await readMultipartModel(stream(body, cuts), contentType(boundary), limits);
    const out = await collect(read.withModel("wire/id"));
    return `ok ${read.model} ${Array.from(out).join(",")}`;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return `${error.status} ${error.code}`;
  }
}

const boundaryArb = fc.stringMatching(/^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/);
const cutsArb = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 });
const modelArb = fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }).filter((m) => !/[\r\n\uFEFF]/.test(m));
/** Bytes that look like parts of the delimiter, so the scanner meets near misses at chunk edges. */
const dataArb = (boundary: string) =>
  fc
    .array(
      fc.oneof(
        fc.uint8Array({ maxLength: 40 }),
        fc.constantFrom("\r", "\r\n", "\r\n-", "\r\n--", `\r\n--${boundary.slice(0, -1)}`, `--${boundary}`, "\r\n\r\n").map(bytes),
      ),
      { maxLength: 8 },
    )
    .map(concat)
    // workerd's formData() also ends a part at a bare "\n--boundary" (Go's reader, which llama-swap uses,
    // and this scanner follow RFC 2046: CRLF only), so generated data avoids that too.
    .filter((d) => !Buffer.from(d).includes(Buffer.from(`\n--${boundary}`)));
const NAMES = ["file", "image", "prompt", "language", "Model", "models", "model_x", "temperature"];
const bodyArb = boundaryArb.chain((boundary) =>
  fc.record({
    boundary: fc.constant(boundary),
    model: modelArb,
    before: fc.array(fc.record({ name: fc.constantFrom(...NAMES), file: fc.boolean(), data: dataArb(boundary) }), { maxLength: 4 }),
    after: fc.array(fc.record({ name: fc.constantFrom(...NAMES), file: fc.boolean(), data: dataArb(boundary) }), { maxLength: 3 }),
    modelType: fc.constantFrom(undefined, "text/plain; charset=utf-8"),
    preamble: fc.constantFrom("", "a preamble\r\n"),
  }),
);

interface Other {
  name: string;
  file: boolean;
  data: Uint8Array;
}
function partsOf(b: { model: string; before: Other[]; after: Other[]; modelType: string | undefined }, model = b.model): Part[] {
  const other = (p: Other, i: number): Part =>
    p.file ? { name: p.name, filename: `f${i}.bin`, type: "application/octet-stream", data: p.data } : { name: p.name, data: p.data };
  return [...b.before.map(other), { name: "model", type: b.modelType, data: bytes(model) }, ...b.after.map((p, i) => other(p, i + 10))];
}

describe("readMultipartModel", () => {
  it("finds the model and rewrites exactly its value, whatever the chunking", async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, cutsArb, modelArb, async (b, cuts, wire) => {
        const body = build(b.boundary, partsOf(b), b.preamble);
        const read = await readMultipartModel(stream(body, cuts), contentType(b.boundary), MAX);
        expect(read.model).toBe(b.model);
        const out = await collect(read.withModel(wire));
        expect(Buffer.from(out).equals(Buffer.from(build(b.boundary, partsOf(b, wire), b.preamble)))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("the rewritten body parses with the runtime's formData(): the new model, every file byte identical", async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, cutsArb, modelArb, async (b, cuts, wire) => {
        const parts = partsOf(b);
        const original = await new Response(build(b.boundary, parts, b.preamble), {
          headers: { "content-type": contentType(b.boundary) },
        }).formData();
        const read = await readMultipartModel(stream(build(b.boundary, parts, b.preamble), cuts), contentType(b.boundary), MAX);
        expect(read.model).toBe(original.get("model"));
        const form = await new Response(read.withModel(wire), { headers: { "content-type": contentType(b.boundary) } }).formData();
        expect(form.get("model")).toBe(wire);
        for (const part of parts.filter((p) => p.filename)) {
          const file = form.getAll(part.name).find((f): f is File => typeof f !== "string" && f.name === part.filename);
          expect(Buffer.from(await file!.arrayBuffer()).equals(Buffer.from(part.data))).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("any body, valid or not, gives the same outcome in one chunk as in many, and only 400s or 413s", async () => {
    const mutated = bodyArb.chain((b) =>
      fc.record({
        boundary: fc.constant(b.boundary),
        body: fc
          .tuple(fc.constant(build(b.boundary, partsOf(b), b.preamble)), fc.nat(), fc.nat({ max: 30 }), fc.uint8Array({ maxLength: 6 }))
          .map(([body, at, cut, insert]) => {
            const i = at % (body.length + 1);
            return concat([body.subarray(0, i), insert, body.subarray(Math.min(body.length, i + cut))]);
          }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(mutated, fc.record({ boundary: boundaryArb, body: fc.uint8Array({ maxLength: 200 }) })),
        cutsArb,
        async ({ boundary, body }, cuts) => {
          const whole = await outcome(body, boundary);
          expect(whole).toMatch(/^(ok |400 |413 )/);
          expect(await outcome(body, boundary, cuts)).toBe(whole);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("a model part AFTER a 25 MiB file still works, and the file arrives byte-identical", async () => {
    const file = new Uint8Array(25 * 1024 * 1024);
    for (let i = 0; i < file.length; i++) file[i] = (i * 2654435761) >>> 24;
    const parts: Part[] = [
      { name: "file", filename: "speech.wav", type: "audio/wav", data: file },
      { name: "model", data: bytes("sam/whisper-large") },
    ];
    const read = await readMultipartModel(stream(build("b0undary", parts), [65536, 4093]), contentType("b0undary"), {
      maxBytes: 100 * 1024 * 1024,
    });
    expect(read.model).toBe("sam/whisper-large");
    const form = await new Response(read.withModel("whisper-large"), { headers: { "content-type": contentType("b0undary") } }).formData();
    expect(form.get("model")).toBe("whisper-large");
    const got = new Uint8Array(await (form.get("file") as File).arrayBuffer());
    expect(got.length).toBe(file.length);
    expect(Buffer.from(got).equals(Buffer.from(file))).toBe(true);
  });

  it("resolves as soon as the model is known, without waiting for the rest of the upload", async () => {
    let pulls = 0;
    const head = build("x", [{ name: "model", data: bytes("sam/whisper") }]).subarray(0, -"--x--\r\n".length - 2);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(
          pulls++ === 0
            ? concat([head, bytes('\r\n--x\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\n')])
            : new Uint8Array(1024),
        );
      },
    });
    const read = await readMultipartModel(endless, contentType("x"), MAX);
    expect(read.model).toBe("sam/whisper");
    expect(pulls).toBeLessThanOrEqual(2);
    read.cancel();
  });

  const cases: [string, string, Uint8Array, string][] = [
    ["a JSON content type", "application/json", bytes("{}"), "400 invalid_content_type"],
    ["no boundary parameter", "multipart/form-data", bytes("--x\r\n"), "400 missing_boundary"],
    ["a boundary of 71 characters", `multipart/form-data; boundary=${"a".repeat(71)}`, bytes("--x\r\n"), "400 invalid_boundary"],
    ["a body without the boundary", contentType("x"), bytes("just text"), "400 invalid_multipart"],
    ["no model field", contentType("x"), build("x", [{ name: "prompt", data: bytes("hi") }]), "400 missing_model"],
    [
      "a model sent as a file",
      contentType("x"),
      build("x", [{ name: "model", filename: "m.txt", data: bytes("sam/w") }]),
      "400 invalid_model",
    ],
    ["an empty model", contentType("x"), build("x", [{ name: "model", data: new Uint8Array(0) }]), "400 invalid_model"],
    [
      "a model that is not UTF-8",
      contentType("x"),
      build("x", [{ name: "model", data: new Uint8Array([0xff, 0xfe, 0x41]) }]),
      "400 invalid_model",
    ],
    ["a model of 2 KiB", contentType("x"), build("x", [{ name: "model", data: bytes("m".repeat(2048)) }]), "400 invalid_model"],
    ["a header line without a colon", contentType("x"), bytes("--x\r\nnot a header\r\n\r\nv\r\n--x--"), "400 malformed_part_headers"],
    [
      "part headers over 16 KiB",
      contentType("x"),
      bytes(`--x\r\nContent-Disposition: form-data; name="f"\r\nX-Pad: ${"p".repeat(17 * 1024)}\r\n\r\nv\r\n--x--`),
      "400 multipart_headers_too_large",
    ],
    [
      "a body cut off in the model's value",
      contentType("x"),
      bytes('--x\r\nContent-Disposition: form-data; name="model"\r\n\r\nsam/whis'),
      "400 invalid_multipart",
    ],
    ["text after a boundary", contentType("x"), bytes("--x junk\r\n\r\nv\r\n--x--"), "400 invalid_multipart"],
  ];
  for (const [what, type, body, expected] of cases) {
    it(`refuses ${what}: ${expected}`, async () => {
      for (const cuts of [undefined, [1], [7]]) {
        const error = await readMultipartModel(stream(body, cuts), type, MAX).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ApiError);
        expect(`${(error as ApiError).status} ${(error as ApiError).code}`).toBe(expected);
      }
    });
  }

  it("413 past maxBytes, both before the model is found and while the rest streams", async () => {
    const file = { name: "file", filename: "a.bin", data: new Uint8Array(5000) };
    const before = build("x", [file, { name: "model", data: bytes("sam/w") }]);
    expect(await outcome(before, "x", [100], { maxBytes: 4096 })).toBe("413 request_too_large");
    const read = await readMultipartModel(stream(build("x", [{ name: "model", data: bytes("sam/w") }, file]), [100]), contentType("x"), {
      maxBytes: 4096,
    });
    const error = await collect(read.withModel("w")).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as ApiError).status).toBe(413);
  });

  it("413 model_field_too_late when more than maxHeldBytes arrive before the model; a model within them is read", async () => {
    const file = { name: "file", filename: "a.bin", data: new Uint8Array(5000) };
    const late = build("x", [file, { name: "model", data: bytes("sam/w") }]);
    expect(await outcome(late, "x", [100], { maxBytes: 1 << 20, maxHeldBytes: 4096 })).toBe("413 model_field_too_late");
    const early = build("x", [{ name: "model", data: bytes("sam/w") }, file]);
    expect(await outcome(early, "x", [100], { maxBytes: 1 << 20, maxHeldBytes: 4096 })).toMatch(/^ok sam\/w /);
  });

  it("refuses a wire id with a line break, which would end the part early", async () => {
    const read = await readMultipartModel(stream(build("x", [{ name: "model", data: bytes("sam/w") }])), contentType("x"), MAX);
    expect(() => read.withModel("w\r\n--x")).toThrow(ApiError);
  });

  it("cancel() cancels the client's body", async () => {
    let cancelled: unknown;
    const body = build("x", [
      { name: "model", data: bytes("sam/w") },
      { name: "file", filename: "a", data: new Uint8Array(10) },
    ]);
    const source = new ReadableStream<Uint8Array>({
      start: (c) => c.enqueue(body.slice(0, 80)),
      cancel: (reason) => void (cancelled = reason),
    });
    const read = await readMultipartModel(source, contentType("x"), MAX);
    read.cancel("host refused");
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(cancelled).toBe("host refused");
  });
});
