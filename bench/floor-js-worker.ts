// A second floor for streams: the host's answer passed on by JavaScript, chunk by chunk, with no other
// work (a pull-based ReadableStream reading the host's body). Any Worker that looks at a stream's chunks
// (to end it after [DONE], hold half events, or add an error event when it breaks, as the router's relay
// does) pays what this one pays; the bench's CPU rows put it beside the router's relay.
import { type FloorEnv, forwardToHost } from "./floor-forward.ts";

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const upstream = await forwardToHost(request, env);
    if (!upstream.body) return new Response(null, upstream);
    const reader = upstream.body.getReader();
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const { value, done } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    return new Response(body, upstream);
  },
};
