// What the llama-swap double answers on the routes beyond chat: Anthropic Messages (llama-server's
// native /v1/messages), the Responses API stream, rerank, llama-server's /infill and /completion, TTS,
// transcription, images and voices. Shapes as llama-server and llama-swap send them; contents are
// deterministic so tests can compute what must arrive (`speechBytes`, the upload echo's sha256).

export interface AnswerContext {
  name: string;
  model: string;
  id: string;
  body: Record<string, unknown>;
  signal: AbortSignal;
  chunks: number;
  chunkGapMs: number;
}

const encoder = new TextEncoder();
const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { "content-type": "application/json; charset=utf-8" } });
const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** An SSE stream: `events()` yields whole event texts; each after the first waits `gapMs`. */
export function sse(events: Iterable<string>, signal: AbortSignal, gapMs: number): Response {
  const it = events[Symbol.iterator]();
  let first = true;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!first) await sleep(gapMs, signal);
      first = false;
      const next = it.next();
      if (next.done || signal.aborted) return controller.close();
      controller.enqueue(encoder.encode(next.value));
    },
  });
  return new Response(body, { headers: SSE_HEADERS });
}

const named = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const deltas = (n: number) => Array.from({ length: n }, (_, i) => `${i} `);

/** POST /v1/messages: Anthropic's message, or its event sequence when `stream: true`. */
export function anthropicMessage(ctx: AnswerContext): Response {
  const text = `${ctx.name} answered ${ctx.model}`;
  const id = `msg_${ctx.id}`;
  const usage = { input_tokens: 3, output_tokens: ctx.chunks };
  if (ctx.body.stream !== true) {
    return json({
      id,
      type: "message",
      role: "assistant",
      model: ctx.model,
      content: [{ type: "text", text }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 4 },
    });
  }
  const events = [
    named("message_start", {
      message: {
        id,
        type: "message",
        role: "assistant",
        model: ctx.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 3, output_tokens: 0 },
      },
    }),
    named("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
    ...deltas(ctx.chunks).map((t) => named("content_block_delta", { index: 0, delta: { type: "text_delta", text: t } })),
    named("content_block_stop", { index: 0 }),
    named("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage }),
    named("message_stop", {}),
  ];
  return sse(events, ctx.signal, ctx.chunkGapMs);
}

/** POST /v1/messages/count_tokens: a count derived from the messages' text. */
export function countTokens(ctx: AnswerContext): Response {
  return json({ input_tokens: Math.max(1, Math.ceil(JSON.stringify(ctx.body.messages ?? []).length / 4)) });
}

/** POST /v1/responses with `stream: true`: the Responses API's named events, and no `[DONE]`. */
export function responsesStream(ctx: AnswerContext): Response {
  const created_at = Math.floor(Date.now() / 1000);
  const itemId = `msg-${ctx.id}`;
  const text = deltas(ctx.chunks).join("");
  const base = { id: ctx.id, object: "response", created_at, model: ctx.model };
  const part = (t: string) => ({ type: "output_text", text: t, annotations: [] });
  const item = (status: string, content: unknown[]) => ({ id: itemId, type: "message", status, role: "assistant", content });
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>) => named(type, { sequence_number: seq++, ...data });
  const events = function* () {
    yield ev("response.created", { response: { ...base, status: "in_progress", output: [] } });
    yield ev("response.in_progress", { response: { ...base, status: "in_progress", output: [] } });
    yield ev("response.output_item.added", { output_index: 0, item: item("in_progress", []) });
    yield ev("response.content_part.added", { item_id: itemId, output_index: 0, content_index: 0, part: part("") });
    for (const delta of deltas(ctx.chunks))
      yield ev("response.output_text.delta", { item_id: itemId, output_index: 0, content_index: 0, delta });
    yield ev("response.output_text.done", { item_id: itemId, output_index: 0, content_index: 0, text });
    yield ev("response.content_part.done", { item_id: itemId, output_index: 0, content_index: 0, part: part(text) });
    yield ev("response.output_item.done", { output_index: 0, item: item("completed", [part(text)]) });
    yield ev("response.completed", {
      response: {
        ...base,
        status: "completed",
        output: [item("completed", [part(text)])],
        usage: { input_tokens: 3, output_tokens: ctx.chunks, total_tokens: 3 + ctx.chunks },
      },
    });
  };
  return sse(events(), ctx.signal, ctx.chunkGapMs);
}

