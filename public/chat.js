// The chat pane: one conversation with one model. A new chat (`#/chat/<model id>`) lives only on
// screen until its first message; from then it is saved (conversations.js) and its address is
// `#/c/<conversation id>`. Stop aborts the request, which makes the router hang up on the host and so
// ends the generation there. Regenerate, Retry and Edit rewind the conversation to a user message and
// ask again; nothing else is ever removed from it.
import { $, chatShown, el, showView } from "./dom.js";
import { fetchConversation, loadConversation, newId, onConversationsChange, saveConversation } from "./conversations.js";
import { ask, readSettings } from "./ask.js";
import { messageItem } from "./messages.js";
import { contextText, findModel, loadPicker } from "./picker.js";
import { handleFailure, state } from "./session.js";

/** The model record for an id: the picker's (with its provider), else a placeholder naming the id. */
export function modelFor(id) {
  return (
    findModel(id) ?? { id, name: id, provider: { id: undefined, label: "a host not listed right now" }, status: undefined, chat: true }
  );
}

async function ensurePicker() {
  if (state.providers) return true;
  try {
    await loadPicker();
  } catch (error) {
    // The chat works without the picker's details (name, status, context): say so and go on.
    if (handleFailure(error, "Could not load the model's details")) return false;
  }
  return true;
}

/** `#/chat/<model id>`: a new, empty chat with that model. */
export async function startChat(modelId) {
  showView("chat");
  stopReply();
  if (!(await ensurePicker())) return;
  show({ id: newId(), model: modelId, title: "New chat", messages: [], settings: {}, draft: true });
}

/** `#/c/<id>`: a saved chat, from this device's copy or else from the router. */
export async function openConversation(id) {
  showView("chat");
  if (state.conversation?.id !== id) stopReply();
  if (!(await ensurePicker())) return;
  let conversation = loadConversation(id);
  if (!conversation) {
    try {
      conversation = await fetchConversation(id);
    } catch (error) {
      if (handleFailure(error, "Could not open this chat")) return;
    }
  }
  if (!conversation) {
    history.replaceState(null, "", "#/");
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    return;
  }
  if (state.conversation?.id === id && state.reply) return;
  show(conversation);
}

/** Back to no open chat (desktop: the empty chat pane beside the picker). */
export function closeChat() {
  stopReply();
  state.conversation = undefined;
  state.model = undefined;
  $("chat-title").textContent = "Pick a model";
  $("chat-model").textContent = "";
  $("messages").replaceChildren();
  for (const id of ["composer", "chat-settings", "rename", "new-chat"]) $(id).hidden = true;
  $("chat-empty").hidden = false;
}

function show(conversation) {
  state.conversation = conversation;
  state.model = modelFor(conversation.model);
  for (const id of ["composer", "chat-settings", "new-chat"]) $(id).hidden = false;
  $("rename").hidden = Boolean(conversation.draft);
  $("chat-empty").hidden = true;
  $("system-prompt").value = conversation.system ?? "";
  $("temperature").value = conversation.settings?.temperature ?? "";
  $("max-tokens").value = conversation.settings?.max_tokens ?? "";
  showHeader();
  renderMessages();
  setBusy(Boolean(state.reply));
  if (chatShown()) $("prompt").focus();
  document.dispatchEvent(new CustomEvent("conversation-shown"));
}

export function showHeader() {
  const model = state.model;
  if (!model) return;
  $("chat-title").textContent = state.conversation?.draft ? model.name : state.conversation.title;
  const meta = [state.conversation?.draft ? undefined : model.name, model.provider.label, model.status];
  if (model.context_length) meta.push(contextText(model.context_length));
  $("chat-model").textContent = meta.filter(Boolean).join(" · ");
}

export function stopReply() {
  state.reply?.abort();
}

