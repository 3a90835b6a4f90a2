// The user Durable Object's schema, as numbered migrations applied in order. `schema_version` holds
// the last one applied, so a new deployment adds a step here and existing objects catch up on their
// next start. Documented in docs/storage.md.

const MIGRATIONS: readonly string[][] = [
  [
    `CREATE TABLE favorites (
       composite_id TEXT PRIMARY KEY,
       position INTEGER NOT NULL,
       added_at INTEGER NOT NULL
     )`,
    `CREATE TABLE model_context (
       composite_id TEXT PRIMARY KEY,
       context_length INTEGER NOT NULL,
       slots INTEGER,
       source TEXT NOT NULL,
       fetched_at INTEGER NOT NULL
     )`,
  ],
  // 2: saved chats (users/conversations.ts). The JSON of a conversation is split over parts because a
  // row holds at most 2 MB and a conversation may be 2 MiB.
  [
    `CREATE TABLE conversations (
       id TEXT PRIMARY KEY,
       title TEXT NOT NULL,
       model TEXT,
       created_at INTEGER NOT NULL,
       updated_at INTEGER NOT NULL,
       bytes INTEGER NOT NULL
     )`,
    `CREATE INDEX conversations_by_update ON conversations (updated_at DESC)`,
    `CREATE TABLE conversation_parts (
       conversation_id TEXT NOT NULL,
       seq INTEGER NOT NULL,
       data TEXT NOT NULL,
       PRIMARY KEY (conversation_id, seq)
     )`,
  ],
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(sql: SqlStorage): void {
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const current = Number(sql.exec("SELECT MAX(version) AS v FROM schema_version").one().v ?? 0);
  for (let version = current; version < MIGRATIONS.length; version++) {
    for (const statement of MIGRATIONS[version] ?? []) sql.exec(statement);
    sql.exec("INSERT INTO schema_version (version) VALUES (?)", version + 1);
  }
}
