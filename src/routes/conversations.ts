// Saved chats under /api/conversations (requireUser and rateLimit are applied by the app for /api/*).
// The caller's Durable Object holds them; the page picks the ids (so a chat made offline syncs under
// its own id), and every write is checked with zod here before it reaches the object.
//   GET    /api/conversations          the list, newest first: { data: [summary] }
//   GET    /api/conversations/{id}     one chat with its messages
//   PUT    /api/conversations/{id}     create (201) or replace (200) one chat; answers its summary
//   PATCH  /api/conversations/{id}     rename: { "title": "..." }
//   DELETE /api/conversations/{id}     204; 404 when there was none
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env.ts";
import { ApiError, notFound } from "../errors.ts";
import { readJsonBody } from "../http/json-body.ts";
import {
  ConversationId,
  ConversationInput,
  ConversationRename,
  MAX_CONVERSATION_BYTES,
  MAX_CONVERSATIONS,
} from "../users/conversations.ts";
import { userState } from "../users/stub.ts";

export const conversationRoutes = new Hono<AppEnv>();

const MIB = (MAX_CONVERSATION_BYTES / 1024 / 1024).toFixed(0);
const tooLarge = () =>
  new ApiError({
    status: 413,
    type: "invalid_request_error",
    code: "conversation_too_large",
    message: `A conversation may hold at most ${MIB} MiB. Start a new chat, or delete long replies from this one.`,
  });

// The limit is checked on Content-Length before the body is read; the envelope (title, model,
// settings) gets a little room over the stored document's own limit, which the object checks exactly.
const limitBody = bodyLimit({ maxSize: MAX_CONVERSATION_BYTES + 16 * 1024, onError: () => tooLarge().toResponse() });

function conversationId(c: Context<AppEnv>): string {
  const id = ConversationId.safeParse(c.req.param("id"));
  if (!id.success) throw notFound("No conversation has that id: ids are 8-64 letters, digits, '-' or '_'.", "conversation_not_found", "id");
  return id.data;
}

const missing = (id: string) => notFound(`No conversation '${id}'.`, "conversation_not_found", "id");

conversationRoutes.get("/conversations", async (c) => c.json({ object: "list", data: await userState(c).listConversations() }));

conversationRoutes.get("/conversations/:id", async (c) => {
  const id = conversationId(c);
  const found = await userState(c).getConversation(id);
  if (!found) throw missing(id);
  return c.json(found);
});

conversationRoutes.put("/conversations/:id", limitBody, async (c) => {
  const id = conversationId(c);
  const input = await readJsonBody(c, ConversationInput);
  const result = await userState(c).putConversation(id, input);
  if ("refused" in result) {
    if (result.refused === "too_large") throw tooLarge();
    throw new ApiError({
      status: 409,
      type: "invalid_request_error",
      code: "too_many_conversations",
      message: `You have ${MAX_CONVERSATIONS} saved conversations, the most there can be. Delete some to save new ones.`,
    });
  }
  return c.json(result.summary, result.created ? 201 : 200);
});

conversationRoutes.patch("/conversations/:id", limitBody, async (c) => {
  const id = conversationId(c);
  const { title } = await readJsonBody(c, ConversationRename);
  const summary = await userState(c).renameConversation(id, title);
  if (!summary) throw missing(id);
  return c.json(summary);
});

conversationRoutes.delete("/conversations/:id", async (c) => {
  const id = conversationId(c);
  if (!(await userState(c).deleteConversation(id))) throw missing(id);
  return c.body(null, 204);
});
