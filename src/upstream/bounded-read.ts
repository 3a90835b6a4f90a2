// The one way the router reads a body a host sent for the router itself (model lists, `/running`, props,
// error bodies): counted as decoded bytes while it arrives, and cut off at a cap. A Content-Length proves
// nothing: a chunked answer has none, and a gzip body of 1 MiB may decode to 1 GiB. Past the cap the
// connection is let go at once, so a hostile or broken host costs at most `maxBytes` of memory.

export type BoundedBody = { ok: true; bytes: Uint8Array } | { ok: false; reason: "too_large" | "broken"; bytes: Uint8Array };

export async function readBounded(res: Response, maxBytes: number): Promise<BoundedBody> {
  if (!res.body) return { ok: true, bytes: new Uint8Array(0) };
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await res.body.cancel().catch(() => {});
    return { ok: false, reason: "too_large", bytes: new Uint8Array(0) };
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let outcome: BoundedBody["ok"] | "too_large" | "broken" = true;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.byteLength > maxBytes) {
        chunks.push(value.subarray(0, maxBytes - size));
        size = maxBytes;
        outcome = "too_large";
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    outcome = "broken";
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return outcome === true ? { ok: true, bytes } : { ok: false, reason: outcome, bytes };
}

const decoder = new TextDecoder();

/** Text of at most `maxBytes` (an error body: what was read is enough to classify, whatever happened). */
export async function readBoundedText(res: Response, maxBytes: number): Promise<string> {
  return decoder.decode((await readBounded(res, maxBytes)).bytes);
}

/** Parsed JSON, or why not: the body was over the cap, broke off, or is not JSON. */
export async function readBoundedJson(
  res: Response,
  maxBytes: number,
): Promise<{ ok: true; json: unknown } | { ok: false; reason: "too_large" | "broken" | "not_json" }> {
  const body = await readBounded(res, maxBytes);
  if (!body.ok) return { ok: false, reason: body.reason };
  try {
    return { ok: true, json: JSON.parse(decoder.decode(body.bytes)) };
  } catch {
    return { ok: false, reason: "not_json" };
  }
}
