// The user's chats: a copy in this browser (localStorage) that always works, kept in step with the
// router's copy (/api/conversations, the user's Durable Object) so the phone and the desktop see the
// same list. Every change is written here first and marked unsynced; sync() sends what is unsynced,
// sends pending deletes, then takes what changed elsewhere. When the router cannot be reached, the page
// goes on from this copy and syncs again later (on `online`, on focus, and on a timer while behind).
//   llama-edge.conversations     the list: [{ id, title, model, updated_at, synced }], newest first
//   llama-edge.conversation.<id> one chat: { id, title, model, system, settings, messages, updated_at }
//   llama-edge.deleted           ids deleted here and not yet deleted on the router
import { STORE, readStore, removeStored, writeStore } from "./dom.js";
import { ApiFailure, call, callJson, state } from "./session.js";

const INDEX = `${STORE}conversations`;
const DELETED = `${STORE}deleted`;
const docKey = (id) => `${STORE}conversation.${id}`;

const listeners = new Set();
/** `handler(reason)` runs after the list changed (here or by a sync), and when sync fails with `{ failure }`. */
export const onConversationsChange = (handler) => listeners.add(handler);
const changed = (detail) => listeners.forEach((handler) => handler(detail));

export const newId = () => crypto.randomUUID();

export const listConversations = () => readStore(INDEX, []);
const writeIndex = (index) =>
  writeStore(
    INDEX,
    index.sort((a, b) => b.updated_at - a.updated_at),
  );

export function loadConversation(id) {
  return readStore(docKey(id), undefined);
}

/** A chat this device has no copy of (listed by a sync, or linked): from the router; undefined when there is none. */
export async function fetchConversation(id) {
  try {
    const full = await callJson(`/api/conversations/${id}`);
    if (!loadConversation(id)) store({ ...full, titled: true }, true);
    return loadConversation(id);
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 404) return undefined;
    throw error;
  }
}

/** A title from the first user message, as the router makes one. */
export function titleOf(messages) {
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

function store(conversation, synced) {
  writeStore(docKey(conversation.id), conversation);
  const index = listConversations().filter((c) => c.id !== conversation.id);
  index.push({ id: conversation.id, title: conversation.title, model: conversation.model, updated_at: conversation.updated_at, synced });
  writeIndex(index);
}

/** Saves a change made on this device; it reaches the router on the next sync (started soon). */
export function saveConversation(conversation) {
  conversation.updated_at = Math.max(Date.now(), (conversation.updated_at ?? 0) + 1);
  if (!conversation.titled) conversation.title = titleOf(conversation.messages);
  store(conversation, false);
  writeStore(
    DELETED,
    readStore(DELETED, []).filter((id) => id !== conversation.id),
  );
  changed("saved");
  scheduleSync();
}

export function renameConversation(id, title) {
  const conversation = loadConversation(id);
  if (!conversation) return;
  conversation.title = title;
  conversation.titled = true;
  saveConversation(conversation);
}

/** Deletes here at once and on the router at the next sync; returns the copy, for undo. */
export function deleteConversation(id) {
  const copy = loadConversation(id);
  removeStored(docKey(id));
  writeIndex(listConversations().filter((c) => c.id !== id));
  writeStore(DELETED, [...readStore(DELETED, []).filter((d) => d !== id), id]);
  changed("deleted");
  scheduleSync();
  return copy;
}

/** Undo of a delete: the same chat comes back, on every device. */
export function restoreConversation(copy) {
  saveConversation(copy);
}

const body = (c) => ({
  title: c.title,
  ...(c.model ? { model: c.model } : {}),
  ...(c.system ? { system: c.system } : {}),
  ...(c.settings && Object.keys(c.settings).length ? { settings: c.settings } : {}),
  messages: c.messages,
  updated_at: c.updated_at,
});

let syncing;
let timer = 0;
let behind = false;

function scheduleSync(delay = 300) {
  clearTimeout(timer);
  timer = setTimeout(() => void sync(), delay);
}

/** One round with the router; runs one at a time. Resolves true when everything is in step. */
export function sync() {
  syncing ??= run().finally(() => (syncing = undefined));
  return syncing;
}

async function run() {
  if (!state.key) return false;
  const refused = [];
  try {
    for (const id of readStore(DELETED, [])) {
      try {
        await call(`/api/conversations/${id}`, { method: "DELETE" });
      } catch (error) {
        if (!(error instanceof ApiFailure && error.status === 404)) throw error;
      }
      writeStore(
        DELETED,
        readStore(DELETED, []).filter((d) => d !== id),
      );
    }
    for (const entry of listConversations().filter((c) => !c.synced)) {
      const conversation = loadConversation(entry.id);
      if (!conversation) continue;
      try {
        await call(`/api/conversations/${entry.id}`, { method: "PUT", body: body(conversation) });
      } catch (error) {
        // The router refuses this one (too large, too many chats): the others still sync, and this one
        // stays here, unsynced, with the reason shown.
        const permanent =
          error instanceof ApiFailure && error.status >= 400 && error.status < 500 && error.status !== 429 && !error.keyRefused;
        if (!permanent) throw error;
        refused.push(error);
        continue;
      }
      // Changed again while it was being sent: it stays unsynced for the next round.
      if (loadConversation(entry.id)?.updated_at === conversation.updated_at) store(conversation, true);
    }
    const remote = (await callJson("/api/conversations")).data;
    const local = new Map(listConversations().map((c) => [c.id, c]));
    const remoteIds = new Set(remote.map((c) => c.id));
    // The most recent changes are fetched whole, so they open offline too; older ones only join the
    // list and are fetched when opened (a new device with 500 chats must not spend the rate limit).
    let budget = 20;
    for (const summary of remote) {
      const mine = local.get(summary.id);
      if (mine && (!mine.synced || mine.updated_at >= summary.updated_at)) continue;
      if (budget-- > 0) {
        const full = await callJson(`/api/conversations/${summary.id}`);
        if (!listConversations().find((c) => c.id === summary.id && !c.synced)) store({ ...full, titled: true }, true);
      } else {
        removeStored(docKey(summary.id));
        const index = listConversations().filter((c) => c.id !== summary.id);
        index.push({ id: summary.id, title: summary.title, model: summary.model, updated_at: summary.updated_at, synced: true });
        writeIndex(index);
      }
    }
    // Synced before and gone from the router: deleted on another device.
    for (const mine of local.values()) {
      if (mine.synced && !remoteIds.has(mine.id)) {
        removeStored(docKey(mine.id));
        writeIndex(listConversations().filter((c) => c.id !== mine.id));
      }
    }
    behind = refused.length > 0;
    changed(refused.length ? { failure: refused[0] } : "synced");
    return !refused.length;
  } catch (error) {
    behind = true;
    changed({ failure: error });
    if (!(error instanceof ApiFailure && error.keyRefused)) scheduleSync(15_000);
    return false;
  }
}

export const isBehind = () => behind;

window.addEventListener("online", () => scheduleSync(0));
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") scheduleSync(0);
});

/** Chats kept by the page before conversations existed (one per model, `llama-edge.chat.<model id>`) become conversations. */
export function adoptOldChats() {
  const prefix = `${STORE}chat.`;
  let names = [];
  try {
    names = Object.keys(localStorage).filter((name) => name.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    const messages = readStore(name, []);
    if (Array.isArray(messages) && messages.length) {
      const clean = messages.filter((m) => ["user", "assistant", "error"].includes(m?.role) && typeof m.content === "string");
      saveConversation({ id: newId(), model: name.slice(prefix.length), messages: clean, settings: {} });
    }
    removeStored(name);
  }
}
