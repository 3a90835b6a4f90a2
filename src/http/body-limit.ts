// Every route that reads a body bounds it first: a body over the limit is answered 413 before it is read
// into memory (hono's bodyLimit checks Content-Length, and counts a chunked body as it arrives). A Worker
// isolate has 128 MB for every request it carries, so one client's 90 MiB PATCH must never be parsed.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../errors.ts";

/** Per route kind: settings are a few KiB, the registry some hundreds, inference bodies a few MiB. */
export const BODY_LIMITS = {
  settings: 16 * 1024,
  admin: 512 * 1024,
  inference: 4 * 1024 * 1024,
} as const;

const describe = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`);

export function limitBody(maxSize: number): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError({
        status: 413,
        type: "invalid_request_error",
        code: "request_too_large",
        message: `The request body is larger than ${describe(maxSize)}.`,
      });
    },
  });
}
