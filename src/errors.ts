// One error type for every expected failure. It is rendered only by `app.onError`, in OpenAI's shape:
// {"error":{"message","type","param","code"}}. `detail` is private: it goes to the log line, never to
// the client, so an upstream body or a stack can be kept for operators without reaching users.

export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "server_error"
  | "api_error";

export interface ApiErrorInit {
  status: number;
  message: string;
  type: ErrorType;
  code: string;
  param?: string | null;
  headers?: Record<string, string>;
  detail?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly detail: string | undefined;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.name = "ApiError";
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param ?? null;
    this.headers = init.headers ?? {};
    this.detail = init.detail;
  }

  toBody(): { error: { message: string; type: ErrorType; param: string | null; code: string } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  /** Anthropic's shape, for the Messages routes: `{"type":"error","error":{"type","message"}}`. */
  toAnthropicBody(): { type: "error"; error: { type: string; message: string } } {
    return { type: "error", error: { type: anthropicType(this.status), message: this.message } };
  }

  toResponse(extraHeaders?: Record<string, string>, dialect: "openai" | "anthropic" = "openai"): Response {
    // The same request would be refused again: SDKs and agents that read x-should-retry stop at once.
    // Claude Code (2.1) retried a bare 401 with backoff (8 tries in 90 s, printing nothing under
    // `claude -p`) and an unknown provider's 400 six times. 408, 409 and 429 stay retryable.
    const final = this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 409 && this.status !== 429;
    return new Response(JSON.stringify(dialect === "anthropic" ? this.toAnthropicBody() : this.toBody()), {
      status: this.status,
      headers: {
        "content-type": "application/json; charset=utf-8",
        ...(final ? { "x-should-retry": "false" } : {}),
        ...this.headers,
        ...extraHeaders,
      },
    });
  }
}

/** Anthropic's error types (https://docs.anthropic.com/en/api/errors), by status first, as its SDKs read them. */
function anthropicType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 503 || status === 529) return "overloaded_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

// Constructors for the errors every layer raises, so status, type and code stay consistent.

export const invalidRequest = (message: string, code: string, param: string | null = null): ApiError =>
  new ApiError({ status: 400, type: "invalid_request_error", message, code, param });

export const notFound = (message: string, code = "not_found", param: string | null = null): ApiError =>
  new ApiError({ status: 404, type: "invalid_request_error", message, code, param });

export const modelNotFound = (compositeId: string): ApiError =>
  new ApiError({
    status: 404,
    type: "invalid_request_error",
    code: "model_not_found",
    param: "model",
    message: `The model '${compositeId}' does not exist or you do not have access to it.`,
  });

export const unauthorized = (): ApiError =>
  new ApiError({
    status: 401,
    type: "authentication_error",
    code: "invalid_api_key",
    message: "Missing or invalid API key. Send it as 'Authorization: Bearer <key>'.",
  });

export const configError = (message: string, detail?: string): ApiError =>
  new ApiError({ status: 500, type: "server_error", code: "configuration_error", message, detail });

export const internalError = (detail?: string): ApiError =>
  new ApiError({
    status: 500,
    type: "server_error",
    code: "internal_error",
    message: "The router failed to handle this request. The request id identifies it in the logs.",
    detail,
  });
