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

  toResponse(extraHeaders?: Record<string, string>): Response {
    return new Response(JSON.stringify(this.toBody()), {
      status: this.status,
      headers: { "content-type": "application/json; charset=utf-8", ...this.headers, ...extraHeaders },
    });
  }
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
