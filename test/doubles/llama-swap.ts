// A test double of a llama-swap host, built from /work/shared/llama-swap.md. It is a web-standard
// handler `(Request) => Promise<Response>`, so the same double serves inside workerd
// (`useOutbound().route(origin, host.handle)`) and in Node (`serveNode(host.handle)` from node-host.ts).
//
// Options (all optional):
//   name         appears in every answer ("<name> answered <model>"), to tell hosts apart. Default "llama-swap".
//   models       ids (may hold `/` and `:`) or { id, status: "loaded" | "unloaded", context_length, n_ctx, name }.
//                Default ["qwen3"], unloaded. `context_length` / `n_ctx` appear in the list only when given.
//   generation   how an unknown model is answered: "v217" (400 text, JSON only when Accept asks for it),
//                "v250" (404, `error` a string), "main" (404, `error` an object). Default "main".
//   statusField  list records carry `status: {value}` (llama-swap v236+). Default: not for "v217".
//   loadDelayMs  an inference request for an unloaded model waits this long before headers (a swap), then
//                the model is loaded. Ends early when the request is aborted. Default 0.
//   sendLoadingState  llama-swap's option of that name: a streaming chat request for an unloaded model gets
//                `200 text/event-stream` at once, then `reasoning_content` progress chunks with no id, model or
//                object ("llama-swap loading model: X", dots, "Done! (…s)") during the load, then the stream.
//   chunks, chunkGapMs   a streaming answer sends `chunks` content chunks ("0 ", "1 ", ...), `chunkGapMs` apart,
//                then a finish chunk and `data: [DONE]`. Default 3 chunks, 0 ms.
//   rateLimited  { retryAfter } makes inference answer 429 with that Retry-After (a model's concurrencyLimit).
//   apiKey       requests (except /health) must present it (Bearer, x-api-key or Basic), else 401.
//   embeddingDims  length of each embedding vector. Default 4.
//   respond      (request) => Response | undefined: runs first (after recording); a Response it returns is the
//                answer. For one-off failures such as a 530 page or a 502.
//   routes       the model routes this host has (paths of MODEL_ROUTES in llama-swap-routes.ts; `routesIn(174)`
//                gives what llama-swap v174 had). Others answer Go's plain `404 page not found`, as an old host
//                does. Default: every route.
//   speechSize   bytes of a /v1/audio/speech answer (`speechBytes(model, voice, input, size)`). Default 48 KiB.
//
// Routes: every path of MODEL_ROUTES (llama-swap-routes.ts), answered as llama-server does (shapes in
// llama-swap-answers.ts: Anthropic events, Responses API events without [DONE], native /completion streams
// without [DONE], binary speech, multipart uploads echoed with each file's size and sha256). The model is
// read as llama-swap reads it: JSON only with a JSON Content-Type, the multipart field, or `?model=`;
// none found is 404 "no model id could be identified".
//
// The double records every request it receives in `requests` (method, path, search, headers, body text, and
// the raw `bytes`, not enumerable so that JSON.stringify(requests) stays readable)
// and `waitForRequest(predicate)` resolves when a matching one has arrived. `/props`, `/upstream/...`
// and `/running` are served (and recorded) so tests can prove the router did NOT call them.

import {
  anthropicMessage,
  countTokens,
  images,
  nativeCompletion,
  responsesStream,
  rerank,
  speech,
  transcription,
  voices,
  type AnswerContext,
} from "./llama-swap-answers.ts";
import { completionStream, loadingState, noModel, unknownModel } from "./llama-swap-openai.ts";
import { MODEL_ROUTES, readModel } from "./llama-swap-routes.ts";

export { routesIn } from "./llama-swap-routes.ts";
export { speechBytes, type UploadEcho } from "./llama-swap-answers.ts";

export type Generation = "v217" | "v250" | "main";
export interface DoubleModel {
  id: string;
  status?: "loaded" | "unloaded";
  context_length?: number;
  n_ctx?: number;
  name?: string;
}
export interface LlamaSwapOptions {
  name?: string;
  models?: (string | DoubleModel)[];
  generation?: Generation;
  statusField?: boolean;
  loadDelayMs?: number;
  sendLoadingState?: boolean;
  chunks?: number;
  chunkGapMs?: number;
  rateLimited?: { retryAfter: string };
  apiKey?: string;
  embeddingDims?: number;
  respond?: (request: Request) => Response | undefined | Promise<Response | undefined>;
  routes?: string[];
  speechSize?: number;
}
export interface RecordedRequest {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  /** The body decoded as UTF-8 (decoded when first read). */
  readonly body: string;
  /** The body's bytes, exactly as received. */
  readonly bytes: Uint8Array;
}
export interface LlamaSwapDouble {
  handle(request: Request): Promise<Response>;
  readonly requests: RecordedRequest[];
  /** Current model states, by id. */
  readonly models: Map<string, DoubleModel>;
  waitForRequest(predicate?: (r: RecordedRequest) => boolean): Promise<RecordedRequest>;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });

