// The bytes the paced test host answers with. The bench compares what reaches the client with these,
// byte for byte, so they never depend on the request (the model id differs between a direct call and
// a call through the router) or on the time.

export const BENCH_MODEL = "bench-model";

export interface Pacing {
  /** Content chunks per streamed answer (then one finish chunk and `data: [DONE]`). */
  chunks: number;
  /** The host writes one SSE event every `gapMs`, on a fixed schedule from the first one. */
  gapMs: number;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

export const COMPLETION: Buffer = json({
  id: "bench-1",
  object: "chat.completion",
  created: 0,
  model: BENCH_MODEL,
  choices: [{ index: 0, message: { role: "assistant", content: "A fixed small completion from the bench host." }, finish_reason: "stop" }],
  usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 },
});

/** The answer to a transcription upload (bench/request-memory.ts). */
export const TRANSCRIPTION: Buffer = json({ text: "A fixed transcription from the bench host." });

/** One buffer per SSE event, in the order the host writes them, each written on its own. */
export function sseEvents(chunks: number): Buffer[] {
  const event = (delta: Record<string, string>, finish: string | null) =>
    Buffer.from(
      `data: ${JSON.stringify({ id: "bench-1", object: "chat.completion.chunk", created: 0, model: BENCH_MODEL, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
    );
  const events = Array.from({ length: chunks }, (_, i) => event({ content: `token${i} ` }, null));
  return [...events, event({}, "stop"), Buffer.from("data: [DONE]\n\n")];
}

export function modelList(ids: readonly string[]): Buffer {
  return json({
    object: "list",
    data: ids.map((id, i) => ({
      id,
      object: "model",
      created: 0,
      owned_by: "llama-swap",
      status: { value: i === 0 ? "loaded" : "unloaded" },
    })),
  });
}

/** What the bench sends: a small chat request, the same for every target but for the model id. */
export function chatRequest(model: string, stream: boolean): Buffer {
  return json({ model, stream, messages: [{ role: "user", content: "Say something short." }], max_tokens: 16 });
}
