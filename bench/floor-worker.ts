// The floor: the least a Worker can do on the way to a host. It forwards the request as it came and
// returns the host's answer as it is. The bench runs it under the same runtime as the router, so
// "router minus floor" is what llama-edge's own code costs.
import { type FloorEnv, forwardToHost } from "./floor-forward.ts";

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const upstream = await forwardToHost(request, env);
    return new Response(upstream.body, upstream);
  },
};
