// The Hono app: middleware, route mounting and the single place where errors become responses.
import { Hono } from "hono";
import { requireAdmin, requireUser } from "./auth/middleware.ts";
import type { AppEnv } from "./env.ts";
import { ApiError, internalError, notFound } from "./errors.ts";
import { BODY_LIMITS, limitBody } from "./http/body-limit.ts";
import { cors } from "./http/cors.ts";
import { dialect } from "./http/dialect.ts";
import { rateLimit } from "./http/rate-limit.ts";
import { requestLog } from "./observability/request-log.ts";
import { adminRoutes } from "./routes/admin.ts";
import { inferenceRoutes } from "./routes/inference.ts";
import { modelRoutes } from "./routes/models.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { settingsRoutes } from "./routes/settings.ts";
import { HostError, toApiError } from "./upstream/failure.ts";

export { UserState } from "./users/user-state.ts";

const app = new Hono<AppEnv>();

app.use("*", requestLog);
app.use("*", cors);
app.use("*", dialect);

app.get("/healthz", (c) => c.json({ ok: true }));

app.use("/v1/*", requireUser, rateLimit);
app.use("/api/*", requireUser, rateLimit);
app.use("/admin/*", requireAdmin, limitBody(BODY_LIMITS.admin));

app.route("/", inferenceRoutes);
app.route("/v1", modelRoutes);
app.route("/api", settingsRoutes);
app.route("/api", conversationRoutes);
app.route("/admin", adminRoutes);

app.notFound((c) => notFound(`No route for ${c.req.method} ${new URL(c.req.url).pathname}.`, "route_not_found").toResponse());

// Every failure becomes what the client sees here and only here: the router's own errors as they are,
// host failures through their one mapping (upstream/failure.ts), anything else as an internal error
// whose detail stays in the log.
app.onError((err, c) => {
  const error =
    err instanceof ApiError
      ? err
      : err instanceof HostError
        ? toApiError(err.failure)
        : internalError(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  const log = c.get("log");
  if (log) {
    log.error = error.code;
    if (error.detail) log.detail = error.detail.slice(0, 500);
  }
  return error.toResponse(undefined, c.get("dialect") ?? "openai");
});

export default app satisfies ExportedHandler<AppEnv["Bindings"]>;
