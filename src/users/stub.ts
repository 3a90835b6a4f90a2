// The caller's own Durable Object, from the user id of their verified API key, never from input.
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";

export function userState(c: Context<AppEnv>) {
  return c.env.USER_STATE.get(c.env.USER_STATE.idFromName(c.get("user").userId));
}
