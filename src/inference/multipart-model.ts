// Finds the `model` field of a multipart/form-data body as it streams in, and hands back the same body
// with that field's value replaced by the host's wire id. Routing needs the model before the upload can
// go anywhere, and the model part may come last (after a 25 MiB audio file), so the bytes BEFORE the
// model's value are held; every byte after it streams through untouched.
//
// Memory: the held chunks (everything up to the end of the model's value, plus the rest of the chunk
// it ended in), one scan window (at most a part header block, 16 KiB, plus the delimiter) and nothing
// else. A model part first costs about one chunk; a model part after a 25 MiB file holds ~25 MiB until
// the host has read it, released chunk by chunk as `withModel`'s stream is read. The boundary, the
// parts' headers and every other byte are sent as the client sent them, so the client's Content-Type
// (with its boundary) stays valid; Content-Length changes by utf8(wire).length - utf8(model).length.
import { ApiError, invalidRequest } from "../errors.ts";
import { tooLarge } from "../http/body-limit.ts";
import { malformedMultipart, MAX_PART_HEADER_BYTES, multipartBoundary, parsePartHeaders } from "./multipart-headers.ts";

export interface MultipartModel {
  model: string;
  /** The model value's length in the client's bytes: the body's length changes by utf8(wire) minus this. */
  modelByteLength: number;
  withModel(wire: string): ReadableStream<Uint8Array>;
  cancel(reason?: unknown): void;
}

/** A model id is short; a longer `model` value is refused before it can grow the held bytes. */
const MAX_MODEL_BYTES = 1024;
/** Transport padding after a boundary (RFC 2046 allows white space there); anything longer is garbage. */
const MAX_PADDING = 256;
const CR = 13;
const LF = 10;
const encoder = new TextEncoder();
const modelDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

const invalidModel = (message: string) => invalidRequest(`The 'model' field ${message}.`, "invalid_model", "model");
const modelTooLate = (max: number) =>
  new ApiError({
    status: 413,
    type: "invalid_request_error",
    code: "model_field_too_late",
    message: `The form's 'model' field must come within its first ${max / (1024 * 1024)} MiB, which are held until the model is known: send it before the file.`,
    param: "model",
  });
function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const last = haystack.length - needle.length;
  for (
    let i = haystack.indexOf(needle[0] as number, Math.max(0, from));
    i !== -1 && i <= last;
    i = haystack.indexOf(needle[0] as number, i + 1)
  ) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

type State = "preamble" | "boundary-line" | "headers" | "body" | "model" | "closed";

/**
 * The boundary scanner. Offsets are absolute positions in the client's body; `window` holds the bytes
 * from `windowStart` that are still needed. It starts with a virtual CRLF at -2, so the first delimiter
 * may open the body without one (RFC 2046 lets the preamble be empty).
 */
class Scanner {
  private readonly delimiter: Uint8Array;
  private window = new Uint8Array([CR, LF]);
  private windowStart = -2;
  private state: State = "preamble";
  /** Where the current state's bytes start (a header block, a model value, a boundary line's rest). */
  private mark = -2;
  /** Where the next delimiter search starts: earlier bytes are known not to begin one. */
  private scanFrom = -2;

  constructor(boundary: string) {
    this.delimiter = encoder.encode(`\r\n--${boundary}`);
  }

  /** Adds bytes; returns the model value's [start, end) once it is complete. */
  feed(chunk: Uint8Array): { start: number; end: number } | undefined {
    const keep = Math.min(this.mark, this.scanFrom) - this.windowStart;
    const next = new Uint8Array(this.window.length - keep + chunk.length);
    next.set(this.window.subarray(keep));
    next.set(chunk, this.window.length - keep);
    this.windowStart += keep;
    this.window = next;
    for (;;) {
      const step = this.step();
      if (step !== "more") return step === "wait" ? undefined : step;
    }
  }

  /** The error for a body that ended before a model value was complete. */
  endError(): ApiError {
    if (this.state === "closed")
      return invalidRequest("The multipart body has no 'model' field. Send a model id such as 'provider/model'.", "missing_model", "model");
    if (this.state === "preamble") return malformedMultipart("no boundary line matches the Content-Type's boundary.");
    return malformedMultipart("it ended before its closing boundary.");
  }

  private at(offset: number): number | undefined {
    return this.window[offset - this.windowStart];
  }

  private get windowEnd(): number {
    return this.windowStart + this.window.length;
  }

