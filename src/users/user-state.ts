// One SQLite-backed Durable Object per user: that user's favorite models and model-context cache.
// Addressed by the user id from the API-key record (see users/stub.ts), never by anything a client
// sends. Typed RPC methods, no HTTP inside; rows are checked with zod on the way out.
import { DurableObject } from "cloudflare:workers";
import * as z from "zod";
import type { Env } from "../env.ts";
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
      ids.forEach((id, position) => sql.exec("INSERT INTO favorites (composite_id, position, added_at) VALUES (?, ?, ?)", id, position, added.get(id) ?? now));
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
      e.composite_id, e.context_length, e.slots, e.source, e.fetched_at,
    );
  }
}
