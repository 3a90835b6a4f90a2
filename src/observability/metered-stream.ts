// Counts the bytes of a streamed response body on their way to the client and reports once when the
// stream ends or the client leaves, so a stream's log line can carry its duration and size. Chunks
// pass through as they are (same objects, no copies).
export function meteredStream(body: ReadableStream<Uint8Array>, onEnd: (bytes: number, outcome: "complete" | "cancelled" | "errored") => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let bytes = 0;
  let reported = false;
  const report = (outcome: "complete" | "cancelled" | "errored") => {
    if (reported) return;
    reported = true;
    onEnd(bytes, outcome);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            controller.close();
            report("complete");
            return;
          }
          bytes += value.byteLength;
          controller.enqueue(value);
        } catch (error) {
          report("errored");
          controller.error(error);
        }
      },
      cancel(reason) {
        report("cancelled");
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
