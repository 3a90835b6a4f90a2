// The two small grammars a multipart/form-data reader needs: the boundary parameter of the request's
// Content-Type (RFC 2046 §5.1.1) and one part's header block (RFC 7578). Every failure is a 400 the
// client can act on; nothing here allocates more than the bounded header block it is given.
import { invalidRequest, type ApiError } from "../errors.ts";

/** A part's header block larger than this is refused: no client needs more for a name and a filename. */
export const MAX_PART_HEADER_BYTES = 16 * 1024;

// bchars of RFC 2046: 1 to 70 of them, and the last one not a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export const malformedMultipart = (message: string, code = "invalid_multipart"): ApiError =>
  invalidRequest(`The multipart/form-data body is malformed: ${message}`, code);

/** Splits `a=1; b="x;y"` into lower-cased names and unquoted values, honouring quoted strings. */
function parameters(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    while (i < text.length && (text[i] === ";" || text[i] === " " || text[i] === "\t")) i++;
    const eq = text.indexOf("=", i);
    if (eq === -1) break;
    const name = text.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (text[i] === " " || text[i] === "\t") i++;
    let value = "";
    if (text[i] === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) value += text[i] === "\\" && i + 1 < text.length ? text[++i] : text[i];
      i++;
    } else {
      const end = text.indexOf(";", i);
      value = text.slice(i, end === -1 ? undefined : end).trim();
      i = end === -1 ? text.length : end;
    }
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

/** The boundary of a `multipart/form-data` Content-Type, or a 400 saying what is wrong with it. */
export function multipartBoundary(contentType: string): string {
  const semicolon = contentType.indexOf(";");
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (type !== "multipart/form-data") {
    throw invalidRequest(
      "This route takes a multipart/form-data body (Content-Type: multipart/form-data; boundary=...).",
      "invalid_content_type",
    );
  }
  const boundary = semicolon === -1 ? undefined : parameters(contentType.slice(semicolon + 1)).get("boundary");
  if (boundary === undefined || boundary === "") {
    throw invalidRequest("The Content-Type multipart/form-data has no boundary parameter.", "missing_boundary");
  }
  if (!BOUNDARY.test(boundary)) {
    throw invalidRequest("The multipart boundary must be 1 to 70 characters of RFC 2046's set, not ending in a space.", "invalid_boundary");
  }
  return boundary;
}

export interface PartHeaders {
  /** The form field's name from `Content-Disposition: form-data; name=...`, if any. */
  name: string | undefined;
  /** The part declares a filename: it is a file, not a text field. */
  isFile: boolean;
}

const headerDecoder = new TextDecoder("utf-8");

/** Parses one part's header block (the bytes between the boundary line and the blank line). */
export function parsePartHeaders(block: Uint8Array): PartHeaders {
  const lines: string[] = [];
  for (const line of headerDecoder.decode(block).split("\r\n")) {
    // Obsolete line folding (RFC 5322): a line starting with white space continues the previous one.
    if ((line.startsWith(" ") || line.startsWith("\t")) && lines.length > 0) lines[lines.length - 1] += ` ${line.trim()}`;
    else lines.push(line);
  }
  let disposition: string | undefined;
  for (const line of lines) {
    if (line === "") continue; // only an empty block has one
    const colon = line.indexOf(":");
    if (colon <= 0 || !TOKEN.test(line.slice(0, colon)))
      throw malformedMultipart(`a part has the header line '${line.slice(0, 60)}'.`, "malformed_part_headers");
    if (line.slice(0, colon).toLowerCase() === "content-disposition" && disposition === undefined)
      disposition = line.slice(colon + 1).trim();
  }
  if (disposition === undefined) return { name: undefined, isFile: false };
  const semicolon = disposition.indexOf(";");
  const kind = (semicolon === -1 ? disposition : disposition.slice(0, semicolon)).trim().toLowerCase();
  const params = parameters(semicolon === -1 ? "" : disposition.slice(semicolon + 1));
  return { name: kind === "form-data" ? params.get("name") : undefined, isFile: params.has("filename") || params.has("filename*") };
}
