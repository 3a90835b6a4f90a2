// A client's request read as far as routing needs, whatever its route keeps the model in: the model id,
// whether a stream was asked for, the request's own fallbacks, and how to rebuild it for a host with the
// model replaced by that host's wire id (in the same encoding the client used).
import { invalidRequest } from "../errors.ts";
import { MAX_BYTES_BEFORE_MODEL } from "../http/body-limit.ts";
import { readMultipartModel } from "./multipart-model.ts";
import { Fixed, hostBody, parseInferenceBody, readBodyBytes } from "./request-body.ts";
import type { InferenceRoute } from "./routes-table.ts";

export interface RoutedRequest {
  model: string;
  stream: boolean;
  /** Fallback model ids from the body's `models`, without the first model itself. */
  fallbacks: string[];
  /** The body for a host, with the model replaced by its wire id. */
  bodyFor(wireModel: string): BodyInit | null;
  /** The body's bytes as the client sent them (empty for query routes): pools read a conversation's start from them. */
  raw: Uint8Array;
  /** The query string for a host (`?beta=true` kept; `?model=` rewritten on query routes). */
  searchFor(wireModel: string): string;
  /** The body can be sent only once (a streamed upload): no second host may be tried. */
  sendOnce?: boolean;
}

const encoder = new TextEncoder();

/**
 * A multipart upload streams through: read until its `model` field is known, then the held bytes and
 * the rest go to the host with that field's value replaced (multipart-model.ts). Not replayable.
 */
async function readMultipart(request: Request, url: URL, maxBytes: number): Promise<RoutedRequest> {
  const empty = new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  const form = await readMultipartModel(request.body ?? empty, request.headers.get("content-type") ?? "", {
    maxBytes,
    maxHeldBytes: Math.min(maxBytes, MAX_BYTES_BEFORE_MODEL),
  });
  const length = Number(request.headers.get("content-length") ?? Number.NaN);
  return {
    model: form.model,
    stream: false,
    fallbacks: [],
    raw: new Uint8Array(0),
    sendOnce: true,
    bodyFor: (wire) => {
      const body = form.withModel(wire);
      if (!Fixed || !Number.isSafeInteger(length)) return body;
      // The client's length with the model's bytes swapped for the wire id's: hosts that read a
      // Content-Length (llama-server's HTTP library) get one, as the client sent.
      const fixed = new Fixed(length - form.modelByteLength + encoder.encode(wire).length);
      body.pipeTo(fixed.writable).catch(() => {});
      return fixed.readable;
    },
    searchFor: () => url.search,
  };
}

export async function readRouted(route: InferenceRoute, request: Request, limits: { uploadBytes: number }): Promise<RoutedRequest> {
  const url = new URL(request.url);
  if (route.modelFrom === "multipart") return readMultipart(request, url, limits.uploadBytes);
  if (route.modelFrom === "query") {
    const model = url.searchParams.get("model");
    if (!model)
      throw invalidRequest("The request has no 'model'. Send ?model=provider/model (GET /v1/models lists them).", "missing_model", "model");
    return {
      model,
      stream: false,
      fallbacks: [],
      raw: new Uint8Array(0),
      bodyFor: () => null,
      searchFor: (wire) => {
        const params = new URLSearchParams(url.search);
        params.set("model", wire);
        return `?${params}`;
      },
    };
  }
  // Read straight into one buffer of the body's size, and never decoded as a whole (request-body.ts).
  const bytes = await readBodyBytes(request);
  const body = parseInferenceBody(bytes);
  return {
    model: body.model,
    stream: body.stream,
    fallbacks: body.fallbacks,
    raw: new Uint8Array(bytes),
    // A fresh body per attempt: a fallback resends the same bytes.
    bodyFor: (wireModel) => hostBody(body, wireModel),
    searchFor: () => url.search,
  };
}
