// Server-sent events as the router writes them: the headers every SSE answer carries (so that no proxy
// on the way, nginx or Cloudflare, buffers it), the keep-alive comment, and the one error event that ends
// a stream which can no longer succeed. The error event is OpenAI's error object as a `data:` line (or
// Anthropic's `event: error` on its routes); the stream then ends WITHOUT `data: [DONE]` or
// `message_stop`, so clients see a failure, never a silent success.
import type { ApiError } from "../errors.ts";

const encoder = new TextEncoder();

export const SSE_CONTENT_TYPE = "text/event-stream";

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": SSE_CONTENT_TYPE,
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

export function isEventStream(contentType: string | null): boolean {
  return (contentType ?? "").toLowerCase().startsWith("text/event-stream");
}

export function markAsEventStream(headers: Headers): void {
  for (const [name, value] of Object.entries(SSE_HEADERS)) headers.set(name, value);
}

export function sseComment(text: string): Uint8Array {
  return encoder.encode(`: ${text.replace(/[\r\n]+/g, " ")}\n\n`);
}

/** How a route's clients expect an error inside a stream. */
export type Dialect = "openai" | "anthropic";

export function sseErrorEvent(error: ApiError, dialect: Dialect = "openai"): Uint8Array {
  if (dialect === "anthropic") return encoder.encode(`event: error\ndata: ${JSON.stringify(error.toAnthropicBody())}\n\n`);
  return encoder.encode(`data: ${JSON.stringify(error.toBody())}\n\n`);
}