  private step(): "more" | "wait" | { start: number; end: number } {
    switch (this.state) {
      case "closed":
        return "wait"; // the epilogue is ignored, as every parser does
      case "preamble":
      case "body":
      case "model": {
        const found = indexOf(this.window, this.delimiter, this.scanFrom - this.windowStart);
        if (found === -1) {
          this.scanFrom = Math.max(this.scanFrom, this.windowEnd - this.delimiter.length + 1);
          if (this.state === "model" && this.windowEnd - this.mark > MAX_MODEL_BYTES + this.delimiter.length)
            throw invalidModel(`is longer than ${MAX_MODEL_BYTES} bytes`);
          if (this.state !== "model") this.mark = this.scanFrom;
          return "wait";
        }
        const at = this.windowStart + found;
        const wasModel = this.state === "model" ? { start: this.mark, end: at } : undefined;
        this.state = "boundary-line";
        this.mark = this.scanFrom = at + this.delimiter.length;
        if (wasModel && wasModel.end - wasModel.start > MAX_MODEL_BYTES) throw invalidModel(`is longer than ${MAX_MODEL_BYTES} bytes`);
        return wasModel ?? "more";
      }
      case "boundary-line": {
        const first = this.at(this.mark);
        const second = this.at(this.mark + 1);
        if (first === undefined || second === undefined) return "wait";
        if (first === 45 && second === 45) {
          this.state = "closed";
          return "more";
        }
        let i = this.mark;
        while (this.at(i) === 32 || this.at(i) === 9) i++;
        if (i - this.mark > MAX_PADDING) throw malformedMultipart("a boundary line is followed by too much white space.");
        if (this.at(i) === undefined || this.at(i + 1) === undefined) return "wait";
        if (this.at(i) !== CR || this.at(i + 1) !== LF) throw malformedMultipart("a boundary line is followed by other text.");
        this.state = "headers";
        this.mark = this.scanFrom = i + 2;
        return "more";
      }
      case "headers": {
        let bodyStart: number;
        let block: Uint8Array;
        if (this.at(this.mark) === undefined || this.at(this.mark + 1) === undefined) return "wait";
        if (this.at(this.mark) === CR && this.at(this.mark + 1) === LF) {
          bodyStart = this.mark + 2;
          block = new Uint8Array(0);
        } else {
          const found = indexOf(this.window, new Uint8Array([CR, LF, CR, LF]), this.scanFrom - this.windowStart);
          if (found === -1) {
            if (this.windowEnd - this.mark > MAX_PART_HEADER_BYTES)
              throw malformedMultipart(
                `a part's headers are longer than ${MAX_PART_HEADER_BYTES / 1024} KiB.`,
                "multipart_headers_too_large",
              );
            this.scanFrom = Math.max(this.mark, this.windowEnd - 3);
            return "wait";
          }
          const end = this.windowStart + found;
          if (end - this.mark > MAX_PART_HEADER_BYTES)
            throw malformedMultipart(
              `a part's headers are longer than ${MAX_PART_HEADER_BYTES / 1024} KiB.`,
              "multipart_headers_too_large",
            );
          block = this.window.subarray(this.mark - this.windowStart, found);
          bodyStart = end + 4;
        }
        const part = parsePartHeaders(block);
        if (part.name === "model" && part.isFile) throw invalidModel("must be a text field, not a file");
        this.state = part.name === "model" ? "model" : "body";
        this.mark = this.scanFrom = bodyStart;
        return "more";
      }
    }
  }
}

/** Copies bytes [start, end) out of chunks laid end to end from offset 0. */
function slices(chunks: Uint8Array[], start: number, end: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  for (const chunk of chunks) {
    const from = Math.max(start, offset);
    const to = Math.min(end, offset + chunk.length);
    if (from < to) out.push(chunk.subarray(from - offset, to - offset));
    offset += chunk.length;
  }
  return out;
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

/**
 * Reads `body` until its first `model` field is complete (the one llama-swap and `formData().get()`
 * read). Rejects with a 400 ApiError for a malformed body, 413 past `limits.maxBytes` or when no model
 * was found within `limits.maxHeldBytes` (default: maxBytes); the body is cancelled then. `withModel`
 * may be called once.
 */
export async function readMultipartModel(
  body: ReadableStream<Uint8Array>,
  contentType: string,
  limits: { maxBytes: number; maxHeldBytes?: number },
): Promise<MultipartModel> {
  const boundary = multipartBoundary(contentType);
  const reader = body.getReader();
  const scanner = new Scanner(boundary);
  let held: Uint8Array[] = [];
  let received = 0;
  let model: string;
  let range: { start: number; end: number } | undefined;
  try {
    while (!range) {
      const { done, value } = await reader.read();
      if (done) throw scanner.endError();
      received += value.byteLength;
      if (received > limits.maxBytes) throw tooLarge(limits.maxBytes);
      held.push(value);
      range = scanner.feed(value);
      if (!range && limits.maxHeldBytes !== undefined && received > limits.maxHeldBytes) throw modelTooLate(limits.maxHeldBytes);
    }
    try {
      model = modelDecoder.decode(join(slices(held, range.start, range.end)));
    } catch {
      throw invalidModel("is not valid UTF-8 text");
    }
    if (model === "") throw invalidModel("must not be empty");
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  }
  const { start, end } = range;
  let used = false;
  return {
    model,
    modelByteLength: end - start,
    withModel(wire) {
      if (used) throw new Error("withModel was already called for this body");
      used = true;
      // A CR or LF could end the part early and smuggle in a field of the router's making.
      if (/[\r\n]/.test(wire)) throw invalidModel("resolves to an id that cannot be sent in a form");
      let queue = [...slices(held, 0, start), encoder.encode(wire), ...slices(held, end, received)];
      held = [];
      let total = received;
      return new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            const next = queue.shift();
            if (next) return controller.enqueue(next);
            const { done, value } = await reader.read();
            if (done) return controller.close();
            total += value.byteLength;
            if (total > limits.maxBytes) {
              const error = tooLarge(limits.maxBytes);
              reader.cancel(error).catch(() => {});
              return controller.error(error);
            }
            controller.enqueue(value);
          },
          cancel(reason) {
            queue = [];
            return reader.cancel(reason);
          },
        },
        { highWaterMark: 0 },
      );
    },
    cancel(reason) {
      held = [];
      reader.cancel(reason).catch(() => {});
    },
  };
}
