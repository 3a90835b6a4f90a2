// The two SSE lines the router writes itself: a keep-alive comment, and the one error event that ends
// a stream which can no longer succeed. The error event is OpenAI's error object as a `data:` line;
// the stream then ends WITHOUT `data: [DONE]`, so clients see a failure, never a silent success.
import type { ApiError } from "../errors.ts";

const encoder = new TextEncoder();

export const SSE_HEADERS: Record<string, string> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

export function sseComment(text: string): Uint8Array {
  return encoder.encode(`: ${text.replace(/[\r\n]+/g, " ")}\n\n`);
}

export function sseError(error: ApiError | { error: unknown }): Uint8Array {
  const body = "toBody" in error ? error.toBody() : error;
  return encoder.encode(`data: ${JSON.stringify(body)}\n\n`);
}
