// Reads an inference request body. The router checks only what it needs to route and the bounds it
// enforces (the fields below); every other field is the host's business and passes through untouched,
// since clients send vendor fields the router cannot know. It works on the body's bytes (json-scan.ts
// says how deep the syntax check goes): the whole body is never decoded, parsed or re-encoded, so a
// long conversation costs about one native scan of its bytes and one copy.
import * as z from "zod";
import { invalidRequest } from "../errors.ts";
import { JsonSyntaxError, keyName, parseSlice, scanObject, skipWhitespace, type Member } from "./json-scan.ts";
import { spliceModel, splicePieces, type Slot } from "./splice-model.ts";

/** Bodies above this size get 413 before they are parsed. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

// Bounds that keep one request from being unreasonable whatever the host would accept: the body is
// already at most 4 MiB; these bound what a router or a host would iterate over.
export const MAX_MESSAGES = 4096;
export const MAX_EMBEDDING_INPUTS = 2048;
export const MAX_FALLBACK_MODELS = 8;

/** OpenRouter-style fallbacks: tried in order when the model's host is unavailable. */
const FallbackModels = z.array(z.string().min(1).max(256)).max(MAX_FALLBACK_MODELS);

export interface InferenceBody {
  /** The body's bytes as the client sent them (without a leading byte order mark). */
  bytes: Uint8Array;
  /** Where the top-level `model` values are in `bytes` (every duplicate). */
  modelSlots: Slot[];
  model: string;
  /** The client asked for server-sent events. */
  stream: boolean;
  /** Fallback model ids from the body's `models`, without the first model itself. */
  fallbacks: string[];
}

/**
 * The body to send to a host: the client's bytes with `wireModel` as every top-level `model`. Small
 * bodies are copied into one buffer; a large one is streamed from views of the client's bytes, so it
 * is never copied in full (a FixedLengthStream keeps Content-Length). Each call gives a fresh body,
 * so a fallback attempt sends the same bytes again.
 */
export function hostBody(body: InferenceBody, wireModel: string): Uint8Array | ReadableStream<Uint8Array> {
  if (body.bytes.length < STREAM_ABOVE_BYTES || !Fixed) return spliceModel(body.bytes, wireModel, body.modelSlots);
  const pieces = splicePieces(body.bytes, wireModel, body.modelSlots);
  const { readable, writable } = new Fixed(pieces.reduce((n, p) => n + p.length, 0));
  void writeInSlices(writable.getWriter(), pieces);
  return readable;
}

/** Bodies from this size on are streamed to the host rather than copied. */
const STREAM_ABOVE_BYTES = 64 * 1024;

/**
 * The runtime copies what a write hands it and holds that copy until the host has read it. Written all
 * at once, a 3.5 MiB body was in memory twice (3.4x the body at peak in bench/request-memory.ts's fresh
 * isolate); one slice at a time, it is 2.5x, at the same speed (64 KiB slices cost about 5 ms more
 * per 3.5 MiB body in round trips; 256 KiB to 1 MiB measured alike).
 */
const SLICE_BYTES = 256 * 1024;

async function writeInSlices(writer: WritableStreamDefaultWriter<Uint8Array>, pieces: readonly Uint8Array[]): Promise<void> {
  try {
    for (const piece of pieces)
      for (let at = 0; at < piece.length; at += SLICE_BYTES) await writer.write(piece.subarray(at, at + SLICE_BYTES));
    await writer.close();
  } catch {
    // The host stopped reading (it answered early, or the request was aborted): nothing more to send.
  }
}

/** The Workers runtime's stream with a declared length (absent in Node, where the bench calls the reader). */
export const Fixed = (globalThis as { FixedLengthStream?: new (length: number) => TransformStream<Uint8Array, Uint8Array> })
  .FixedLengthStream;

/** Bodies from this size on are read with a BYOB reader (their peak memory matters more than two calls). */
const BYOB_FROM_BYTES = 64 * 1024;

/**
 * The request's body bytes. With a Content-Length the runtime's stream is read straight into one buffer
 * of that size (a BYOB reader): `request.arrayBuffer()` peaked at about three times a 3.5 MiB body in
 * workerd, this at about one and a quarter. Without one (chunked), the runtime gathers it.
 */
