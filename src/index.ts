// The Hono app: middleware, route mounting and the single place where errors become responses.
import { Hono } from "hono";
import { requireAdmin, requireUser } from "./auth/middleware.ts";
import type { AppEnv } from "./env.ts";
import { ApiError, internalError, notFound } from "./errors.ts";
import { cors } from "./http/cors.ts";
import { rateLimit } from "./http/rate-limit.ts";
import { requestLog } from "./observability/request-log.ts";
import { adminRoutes } from "./routes/admin.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { openaiRoutes } from "./routes/openai.ts";
import { settingsRoutes } from "./routes/settings.ts";

export { UserState } from "./users/user-state.ts";

const app = new Hono<AppEnv>();

app.use("*", requestLog);
app.use("*", cors);

app.get("/healthz", (c) => c.json({ ok: true }));

app.use("/v1/*", requireUser, rateLimit);
app.use("/api/*", requireUser, rateLimit);
app.use("/admin/*", requireAdmin);

app.route("/v1", openaiRoutes);
app.route("/api", settingsRoutes);
app.route("/api", conversationRoutes);
app.route("/admin", adminRoutes);

app.notFound((c) => notFound(`No route for ${c.req.method} ${new URL(c.req.url).pathname}.`, "route_not_found").toResponse());

app.onError((err, c) => {
  const error = err instanceof ApiError ? err : internalError(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  const log = c.get("log");
  if (log) {
    log.error = error.code;
    if (error.detail) log.detail = error.detail.slice(0, 500);
  }
  return error.toResponse();
});

export default app satisfies ExportedHandler<AppEnv["Bindings"]>;