/** POST /v1/rerank (and its three aliases): documents scored by how many query words they share. */
export function rerank(ctx: AnswerContext): Response {
  const words = new Set(
    String(ctx.body.query ?? "")
      .toLowerCase()
      .split(/\W+/)
      .filter(Boolean),
  );
  const docs = Array.isArray(ctx.body.documents) ? ctx.body.documents.map((d) => (typeof d === "string" ? d : JSON.stringify(d))) : [];
  const results = docs
    .map((doc, index) => {
      const own = doc.toLowerCase().split(/\W+/).filter(Boolean);
      return { index, relevance_score: own.length ? own.filter((w) => words.has(w)).length / own.length : 0 };
    })
    .sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index)
    .slice(0, typeof ctx.body.top_n === "number" ? ctx.body.top_n : undefined);
  return json({ model: ctx.model, object: "list", usage: { prompt_tokens: docs.length, total_tokens: docs.length }, results });
}

/**
 * POST /infill and /completion: llama-server's native shape (`content`, `stop`). Its native stream
 * is `data: {...}` chunks ending with one whose `stop` is true, and NO `data: [DONE]` (llama-server
 * sends that only on its OpenAI-compatible routes).
 */
export function nativeCompletion(ctx: AnswerContext, path: string): Response {
  const verb = path === "/infill" ? "filled" : "completed";
  const final = { content: "", stop: true, model: ctx.model, stop_type: "eos", tokens_predicted: ctx.chunks, tokens_evaluated: 3 };
  if (ctx.body.stream !== true) return json({ ...final, content: `${ctx.name} ${verb} ${ctx.model}`, tokens_predicted: 4 });
  const events = [
    ...deltas(ctx.chunks).map((content) => `data: ${JSON.stringify({ content, stop: false })}\n\n`),
    `data: ${JSON.stringify(final)}\n\n`,
  ];
  return sse(events, ctx.signal, ctx.chunkGapMs);
}

/** The double's TTS "audio": `size` bytes determined by model, voice and input (xorshift32 over FNV-1a). */
export function speechBytes(model: string, voice: string, input: string, size = 48 * 1024): Uint8Array {
  let state = 0x811c9dc5;
  for (const byte of encoder.encode(`${model}\u0000${voice}\u0000${input}`)) state = Math.imul(state ^ byte, 0x01000193) >>> 0;
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = state & 0xff;
  }
  return out;
}

const AUDIO_TYPES: Record<string, string> = {
  mp3: "audio/mpeg",
  wav: "audio/wav",
  opus: "audio/ogg",
  flac: "audio/flac",
  aac: "audio/aac",
  pcm: "audio/pcm",
};

/** POST /v1/audio/speech: binary audio, sent in 16 KiB chunks as a real TTS server streams it. */
export function speech(ctx: AnswerContext, size?: number): Response {
  const audio = speechBytes(ctx.model, String(ctx.body.voice ?? ""), String(ctx.body.input ?? ""), size);
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= audio.length) return controller.close();
      controller.enqueue(audio.slice(at, (at += 16 * 1024)));
    },
  });
  const type = AUDIO_TYPES[String(ctx.body.response_format ?? "mp3")] ?? "application/octet-stream";
  return new Response(body, { headers: { "content-type": type } });
}

export interface UploadEcho {
  field: string;
  filename: string;
  size: number;
  sha256: string;
}

async function echoFiles(form: FormData): Promise<UploadEcho[]> {
  const out: UploadEcho[] = [];
  for (const [field, value] of form) {
    if (typeof value === "string") continue;
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await value.arrayBuffer()));
    out.push({
      field,
      filename: value.name,
      size: value.size,
      sha256: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
    });
  }
  return out;
}

/** POST /v1/audio/transcriptions (multipart): the text, plus an echo of every file that arrived. */
export async function transcription(ctx: AnswerContext, form: FormData): Promise<Response> {
  const files = await echoFiles(form);
  return json({ text: `${ctx.name} transcribed ${files[0]?.size ?? 0} bytes with ${ctx.model}`, files });
}

const b64 = (bytes: Uint8Array) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));

/** POST /v1/images/generations (JSON) and /v1/images/edits (multipart, echoing its files). */
export async function images(ctx: AnswerContext, form?: FormData): Promise<Response> {
  const prompt = String(form?.get("prompt") ?? ctx.body.prompt ?? "");
  const n = Math.max(1, Math.min(4, Number(form?.get("n") ?? ctx.body.n ?? 1) || 1));
  const data = Array.from({ length: n }, (_, i) => ({ b64_json: b64(speechBytes(ctx.model, `image ${i}`, prompt, 256)) }));
  return json({ created: Math.floor(Date.now() / 1000), data, ...(form ? { files: await echoFiles(form) } : {}) });
}

/** GET /v1/audio/voices?model= and POST /v1/audio/voices {model}. */
export function voices(ctx: AnswerContext): Response {
  return json({ object: "list", model: ctx.model, data: ["alloy", "echo"].map((id) => ({ id, name: `${id} (${ctx.name})` })) });
}
