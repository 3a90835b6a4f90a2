// The chat view: the conversation with one model, kept in this browser per model id. Replies stream
// in as the host sends them; Stop aborts the request, which makes the router hang up on the host and
// so ends the generation there. While a host loads a model the router sends `: loading` comments,
// shown as a "loading model" line; failures end as a readable message in the conversation.
import { $, STORE, el, readStore, showView, writeStore } from "./dom.js";
import { contextText, findModel, loadPicker } from "./picker.js";
import { ApiFailure, call, handleFailure, state } from "./session.js";
import { sseEvents } from "./sse.js";

const chatKey = (id) => `${STORE}chat.${id}`;
const loadConversation = (id) => readStore(chatKey(id), []);
const saveConversation = (id, messages) => writeStore(chatKey(id), messages);

export async function openChat(id) {
  showView("chat");
  if (state.model?.id !== id) stopReply();
  if (!state.providers) {
    try {
      await loadPicker();
    } catch (error) {
      // The chat works without the picker's details (name, status, context): say so and go on.
      if (handleFailure(error, "Could not load the model's details")) return;
    }
  }
  const provider = id.split("/")[0];
  const model = findModel(id) ?? { id, name: id.slice(provider.length + 1) || id, provider: { id: provider, label: provider } };
  state.model = model;
  $("chat-title").textContent = model.name;
  const meta = [model.provider.label];
  if (model.status) meta.push(model.status);
  if (model.context_length) meta.push(contextText(model.context_length));
  $("chat-model").textContent = meta.join(" · ");
  renderMessages(loadConversation(id));
  setBusy(false);
  $("prompt").focus();
}

export function stopReply() {
  state.reply?.abort();
}

function messageItem(message) {
  const item = el("li", { class: `message ${message.role}` });
  if (message.reasoning) item.append(el("details", {}, el("summary", {}, "Thinking"), el("p", {}, message.reasoning)));
  item.append(el("p", { class: "content" }, message.content));
  if (message.note) item.append(el("p", { class: "note" }, message.note));
  return item;
}

function renderMessages(messages) {
  $("messages").replaceChildren(...messages.map(messageItem));
  scrollToEnd(true);
}

function scrollToEnd(force) {
  const list = $("messages");
  // Follow the reply only while the reader is at the bottom; never pull them back while they scroll up.
  if (force || list.scrollHeight - list.scrollTop - list.clientHeight < 80) list.scrollTop = list.scrollHeight;
}

function setBusy(busy) {
  $("send").hidden = busy;
  $("stop").hidden = !busy;
  $("new-chat").disabled = busy;
}

let stateTimer = 0;
/** The line above the composer: `waiting` for the first byte, `loading` while the host loads the model. */
function showChatState(kind, text) {
  const line = $("chat-state");
  clearInterval(stateTimer);
  if (!kind) {
    line.hidden = true;
    return;
  }
  if (line.dataset.kind !== kind || line.hidden) {
    line.dataset.kind = kind;
    line.hidden = false;
    $("chat-state-text").textContent = text;
    line.dataset.since = String(Date.now());
  }
  const tick = () => ($("chat-state-elapsed").textContent = `${Math.round((Date.now() - Number(line.dataset.since)) / 1000)} s`);
  tick();
  stateTimer = setInterval(tick, 1000);
}