export async function readBodyBytes(request: Request): Promise<ArrayBuffer> {
  const length = Number(request.headers.get("content-length") ?? Number.NaN);
  // A small body costs less as one native call than as a reader's round trips (the usual chat request).
  if (!request.body || !Number.isSafeInteger(length) || length < BYOB_FROM_BYTES || length > MAX_BODY_BYTES) return request.arrayBuffer();
  let reader: ReadableStreamBYOBReader;
  try {
    reader = request.body.getReader({ mode: "byob" });
  } catch {
    return request.arrayBuffer(); // a stream that is not a byte stream (one built in JavaScript)
  }
  let buffer = new ArrayBuffer(length);
  let filled = 0;
  try {
    while (filled < length) {
      // Each read hands the buffer to the stream and back (the old view is detached): keep the new one.
      const { value, done } = await reader.read(new Uint8Array(buffer, filled, length - filled));
      if (done || !value) break;
      buffer = value.buffer as ArrayBuffer;
      filled += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  return filled === length ? buffer : buffer.slice(0, filled);
}

const notJson = () => invalidRequest("The request body is not valid JSON (UTF-8).", "invalid_json");
const fieldError = (field: string, message: string) =>
  invalidRequest(`The '${field}' field is invalid: ${message}.`, "invalid_body", field);

/** The fields the router reads; the last of duplicates counts, as with JSON.parse. */
const READ = new Set(["model", "models", "messages", "input", "stream"]);

function startOf(bytes: Uint8Array): number {
  // TextDecoder dropped a leading UTF-8 byte order mark before this reader worked on bytes: so does it.
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

/** Not an object: valid JSON of another type is invalid_body, anything else invalid_json (a rare path). */
function notAnObject(bytes: Uint8Array): never {
  try {
    parseSlice(bytes, 0, bytes.length);
  } catch {
    throw notJson();
  }
  throw invalidRequest("The request body must be a JSON object.", "invalid_body");
}

function readModel(bytes: Uint8Array, member: Member | undefined): string {
  if (!member)
    throw invalidRequest(
      "The request body has no 'model'. Send a model id such as 'provider/model' (GET /v1/models lists them).",
      "missing_model",
      "model",
    );
  const value = bytes[member.valueStart] === 0x22 ? parseSlice(bytes, member.valueStart, member.valueEnd) : undefined;
  if (typeof value !== "string") throw invalidRequest("The 'model' field must be a string.", "invalid_model", "model");
  if (value === "") throw invalidRequest("The 'model' field must not be empty.", "invalid_model", "model");
  return value;
}

function readFallbacks(bytes: Uint8Array, member: Member | undefined): string[] {
  if (!member) return [];
  if (bytes[member.valueStart] !== 0x5b) throw fieldError("models", "must be an array of model ids");
  if (member.elements > MAX_FALLBACK_MODELS) throw fieldError("models", `at most ${MAX_FALLBACK_MODELS} model ids`);
  const parsed = FallbackModels.safeParse(parseSlice(bytes, member.valueStart, member.valueEnd));
  if (!parsed.success) throw fieldError("models", "must be an array of non-empty model ids of at most 256 characters");
  return parsed.data;
}

function checkBounds(bytes: Uint8Array, fields: Map<string, Member>): void {
  const messages = fields.get("messages");
  if (messages) {
    if (bytes[messages.valueStart] !== 0x5b) throw fieldError("messages", "must be an array");
    if (messages.elements > MAX_MESSAGES) throw fieldError("messages", `at most ${MAX_MESSAGES} messages`);
  }
  const input = fields.get("input");
  if (input) {
    const first = bytes[input.valueStart];
    if (first !== 0x22 && first !== 0x5b) throw fieldError("input", "must be a string or an array");
    if (first === 0x5b && input.elements > MAX_EMBEDDING_INPUTS) throw fieldError("input", `at most ${MAX_EMBEDDING_INPUTS} inputs`);
  }
}

function isTrue(bytes: Uint8Array, member: Member | undefined): boolean {
  // The scan checked the grammar of top-level literals: four bytes starting with 't' are `true`.
  return member !== undefined && member.valueEnd - member.valueStart === 4 && bytes[member.valueStart] === 0x74;
}

export function parseInferenceBody(buffer: ArrayBuffer): InferenceBody {
  const whole = new Uint8Array(buffer);
  const bytes = whole.subarray(startOf(whole));
  const at = skipWhitespace(bytes, 0);
  if (bytes[at] !== 0x7b) notAnObject(bytes);
  try {
    const fields = new Map<string, Member>();
    const modelSlots: Slot[] = [];
    for (const member of scanObject(bytes, at)) {
      const name = keyName(bytes, member, 8);
      if (name === undefined || !READ.has(name)) continue;
      fields.set(name, member);
      if (name === "model") modelSlots.push({ start: member.valueStart, end: member.valueEnd });
    }
    const model = readModel(bytes, fields.get("model"));
    const models = readFallbacks(bytes, fields.get("models"));
    checkBounds(bytes, fields);
    return { bytes, modelSlots, model, stream: isTrue(bytes, fields.get("stream")), fallbacks: models.filter((m) => m !== model) };
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw notJson();
    throw error;
  }
}