export function renderMessages() {
  const messages = state.conversation.messages;
  const lastUser = messages.findLastIndex((m) => m.role === "user");
  const items = messages.map((message, index) =>
    messageItem(message, index, {
      edit: message.role === "user" ? (item) => editMessage(item, index) : undefined,
      regenerate:
        message.role === "assistant" && index === messages.length - 1 && index > lastUser ? () => rewindAndAsk(lastUser) : undefined,
      retry: message.role === "error" && index === messages.length - 1 ? () => rewindAndAsk(lastUser) : undefined,
    }),
  );
  $("messages").replaceChildren(...items);
  scrollToEnd(true);
}

export function scrollToEnd(force) {
  const list = $("messages");
  // Follow the reply only while the reader is at the bottom; never pull them back while they scroll up.
  if (force || list.scrollHeight - list.scrollTop - list.clientHeight < 80) list.scrollTop = list.scrollHeight;
}

export function setBusy(busy) {
  $("send").hidden = busy;
  $("stop").hidden = !busy;
  $("messages").classList.toggle("busy", busy);
}

/** Saves the open chat; a new one becomes a saved chat with its own address. */
export function persist(conversation) {
  const wasDraft = conversation.draft;
  delete conversation.draft;
  saveConversation(conversation);
  if (wasDraft && state.conversation === conversation) {
    history.replaceState(null, "", `#/c/${conversation.id}`);
    $("rename").hidden = false;
    showHeader();
  }
}

function send(event) {
  event?.preventDefault();
  const text = $("prompt").value.trim();
  const conversation = state.conversation;
  if (!text || !conversation || state.reply) return;
  $("prompt").value = "";
  conversation.messages.push({ role: "user", content: text });
  ask(conversation);
}

/** Regenerate and Retry: drop what came after the user message at `index`, and ask again. */
function rewindAndAsk(index) {
  const conversation = state.conversation;
  if (!conversation || state.reply || index < 0) return;
  conversation.messages.splice(index + 1);
  ask(conversation);
}

function editMessage(item, index) {
  if (state.reply) return;
  const conversation = state.conversation;
  const box = el("textarea", { class: "edit-box", rows: "3", "aria-label": "Edit message" });
  box.value = conversation.messages[index].content;
  const done = () => renderMessages();
  const resend = () => {
    const text = box.value.trim();
    if (!text || state.reply) return;
    conversation.messages.splice(index, conversation.messages.length - index, { role: "user", content: text });
    ask(conversation);
  };
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      resend();
    } else if (event.key === "Escape") done();
  });
  item.replaceChildren(
    box,
    el(
      "div",
      { class: "actions" },
      el("button", { type: "button", class: "save-edit", onclick: resend }, "Send"),
      el("button", { type: "button", class: "quiet", onclick: done }, "Cancel"),
    ),
  );
  box.focus();
}

function newChat() {
  const model = state.conversation?.model;
  if (!model) return;
  // The chat on screen is already saved (or empty): a new one takes nothing away.
  location.hash = `#/chat/${encodeURIComponent(model)}`;
}

function renameOpen() {
  const conversation = state.conversation;
  if (!conversation || conversation.draft) return;
  document.dispatchEvent(new CustomEvent("rename-conversation", { detail: conversation.id }));
}

/** A chat changed on another device while it is open here (and idle): show the newer copy. */
function followRemote(detail) {
  const open = state.conversation;
  if (detail !== "synced" || !open || open.draft || state.reply) return;
  const stored = loadConversation(open.id);
  if (stored && stored.updated_at > open.updated_at && !document.querySelector("#messages .edit-box")) show(stored);
}

export function wireChat() {
  onConversationsChange(followRemote);
  $("composer").addEventListener("submit", send);
  $("stop").addEventListener("click", stopReply);
  $("new-chat").addEventListener("click", newChat);
  $("rename").addEventListener("click", renameOpen);
  for (const id of ["system-prompt", "temperature", "max-tokens"]) {
    $(id).addEventListener("change", () => {
      const conversation = state.conversation;
      if (!conversation) return;
      readSettings(conversation);
      if (!conversation.draft) saveConversation(conversation);
    });
  }
  $("prompt").addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter is a new line; never while an input method is composing a character.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) send(event);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state.reply) stopReply();
  });
}