/** Streams one reply into `item`; resolves with how it ended: `{ finished }` or `{ failure }`. */
async function streamReply(model, history, reply, item, signal) {
  const content = item.querySelector(".content");
  const loading = () => showChatState("loading", `Loading model ${model.name} on ${model.provider.label}… this can take a minute.`);
  const res = await call("/v1/chat/completions", { method: "POST", body: { model: model.id, stream: true, messages: history }, signal });
  if (res.headers.has("x-llama-edge-loading")) loading();
  let swapping = false;
  for await (const { comments, data } of sseEvents(res.body)) {
    if (comments.some((c) => c.startsWith("loading"))) loading();
    if (data === undefined) continue;
    if (data === "[DONE]") return { finished: true };
    let chunk;
    try {
      chunk = JSON.parse(data);
    } catch {
      continue;
    }
    // A stream that broke after it started ends with one OpenAI-shaped error event.
    if (chunk.error) return { failure: typeof chunk.error.message === "string" ? chunk.error.message : "The host reported an error." };
    const delta = chunk.choices?.[0]?.delta ?? {};
    // llama-swap's `sendLoadingState` reports a swap as reasoning text ("llama-swap loading model: X",
    // dots, "Done! (12.3s)"): that is the loading state, not the model's thinking.
    if (typeof delta.reasoning_content === "string" && (swapping || delta.reasoning_content.startsWith("llama-swap loading model"))) {
      swapping = !delta.reasoning_content.startsWith("Done!");
      if (swapping) loading();
      continue;
    }
    if (delta.content || delta.reasoning_content) showChatState(undefined);
    if (typeof delta.reasoning_content === "string" && delta.reasoning_content) {
      if (!reply.reasoning) item.prepend(el("details", {}, el("summary", {}, "Thinking"), el("p", {})));
      reply.reasoning += delta.reasoning_content;
      item.querySelector("details p").append(delta.reasoning_content);
    }
    if (typeof delta.content === "string" && delta.content) {
      reply.content += delta.content;
      content.append(delta.content);
    }
    scrollToEnd();
  }
  return { failure: "The reply was cut off before it was complete." };
}

async function send(event) {
  event?.preventDefault();
  const text = $("prompt").value.trim();
  const model = state.model;
  if (!text || !model || state.reply) return;
  $("prompt").value = "";
  const messages = loadConversation(model.id);
  messages.push({ role: "user", content: text });
  saveConversation(model.id, messages);
  const history = messages.filter((m) => m.role === "user" || (m.role === "assistant" && m.content)).map(({ role, content }) => ({ role, content }));
  $("messages").append(messageItem(messages.at(-1)));

  const reply = { role: "assistant", content: "", reasoning: "" };
  const item = messageItem(reply);
  $("messages").append(item);
  scrollToEnd(true);
  const controller = new AbortController();
  state.reply = controller;
  setBusy(true);
  showChatState("waiting", `Waiting for ${model.provider.label}${model.status === "unloaded" ? " (the model is not loaded yet)" : ""}…`);

  let failure;
  try {
    ({ failure } = await streamReply(model, history, reply, item, controller.signal));
  } catch (error) {
    if (!controller.signal.aborted) {
      if (error instanceof ApiFailure && error.keyRefused) return void handleFailure(error, "");
      failure = error instanceof ApiFailure ? error.message : `The reply broke off: ${error.message}`;
    }
  } finally {
    state.reply = undefined;
    showChatState(undefined);
    setBusy(false);
  }

  // The view may have moved on to another conversation meanwhile: then only storage is updated.
  const shown = item.isConnected;
  const add = (message) => {
    messages.push(message);
    if (shown) $("messages").append(messageItem(message));
  };
  if (controller.signal.aborted) reply.note = "Stopped.";
  if (reply.content || reply.reasoning) {
    messages.push(reply);
    if (reply.note) item.append(el("p", { class: "note" }, reply.note));
  } else {
    item.remove();
  }
  if (failure) add({ role: "error", content: failure });
  else if (controller.signal.aborted && !reply.content) add({ role: "error", content: "Stopped before the host replied." });
  saveConversation(model.id, messages);
  if (!shown) return;
  scrollToEnd();
  if (!$("chat").hidden) $("prompt").focus();
}

function newChat() {
  if (!state.model || state.reply) return;
  saveConversation(state.model.id, []);
  renderMessages([]);
  $("prompt").focus();
}

export function wireChat() {
  $("composer").addEventListener("submit", send);
  $("stop").addEventListener("click", stopReply);
  $("new-chat").addEventListener("click", newChat);
  $("prompt").addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter is a new line; never while an input method is composing a character.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) send(event);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state.reply) stopReply();
  });
}
