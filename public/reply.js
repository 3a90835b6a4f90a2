// Streams one reply from /v1/chat/completions. While a host loads a model the router sends `: loading`
// comments (and llama-swap's `sendLoadingState` sends progress as reasoning text): both are the
// loading state, not the model's words. Content, reasoning and tool calls are gathered into `reply`.
import { call } from "./session.js";
import { sseEvents } from "./sse.js";

/** Merges streamed tool-call deltas (by index) into whole calls. */
function addToolCalls(calls, deltas) {
  for (const delta of deltas) {
    const index = Number.isInteger(delta.index) ? delta.index : calls.length;
    const call = (calls[index] ??= { id: undefined, type: "function", function: { name: "", arguments: "" } });
    if (typeof delta.id === "string") call.id = delta.id;
    if (typeof delta.function?.name === "string") call.function.name += delta.function.name;
    if (typeof delta.function?.arguments === "string") call.function.arguments += delta.function.arguments;
  }
}

/**
 * `events`: { loading(), started() }, called when the host is loading the model and when the first
 * word of the reply arrived. Resolves with `{ finished: true }` or `{ failure: message }`; throws
 * ApiFailure when the router refused the request, and the abort error when stopped.
 */
export async function streamReply(body, reply, view, signal, events) {
  const res = await call("/v1/chat/completions", { method: "POST", body, signal });
  if (res.headers.has("x-llama-edge-loading")) events.loading();
  let swapping = false;
  let started = false;
  for await (const { comments, data } of sseEvents(res.body)) {
    if (comments.some((c) => c.startsWith("loading"))) events.loading();
    if (data === undefined) continue;
    if (data === "[DONE]") return { finished: true };
    let chunk;
    try {
      chunk = JSON.parse(data);
    } catch {
      continue;
    }
    // A stream that broke after it started ends with one OpenAI-shaped error event.
    if (chunk.error) return { failure: typeof chunk.error.message === "string" ? chunk.error.message : "The host reported an error." };
    const delta = chunk.choices?.[0]?.delta ?? {};
    if (typeof delta.reasoning_content === "string" && (swapping || delta.reasoning_content.startsWith("llama-swap loading model"))) {
      swapping = !delta.reasoning_content.startsWith("Done!");
      if (swapping) events.loading();
      continue;
    }
    const reasoning =
      typeof delta.reasoning_content === "string" ? delta.reasoning_content : typeof delta.reasoning === "string" ? delta.reasoning : "";
    const content = typeof delta.content === "string" ? delta.content : "";
    const tools = Array.isArray(delta.tool_calls) ? delta.tool_calls : [];
    if (!reasoning && !content && !tools.length) continue;
    if (!started) {
      started = true;
      events.started();
    }
    reply.reasoning += reasoning;
    reply.content += content;
    addToolCalls(reply.tool_calls, tools);
    view.update(reply);
  }
  return { failure: "The reply was cut off before it was complete." };
}
