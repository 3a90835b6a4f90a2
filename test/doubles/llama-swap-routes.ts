// The model routes a llama-swap host serves, with the version that added each (llama-swap's
// internal/server/server.go; see /work/shared/llama-swap.md "Endpoints"), and how the double reads the
// model from a request the way llama-swap does (internal/swaputil/http.go).

/** Path → the first llama-swap version serving it. `/v1/audio/voices` answers GET (v181) and POST (v188). */
export const MODEL_ROUTES: Readonly<Record<string, number>> = {
  "/v1/chat/completions": 1,
  "/v1/completions": 1,
  "/v1/embeddings": 1,
  "/v1/rerank": 78,
  "/rerank": 78,
  "/v1/audio/speech": 81,
  "/v1/audio/transcriptions": 94,
  "/v1/reranking": 143,
  "/reranking": 143,
  "/infill": 155,
  "/completion": 156,
  "/v1/messages": 175,
  "/v1/images/generations": 180,
  "/v1/responses": 181,
  "/v1/audio/voices": 181,
  "/v1/images/edits": 181,
  "/v1/messages/count_tokens": 186,
};

/** The model routes llama-swap `version` has, for the double's `routes` option: `routesIn(174)` has no /v1/messages. */
export function routesIn(version: number): string[] {
  return Object.entries(MODEL_ROUTES)
    .filter(([, since]) => since <= version)
    .map(([path]) => path);
}

export type ModelSource =
  | { ok: true; model: string; body: Record<string, unknown>; form?: FormData }
  | { ok: false; status: number; message: string };

/**
 * As llama-swap: `?model=` on GET; the JSON `model` only when Content-Type contains application/json
 * (a JSON body sent without it is read as a form, and its model is lost); the multipart field
 * `model`, parsed by the runtime's real formData(). An empty model means "none could be identified".
 */
export async function readModel(request: Request, url: URL, bytes: Uint8Array): Promise<ModelSource> {
  if (request.method === "GET") return { ok: true, model: url.searchParams.get("model") ?? "", body: {} };
  const type = request.headers.get("content-type") ?? "";
  if (type.includes("application/json")) {
    try {
      const body = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
      return { ok: true, model: typeof body?.model === "string" ? body.model : "", body: body ?? {} };
    } catch {
      return { ok: false, status: 400, message: "invalid JSON" };
    }
  }
  if (type.includes("multipart/form-data")) {
    try {
      const form = await new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { "content-type": type } }).formData();
      const model = form.get("model");
      return { ok: true, model: typeof model === "string" ? model : "", body: {}, form };
    } catch (error) {
      return { ok: false, status: 400, message: `could not parse multipart form: ${String(error)}` };
    }
  }
  return { ok: true, model: "", body: {} };
}
