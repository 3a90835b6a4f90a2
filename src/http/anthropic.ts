// Anthropic's wire shapes, for clients of `/v1/messages*` (Claude Code, the Anthropic SDKs). Pure
// functions over the router's own types: the routes choose when to use them, the errors stay ApiError
// until they are rendered. Shapes from Anthropic's API reference ("Errors", "Models").
import type { CatalogModel } from "../catalog/types.ts";
import type { ApiError } from "../errors.ts";

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "timeout_error"
  | "overloaded_error";

export interface AnthropicErrorBody {
  type: "error";
  error: { type: AnthropicErrorType; message: string };
  request_id?: string;
}

/**
 * Anthropic's SDKs pick their exception class by status, and read `error.type` for the rest: the
 * status decides, as in Anthropic's own table. 503 becomes `overloaded_error` (Anthropic says 529),
 * since "the host is busy or loading" is what a 503 from the router means; 504 is `timeout_error`
 * (the SDKs' GatewayTimeoutError); other 4xx are `invalid_request_error`, other 5xx `api_error`.
 */
export function anthropicErrorType(status: number): AnthropicErrorType {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 504:
      return "timeout_error";
    case 503:
    case 529:
      return "overloaded_error";
  }
  return status < 500 ? "invalid_request_error" : "api_error";
}

export function anthropicErrorBody(error: ApiError, requestId?: string): AnthropicErrorBody {
  const body: AnthropicErrorBody = { type: "error", error: { type: anthropicErrorType(error.status), message: error.message } };
  if (requestId) body.request_id = requestId;
  return body;
}

const encoder = new TextEncoder();

/** The event that ends a broken Anthropic stream (never a fake `message_stop`). */
export function anthropicErrorEvent(error: ApiError, requestId?: string): Uint8Array {
  return encoder.encode(`event: error\ndata: ${JSON.stringify(anthropicErrorBody(error, requestId))}\n\n`);
}

export interface AnthropicModel {
  type: "model";
  id: string;
  display_name: string;
  /** RFC 3339. */
  created_at: string;
}

export interface AnthropicModelList {
  data: AnthropicModel[];
  has_more: false;
  first_id: string | null;
  last_id: string | null;
}

/** One model in Anthropic's shape (`GET /v1/models/{id}`, and each entry of the list). */
export function anthropicModel(m: CatalogModel): AnthropicModel {
  return {
    type: "model",
    id: m.id,
    display_name: `${m.name} (${m.provider.label})`,
    created_at: new Date(m.created * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
}

/** `GET /v1/models` in Anthropic's shape: one page holding every model (the catalog is small). */
export function anthropicModelList(models: readonly CatalogModel[]): AnthropicModelList {
  const data = models.map(anthropicModel);
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

/** Anthropic clients always send `anthropic-version`; OpenAI clients never do. */
export function wantsAnthropic(headers: Headers): boolean {
  return headers.has("anthropic-version");
}
