// Reads a small JSON request body and checks it against a zod schema: every failure is a 400 in
// OpenAI's shape naming the field, so handlers only ever see valid input.
import type { Context } from "hono";
import type { z } from "zod";
import { invalidRequest } from "../errors.ts";
import { describeIssues } from "../registry/schema.ts";

export async function readJsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let json: unknown;
  try {
    json = JSON.parse(await c.req.text());
  } catch {
    throw invalidRequest("The request body is not valid JSON.", "invalid_json");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error);
    const first = parsed.error.issues[0]?.path[0];
    throw invalidRequest(`Invalid request body: ${problems.join("; ")}`, "invalid_body", typeof first === "string" ? first : null);
  }
  return parsed.data;
}
