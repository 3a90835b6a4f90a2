// The list of chats: a sidebar beside everything on a desktop, a drawer on a phone. Newest first, each
// with its title, model and when it last changed; rename in place, delete with Undo. The list is this
// device's copy (conversations.js), re-drawn whenever it or a sync changes it.
import { $, el, showNotice } from "./dom.js";
import {
  deleteConversation,
  isBehind,
  listConversations,
  onConversationsChange,
  renameConversation,
  restoreConversation,
} from "./conversations.js";
import { ApiFailure, handleFailure, state } from "./session.js";

const when = (ms) => {
  const date = new Date(ms);
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleDateString([], { month: "short", day: "numeric" });
};

function row(entry) {
  const open = state.conversation?.id === entry.id;
  return el(
    "li",
    { class: `conversation${open ? " open" : ""}`, "data-id": entry.id },
    el(
      "a",
      { href: `#/c/${entry.id}`, class: "open-conversation", "aria-current": open ? "page" : undefined, onclick: closeDrawer },
      el("span", { class: "title" }, entry.title),
      el(
        "span",
        { class: "meta" },
        [entry.model, when(entry.updated_at), entry.synced ? undefined : "not synced yet"].filter(Boolean).join(" · "),
      ),
    ),
    el(
      "button",
      { type: "button", class: "quiet rename", "aria-label": `Rename ${entry.title}`, onclick: () => startRename(entry.id) },
      "✎",
    ),
    el("button", { type: "button", class: "quiet delete", "aria-label": `Delete ${entry.title}`, onclick: () => remove(entry) }, "✕"),
  );
}

/** The title box of a rename in progress: the list is not redrawn under it (a sync landing mid-edit would drop it). */
let renaming = null;

export function renderConversations() {
  if (renaming && $("conversations").contains(renaming)) return;
  renaming = null;
  const entries = listConversations();
  $("conversations").replaceChildren(...entries.map(row));
  $("conversations-empty").hidden = entries.length > 0;
  $("sync-state").textContent = isBehind() ? "offline copy" : "";
}

function startRename(id) {
  const item = $("conversations").querySelector(`li[data-id="${CSS.escape(id)}"]`);
  const entry = listConversations().find((c) => c.id === id);
  if (!item || !entry) return;
  openDrawer();
  const input = el("input", { class: "rename-box", "aria-label": "Chat title", maxlength: "200" });
  input.value = entry.title;
  let finished = false;
  const finish = (save) => {
    if (finished) return;
    finished = true;
    renaming = null;
    const title = input.value.trim();
    if (save && title && title !== entry.title) renameConversation(id, title);
    else renderConversations();
    if (state.conversation?.id === id && save && title) {
      state.conversation.title = title;
      state.conversation.titled = true;
      document.dispatchEvent(new CustomEvent("conversation-renamed"));
    }
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") finish(true);
    else if (event.key === "Escape") finish(false);
  });
  input.addEventListener("blur", () => finish(true));
  item.replaceChildren(input);
  renaming = input;
  input.select();
}

function remove(entry) {
  const wasOpen = state.conversation?.id === entry.id;
  if (wasOpen && state.reply) return;
  const copy = deleteConversation(entry.id);
  if (wasOpen) location.hash = "#/";
  showNotice(`Deleted “${entry.title}”.`, {
    label: "Undo",
    run: () => {
      if (!copy) return;
      restoreConversation(copy);
      if (wasOpen) location.hash = `#/c/${copy.id}`;
    },
  });
}

export function openDrawer() {
  $("workspace").classList.add("drawer-open");
  $("drawer-backdrop").hidden = false;
}

export function closeDrawer() {
  $("workspace").classList.remove("drawer-open");
  $("drawer-backdrop").hidden = true;
}

export function wireSidebar() {
  onConversationsChange((detail) => {
    renderConversations();
    // A chat the router refuses to keep (too large, too many) is worth saying; an offline router is not.
    if (detail?.failure instanceof ApiFailure && detail.failure.status >= 400 && detail.failure.status < 500)
      handleFailure(detail.failure, "Could not save a chat on the router");
  });
  for (const button of document.querySelectorAll(".open-drawer")) button.addEventListener("click", openDrawer);
  $("drawer-close").addEventListener("click", closeDrawer);
  $("drawer-backdrop").addEventListener("click", closeDrawer);
  document.addEventListener("rename-conversation", (event) => startRename(event.detail));
  document.addEventListener("conversation-shown", renderConversations);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && $("workspace").classList.contains("drawer-open")) closeDrawer();
  });
}
