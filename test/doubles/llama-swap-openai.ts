// The llama-swap double's OpenAI-route pieces that need no host state: chat and completion streams,
// the `sendLoadingState` progress chunks, and the generation-specific "no model" / "unknown model" answers.
import type { DoubleModel, Generation } from "./llama-swap.ts";

const encoder = new TextEncoder();
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

export function noModel(generation: Generation, accept: string): Response {
  const message = "no model id could be identified";
  if (generation === "v217")
    return accept.includes("application/json")
      ? json({ error: message }, 400)
      : new Response(message, { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
  if (generation === "v250") return json({ src: "llama-swap", error: message }, 404);
  return json({ src: "llama-swap", error: { message, type: "invalid_request_error", param: null, code: "not_found" } }, 404);
}

export function unknownModel(generation: Generation, model: string, accept: string): Response {
  if (generation === "v217") {
    const message = `could not find suitable inference handler for ${model}`;
    return accept.includes("application/json")
      ? json({ error: message }, 400)
      : new Response(message, { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  if (generation === "v250") return json({ src: "llama-swap", error: "no router for requested model" }, 404);
  return json(
    {
      src: "llama-swap",
      error: { message: `could not find a model named ${model}`, type: "invalid_request_error", param: null, code: "not_found" },
    },
    404,
  );
}

/** llama-swap's loading-state chunks, as `sendLoadingState: true` sends them during a swap. */
export async function* loadingState(model: DoubleModel, delay: number, signal: AbortSignal): AsyncGenerator<string> {
  const event = (text: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { reasoning_content: text } }] })}\n\n`;
  yield event(`llama-swap loading model: ${model.id}`);
  const started = Date.now();
  while (Date.now() - started < delay && !signal.aborted) {
    await sleep(Math.min(250, delay - (Date.now() - started)), signal);
    yield event(".");
  }
  model.status = "loaded";
  yield event(`Done! (${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
}

/** A chat or text completion stream: `total` chunks ("0 ", "1 ", ...) `gapMs` apart, a finish chunk, `[DONE]`. */
export function completionStream(
  path: string,
  model: string,
  id: string,
  signal: AbortSignal,
  total: number,
  gapMs: number,
  prelude?: AsyncGenerator<string>,
): Response {
  const created = Math.floor(Date.now() / 1000);
  const chat = path === "/v1/chat/completions";
  const chunk = (text: string | null, finish: string | null) =>
    chat
      ? {
          id,
          object: "chat.completion.chunk",
          created,
          model,
          choices: [{ index: 0, delta: text === null ? {} : { content: text }, finish_reason: finish }],
        }
      : { id, object: "text_completion", created, model, choices: [{ index: 0, text: text ?? "", finish_reason: finish }] };
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (prelude) {
        const loading = await prelude.next();
        if (!loading.done) return controller.enqueue(encoder.encode(loading.value));
        prelude = undefined;
      }
      if (sent > 0) await sleep(gapMs, signal);
      if (signal.aborted) return controller.close();
      const event = sent < total ? chunk(`${sent} `, null) : chunk(null, "stop");
      const text = `data: ${JSON.stringify(event)}\n\n${sent === total ? "data: [DONE]\n\n" : ""}`;
      controller.enqueue(encoder.encode(text));
      if (sent++ === total) controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" } });
}
