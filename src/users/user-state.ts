// One SQLite-backed Durable Object per user: that user's favorite models, model-context cache and chats.
// Addressed by the user id from the API-key record (see users/stub.ts), never by anything a client
// sends. Typed RPC methods, no HTTP inside; rows are checked with zod on the way out.
import { DurableObject } from "cloudflare:workers";
import * as z from "zod";
import type { Env } from "../env.ts";
import {
  ConversationBody,
  type Conversation,
  type ConversationInput,
  ConversationSummary,
  MAX_CONVERSATION_BYTES,
  MAX_CONVERSATIONS,
  splitParts,
  titleFrom,
} from "./conversations.ts";
import { migrate } from "./migrations.ts";

export const ContextSource = z.enum(["catalog", "props"]);

const FavoriteRow = z.object({ composite_id: z.string() });
const ContextRow = z.object({
  composite_id: z.string(),
  context_length: z.number().int().positive(),
  slots: z.number().int().positive().nullable(),
  source: ContextSource,
  fetched_at: z.number().int(),
});
export type ContextEntry = z.infer<typeof ContextRow>;

export class UserState extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Schema first, before any call is served: a half-migrated table is never visible.
    ctx.blockConcurrencyWhile(async () => migrate(ctx.storage.sql));
  }

  /** The favorites in the user's order. */
  getFavorites(): string[] {
    const rows = this.ctx.storage.sql.exec("SELECT composite_id FROM favorites ORDER BY position").toArray();
    return rows.map((row) => FavoriteRow.parse(row).composite_id);
  }

  /** Replaces the list (already normalized by the caller); an id kept from before keeps its added_at. */
  setFavorites(ids: string[], now = Date.now()): string[] {
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      const added = new Map<string, number>();
      for (const row of sql.exec("SELECT composite_id, added_at FROM favorites")) added.set(String(row.composite_id), Number(row.added_at));
      sql.exec("DELETE FROM favorites");
      ids.forEach((id, position) =>
        sql.exec("INSERT INTO favorites (composite_id, position, added_at) VALUES (?, ?, ?)", id, position, added.get(id) ?? now),
      );
    });
    return this.getFavorites();
  }

  /** A cached context, keyed by the FULL composite id; undefined when absent or older than maxAgeMs. */
  getContext(compositeId: string, maxAgeMs: number, now = Date.now()): ContextEntry | undefined {
    const row = this.ctx.storage.sql.exec("SELECT * FROM model_context WHERE composite_id = ?", compositeId).toArray()[0];
    if (!row) return undefined;
    const entry = ContextRow.safeParse(row);
    if (!entry.success || now - entry.data.fetched_at > maxAgeMs) return undefined;
    return entry.data;
  }

  putContext(entry: ContextEntry): void {
    const e = ContextRow.parse(entry);
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO model_context (composite_id, context_length, slots, source, fetched_at) VALUES (?, ?, ?, ?, ?)",
      e.composite_id,
      e.context_length,
      e.slots,
      e.source,
      e.fetched_at,
    );
  }

  /** Fresh cached context lengths for those of `ids` that have one (for the picker). */
  getContexts(ids: string[], maxAgeMs: number, now = Date.now()): Record<string, number> {
    const out: Record<string, number> = {};
    if (!ids.length) return out;
    const wanted = new Set(ids);
    for (const row of this.ctx.storage.sql.exec("SELECT * FROM model_context WHERE fetched_at >= ?", now - maxAgeMs)) {
      const entry = ContextRow.safeParse(row);
      if (entry.success && wanted.has(entry.data.composite_id)) out[entry.data.composite_id] = entry.data.context_length;
    }
    return out;
  }

  /** The saved chats, most recently changed first, without their messages. */
  listConversations(): ConversationSummary[] {
    const rows = this.ctx.storage.sql
      .exec("SELECT id, title, model, created_at, updated_at, bytes FROM conversations ORDER BY updated_at DESC, id")
      .toArray();
    return rows.map((row) => ConversationSummary.parse(row));
  }

  getConversation(id: string): Conversation | undefined {
    const sql = this.ctx.storage.sql;
    const row = sql.exec("SELECT id, title, model, created_at, updated_at, bytes FROM conversations WHERE id = ?", id).toArray()[0];
    if (!row) return undefined;
    const text = sql
      .exec("SELECT data FROM conversation_parts WHERE conversation_id = ? ORDER BY seq", id)
      .toArray()
      .map((r) => String(r.data))
      .join("");
    return { ...ConversationSummary.parse(row), ...ConversationBody.parse(JSON.parse(text)) };
  }

  /**
   * Creates or replaces one chat (input already checked by the route). Refuses, changing nothing, a new
   * chat past MAX_CONVERSATIONS or a document past MAX_CONVERSATION_BYTES.
   */
  putConversation(
    id: string,
    input: ConversationInput,
    now = Date.now(),
  ): { summary: ConversationSummary; created: boolean } | { refused: "too_many" | "too_large"; bytes?: number } {
    const sql = this.ctx.storage.sql;
    const body = JSON.stringify({ system: input.system, settings: input.settings, messages: input.messages });
    const bytes = new TextEncoder().encode(body).length;
    if (bytes > MAX_CONVERSATION_BYTES) return { refused: "too_large", bytes };
    const existing = sql.exec("SELECT created_at FROM conversations WHERE id = ?", id).toArray()[0];
    if (!existing && Number(sql.exec("SELECT COUNT(*) AS n FROM conversations").one().n) >= MAX_CONVERSATIONS)
      return { refused: "too_many" };
    const title = input.title || titleFrom(input.messages);
    const createdAt = existing ? Number(existing.created_at) : now;
    this.ctx.storage.transactionSync(() => {
      sql.exec(
        "INSERT OR REPLACE INTO conversations (id, title, model, created_at, updated_at, bytes) VALUES (?, ?, ?, ?, ?, ?)",
        id,
        title,
        input.model ?? null,
        createdAt,
        input.updated_at ?? now,
        bytes,
      );
      sql.exec("DELETE FROM conversation_parts WHERE conversation_id = ?", id);
      splitParts(body).forEach((part, seq) =>
        sql.exec("INSERT INTO conversation_parts (conversation_id, seq, data) VALUES (?, ?, ?)", id, seq, part),
      );
    });
    return { summary: this.summary(id)!, created: !existing };
  }

  renameConversation(id: string, title: string, now = Date.now()): ConversationSummary | undefined {
    this.ctx.storage.sql.exec("UPDATE conversations SET title = ?, updated_at = ? WHERE id = ?", title, now, id);
    return this.summary(id);
  }

  /** True when there was such a chat. */
  deleteConversation(id: string): boolean {
    const sql = this.ctx.storage.sql;
    const found = sql.exec("SELECT 1 FROM conversations WHERE id = ?", id).toArray().length > 0;
    this.ctx.storage.transactionSync(() => {
      sql.exec("DELETE FROM conversations WHERE id = ?", id);
      sql.exec("DELETE FROM conversation_parts WHERE conversation_id = ?", id);
    });
    return found;
  }

  private summary(id: string): ConversationSummary | undefined {
    const row = this.ctx.storage.sql
      .exec("SELECT id, title, model, created_at, updated_at, bytes FROM conversations WHERE id = ?", id)
      .toArray()[0];
    return row ? ConversationSummary.parse(row) : undefined;
  }
}
