// Placeholder: the per-user Durable Object (favorites, model-context cache) is built in its own issue.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";

export class UserState extends DurableObject<Env> {}
