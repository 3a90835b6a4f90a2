// A user's saved chats, as the web page writes them: the shape checked at the API boundary (zod), the
// bounds, and how a conversation's JSON is split across rows. Kept in the user's Durable Object (see
// user-state.ts and docs/storage.md); the page keeps a local copy and syncs it with these.
import * as z from "zod";

/** Per user. The 501st new conversation is refused (the page says so); old ones are never dropped silently. */
export const MAX_CONVERSATIONS = 500;
/** Per conversation, as JSON; also the request body limit of the routes that write one. */
export const MAX_CONVERSATION_BYTES = 2 * 1024 * 1024;
/** A Durable Object's SQLite row holds at most 2 MB, so a conversation's JSON is stored in parts of this size. */
export const PART_CHARS = 256 * 1024;
export const MAX_TITLE = 200;

/** Chosen by the page (a random UUID), so a chat made offline keeps its id when it is synced. */
export const ConversationId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8-64 letters, digits, '-' or '_'");

const ToolCall = z.object({
  id: z.string().max(200).optional(),
  type: z.string().max(50).optional(),
  function: z.object({ name: z.string().max(200), arguments: z.string() }),
});

const Message = z.object({
  role: z.enum(["user", "assistant", "error"]),
  content: z.string(),
  reasoning: z.string().optional(),
  tool_calls: z.array(ToolCall).max(100).optional(),
  /** The page's own remark under a reply ("Stopped."). */
  note: z.string().max(500).optional(),
  /** The model that wrote an assistant message, when it differs between turns. */
  model: z.string().max(300).optional(),
});

const Settings = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().max(1_000_000).optional(),
});

/** What PUT /api/conversations/{id} accepts. */
export const ConversationInput = z.strictObject({
  title: z.string().trim().max(MAX_TITLE).optional(),
  /** The composite id the chat talks to. */
  model: z.string().max(300).optional(),
  system: z.string().optional(),
  settings: Settings.optional(),
  messages: z.array(Message).max(20_000),
  /** When the page last changed it (ms since epoch); defaults to now. Lists are ordered by it. */
  updated_at: z.number().int().nonnegative().optional(),
});
export type ConversationInput = z.infer<typeof ConversationInput>;

export const ConversationRename = z.strictObject({ title: z.string().trim().min(1).max(MAX_TITLE) });

/** One row of the list: everything but the messages. */
export const ConversationSummary = z.object({
  id: z.string(),
  title: z.string(),
  model: z.string().nullable(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
  bytes: z.number().int(),
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

export type Conversation = ConversationSummary & Omit<ConversationInput, "title" | "model" | "updated_at">;

/** The stored document: what is not in the summary columns. */
export const ConversationBody = ConversationInput.pick({ system: true, settings: true, messages: true });

/** A title when the page sends none: the first user message, on one line, cut at a word. */
export function titleFrom(messages: ConversationInput["messages"]): string {
  const first = messages
    .find((m) => m.role === "user")
    ?.content.replace(/\s+/g, " ")
    .trim();
  if (!first) return "New chat";
  if (first.length <= 60) return first;
  const cut = first.slice(0, 60);
  const space = cut.lastIndexOf(" ");
  return `${space > 30 ? cut.slice(0, space) : cut}…`;
}

export function splitParts(text: string): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += PART_CHARS) parts.push(text.slice(i, i + PART_CHARS));
  return parts.length ? parts : [""];
}
