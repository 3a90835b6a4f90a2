// POST /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/responses.
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";

export const inferenceRoutes = new Hono<AppEnv>();
