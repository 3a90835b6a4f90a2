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

/**
 * Multipart uploads (audio to transcribe, images to edit) stream through, so their limit is the upload
 * size Cloudflare's Free and Pro plans accept, 100 MiB; `MAX_UPLOAD_MIB` in wrangler.toml changes it.
 */
export const DEFAULT_UPLOAD_MIB = 100;

/**
 * What a multipart body may hold before its `model` field: those bytes wait in memory until the host is
 * known (a Worker isolate has 128 MB), so a file sent before the model may be at most this large.
 */
export const MAX_BYTES_BEFORE_MODEL = 48 * 1024 * 1024;

export function uploadLimitBytes(setting: string | undefined): number {
  const mib = Number(setting);
  return (Number.isFinite(mib) && mib > 0 ? mib : DEFAULT_UPLOAD_MIB) * 1024 * 1024;
}

const describe = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`);

/** 413 request_too_large, naming the limit. */
export function tooLarge(maxSize: number): ApiError {
  return new ApiError({
    status: 413,
    type: "invalid_request_error",
    code: "request_too_large",
    message: `The request body is larger than ${describe(maxSize)}.`,
  });
}

export function limitBody(maxSize: number): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw tooLarge(maxSize);
    },
  });
}
