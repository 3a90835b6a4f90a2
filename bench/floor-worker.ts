// The floor: the least a Worker can do on the way to a host. It forwards the request as it came and
// returns the host's answer as it is. The bench runs it under the same runtime as the router, so
// "router minus floor" is what llama-edge's own code costs.
interface FloorEnv {
  /** The host's origin, e.g. http://127.0.0.1:41234 */
  UPSTREAM: string;
}

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const url = new URL(request.url);
    const upstream = await fetch(env.UPSTREAM + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
    return new Response(upstream.body, upstream);
  },
};
