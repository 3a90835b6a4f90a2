// Anthropic's wire shapes for /v1/messages clients: errors by status, the stream's error event, and
// the model list (test/e2e/anthropic-sdk.test.ts reads them with Anthropic's own SDK).
import { describe, expect, it } from "vitest";
import type { CatalogModel } from "../../src/catalog/types.ts";
import { ApiError, invalidRequest, modelNotFound, unauthorized } from "../../src/errors.ts";
import { anthropicErrorBody, anthropicErrorEvent, anthropicModelList, wantsAnthropic } from "../../src/http/anthropic.ts";

const error = (status: number, type: ApiError["type"] = "api_error") =>
  new ApiError({ status, type, code: "x", message: `status ${status}` });

describe("anthropicErrorBody", () => {
  it("maps every status the router answers to Anthropic's error type", () => {
    const table: [number, string][] = [
      [400, "invalid_request_error"],
      [401, "authentication_error"],
      [403, "permission_error"],
      [404, "not_found_error"],
      [405, "invalid_request_error"],
      [409, "invalid_request_error"],
      [413, "request_too_large"],
      [422, "invalid_request_error"],
      [429, "rate_limit_error"],
      [500, "api_error"],
      [502, "api_error"],
      [503, "overloaded_error"],
      [504, "timeout_error"],
      [529, "overloaded_error"],
    ];
    for (const [status, type] of table) expect([status, anthropicErrorBody(error(status)).error.type]).toEqual([status, type]);
  });

  it("has exactly Anthropic's envelope: type, error {type, message}, and the request id when given", () => {
    expect(anthropicErrorBody(unauthorized())).toEqual({
      type: "error",
      error: { type: "authentication_error", message: "Missing or invalid API key. Send it as 'Authorization: Bearer <key>'." },
    });
    const body = anthropicErrorBody(modelNotFound("sam/nope"), "rid-1");
    expect(body).toEqual({
      type: "error",
      error: { type: "not_found_error", message: "The model 'sam/nope' does not exist or you do not have access to it." },
      request_id: "rid-1",
    });
    expect(JSON.stringify(body)).not.toContain("model_not_found"); // OpenAI's fields stay out
  });

  it("never shows the private detail", () => {
    const withDetail = new ApiError({
      status: 502,
      type: "api_error",
      code: "provider_error",
      message: "The provider failed.",
      detail: "stack: secret-ish",
    });
    expect(JSON.stringify(anthropicErrorBody(withDetail))).not.toContain("secret-ish");
  });
});

describe("anthropicErrorEvent", () => {
  it("is one SSE event named error whose data is the error body", () => {
    const text = new TextDecoder().decode(anthropicErrorEvent(invalidRequest("bad", "invalid_body")));
    expect(text).toBe(`event: error\ndata: {"type":"error","error":{"type":"invalid_request_error","message":"bad"}}\n\n`);
  });
});

const model = (id: string, label: string, created = 0): CatalogModel => ({
  id,
  object: "model",
  created,
  owned_by: id.split("/")[0]!,
  name: id.slice(id.indexOf("/") + 1),
  provider: { id: id.split("/")[0]!, label },
  status: "loaded",
});

describe("anthropicModelList", () => {
  it("lists composite ids in Anthropic's page shape, first and last ids included", () => {
    const list = anthropicModelList([model("sam/qwen3-32b", "Sam", 1_750_000_000), model("garage/Qwen/Qwen3-8B-GGUF", "Garage")]);
    expect(list).toEqual({
      data: [
        { type: "model", id: "sam/qwen3-32b", display_name: "qwen3-32b (Sam)", created_at: "2025-06-15T15:06:40Z" },
        { type: "model", id: "garage/Qwen/Qwen3-8B-GGUF", display_name: "Qwen/Qwen3-8B-GGUF (Garage)", created_at: "1970-01-01T00:00:00Z" },
      ],
      has_more: false,
      first_id: "sam/qwen3-32b",
      last_id: "garage/Qwen/Qwen3-8B-GGUF",
    });
  });

  it("an empty catalog is an empty page with null ids", () => {
    expect(anthropicModelList([])).toEqual({ data: [], has_more: false, first_id: null, last_id: null });
  });
});

describe("wantsAnthropic", () => {
  it("is true exactly when anthropic-version is sent", () => {
    expect(wantsAnthropic(new Headers({ "anthropic-version": "2023-06-01" }))).toBe(true);
    expect(wantsAnthropic(new Headers({ authorization: "Bearer x", "x-api-key": "k" }))).toBe(false);
  });
});
