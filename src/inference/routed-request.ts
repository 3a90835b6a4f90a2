// A client's request read as far as routing needs, whatever its route keeps the model in: the model id,
// whether a stream was asked for, the request's own fallbacks, and how to rebuild it for a host with the
// model replaced by that host's wire id (in the same encoding the client used).
import { invalidRequest } from "../errors.ts";
import { hostBody, parseInferenceBody, readBodyBytes } from "./request-body.ts";
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
}

export async function readRouted(route: InferenceRoute, request: Request): Promise<RoutedRequest> {
  const url = new URL(request.url);
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
