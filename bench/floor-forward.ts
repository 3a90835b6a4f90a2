// What both floors do first: forward the request as it came to the host (bench/floor*.ts).
export interface FloorEnv {
  /** The host's origin, e.g. http://127.0.0.1:41234 */
  UPSTREAM: string;
}

export function forwardToHost(request: Request, env: FloorEnv): Promise<Response> {
  const url = new URL(request.url);
  return fetch(env.UPSTREAM + url.pathname + url.search, { method: request.method, headers: request.headers, body: request.body });
}