export function llamaSwapDouble(options: LlamaSwapOptions = {}): LlamaSwapDouble {
  const name = options.name ?? "llama-swap";
  const generation = options.generation ?? "main";
  const statusField = options.statusField ?? generation !== "v217";
  const models = new Map<string, DoubleModel>();
  for (const m of options.models ?? ["qwen3"]) {
    const model = typeof m === "string" ? { id: m } : { ...m };
    models.set(model.id, { status: "unloaded", ...model });
  }
  const requests: RecordedRequest[] = [];
  const waiters: { predicate: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }[] = [];
  let counter = 0;

  function record(request: Request, url: URL, bytes: Uint8Array): void {
    let text: string | undefined;
    const entry = {
      method: request.method,
      path: url.pathname,
      search: url.search,
      headers: Object.fromEntries(request.headers),
    } as RecordedRequest;
    Object.defineProperty(entry, "body", { enumerable: true, get: () => (text ??= new TextDecoder().decode(bytes)) });
    Object.defineProperty(entry, "bytes", { enumerable: false, value: bytes });
    requests.push(entry);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(entry)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(entry);
      }
    }
  }

  function authorized(request: Request): boolean {
    if (!options.apiKey) return true;
    const auth = request.headers.get("authorization") ?? "";
    if (auth === `Bearer ${options.apiKey}` || request.headers.get("x-api-key") === options.apiKey) return true;
    if (auth.startsWith("Basic ")) {
      const decoded = atob(auth.slice(6));
      return decoded.slice(decoded.indexOf(":") + 1) === options.apiKey;
    }
    return false;
  }

  function modelList(): Response {
    const data = [...models.values()].map((m) => ({
      id: m.id,
      object: "model",
      created: Math.floor(Date.now() / 1000),
      owned_by: "llama-swap",
      ...(m.name ? { name: m.name } : {}),
      meta: { llamaswap: { type: "model" }, ...(m.n_ctx ? { n_ctx: m.n_ctx } : {}) },
      ...(statusField ? { status: { value: m.status } } : {}),
      ...(m.context_length ? { context_length: m.context_length } : {}),
    }));
    return json({ object: "list", data });
  }

  function props(model: DoubleModel): Response {
    model.status = "loaded";
    return json({
      default_generation_settings: { n_ctx: model.n_ctx ?? 4096 },
      total_slots: 1,
      model_path: `/models/${model.id}.gguf`,
      modalities: { vision: false },
    });
  }

  async function inference(request: Request, url: URL, bytes: Uint8Array): Promise<Response> {
    const path = url.pathname;
    const source = await readModel(request, url, bytes);
    if (!source.ok) return json({ error: source.message }, source.status);
    const { model: modelId, body: parsed, form } = source;
    const accept = request.headers.get("accept") ?? "";
    if (modelId === "") return noModel(generation, accept);
    const model = models.get(modelId);
    if (!model) return unknownModel(generation, modelId, accept);
    if (options.rateLimited)
      return new Response("Too many requests", { status: 429, headers: { "retry-after": options.rateLimited.retryAfter } });
    const streaming = parsed.stream === true && (path === "/v1/chat/completions" || path === "/v1/completions");
    if (model.status !== "loaded" && options.sendLoadingState && streaming && path === "/v1/chat/completions") {
      return completionStream(
        path,
        modelId,
        `${name}-${++counter}`,
        request.signal,
        options.chunks ?? 3,
        options.chunkGapMs ?? 0,
        loadingState(model, options.loadDelayMs ?? 0, request.signal),
      );
    }
    if (model.status !== "loaded") {
      await sleep(options.loadDelayMs ?? 0, request.signal);
      model.status = "loaded";
    }
    const id = `${name}-${++counter}`;
    const created = Math.floor(Date.now() / 1000);
    const text = `${name} answered ${modelId}`;
    if (streaming) return completionStream(path, modelId, id, request.signal, options.chunks ?? 3, options.chunkGapMs ?? 0);
    const ctx: AnswerContext = {
      name,
      model: modelId,
      id,
      body: parsed,
      signal: request.signal,
      chunks: options.chunks ?? 3,
      chunkGapMs: options.chunkGapMs ?? 0,
    };
    switch (path) {
      case "/v1/messages":
        return anthropicMessage(ctx);
      case "/v1/messages/count_tokens":
        return countTokens(ctx);
      case "/v1/rerank":
      case "/v1/reranking":
      case "/rerank":
      case "/reranking":
        return rerank(ctx);
      case "/infill":
      case "/completion":
        return nativeCompletion(ctx, path);
      case "/v1/audio/speech":
        return speech(ctx, options.speechSize);
      case "/v1/audio/transcriptions":
        return form ? transcription(ctx, form) : json({ error: "a transcription needs a multipart/form-data body" }, 400);
      case "/v1/images/generations":
        return images(ctx);
      case "/v1/images/edits":
        return form ? images(ctx, form) : json({ error: "an image edit needs a multipart/form-data body" }, 400);
      case "/v1/audio/voices":
        return voices(ctx);
    }
    if (path === "/v1/responses" && parsed.stream === true) return responsesStream(ctx);
    if (path === "/v1/embeddings") {
      const inputs = Array.isArray(parsed.input) ? parsed.input : [parsed.input];
      const dims = options.embeddingDims ?? 4;
      const data = inputs.map((_, index) => ({
        object: "embedding",
        index,
        embedding: Array.from({ length: dims }, (_, d) => (index + 1) / (d + 2)),
      }));
      return json({ object: "list", data, model: modelId, usage: { prompt_tokens: inputs.length, total_tokens: inputs.length } });
    }
    if (path === "/v1/completions")
      return json({ id, object: "text_completion", created, model: modelId, choices: [{ index: 0, text, finish_reason: "stop" }] });
    if (path === "/v1/responses") {
      return json({
        id,
        object: "response",
        created_at: created,
        status: "completed",
        model: modelId,
        output: [
          {
            type: "message",
            id: `msg-${id}`,
            role: "assistant",
            status: "completed",
            content: [{ type: "output_text", text, annotations: [] }],
          },
        ],
      });
    }
    return json({
      id,
      object: "chat.completion",
      created,
      model: modelId,
      choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const bytes = request.method === "GET" || request.method === "HEAD" ? new Uint8Array(0) : new Uint8Array(await request.arrayBuffer());
    record(request, url, bytes);
    const custom = await options.respond?.(request);
    if (custom) return custom;
    const path = url.pathname;
    if (path === "/health") return new Response("OK", { headers: { "content-type": "text/plain" } });
    if (!authorized(request))
      return new Response("unauthorized", { status: 401, headers: { "www-authenticate": 'Basic realm="llama-swap"' } });
    if (request.method === "GET" && (path === "/v1/models" || path === "/models")) return modelList();
    if (request.method === "GET" && path === "/running") {
      const running = [...models.values()].filter((m) => m.status === "loaded");
      return json({
        running: running.map((m) => ({
          model: m.id,
          state: "ready",
          cmd: `/opt/llama-server -m /models/${m.id}.gguf --api-key host-internal`,
          proxy: "http://127.0.0.1:5800",
          ttl: 0,
          name: m.name ?? "",
          description: "",
        })),
      });
    }
    if (path === "/props") {
      const model = models.get(url.searchParams.get("model") ?? "");
      return model ? props(model) : json({ error: "model not found" }, 404);
    }
    if (path.startsWith("/upstream/")) {
      // The longest model id that prefixes the rest wins, so ids may contain `/`.
      const rest = path.slice("/upstream/".length);
      const model = [...models.values()]
        .filter((m) => rest === m.id || rest.startsWith(`${m.id}/`))
        .sort((a, b) => b.id.length - a.id.length)[0];
      return model ? props(model) : json({ error: "model not found" }, 404);
    }
    const served = path in MODEL_ROUTES && (options.routes ?? Object.keys(MODEL_ROUTES)).includes(path);
    const method = path === "/v1/audio/voices" ? request.method === "GET" || request.method === "POST" : request.method === "POST";
    if (served && method) return inference(request, url, bytes);
    return new Response("404 page not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  }

  return {
    handle,
    requests,
    models,
    waitForRequest(predicate = () => true) {
      const seen = requests.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}
