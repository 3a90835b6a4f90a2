// Asking the model: the request built from a conversation (system prompt, the turns with text, the
// chat's sampling settings), the reply streamed into a new item, and the outcome saved into the
// conversation: the reply, and an error message (with Retry) when it failed.
import { $, chatShown } from "./dom.js";
import { showChatState } from "./chat-state.js";
import { modelFor, persist, renderMessages, scrollToEnd, setBusy, showHeader } from "./chat.js";
import { live, messageItem } from "./messages.js";
import { markLoaded } from "./picker.js";
import { streamReply } from "./reply.js";
import { ApiFailure, handleFailure, state } from "./session.js";

/** The chat's system prompt and sampling settings, from the Settings panel. */
export function readSettings(conversation) {
  conversation.system = $("system-prompt").value.trim() || undefined;
  const temperature = $("temperature").value === "" ? undefined : Number($("temperature").value);
  const maxTokens = $("max-tokens").value === "" ? undefined : Math.round(Number($("max-tokens").value));
  conversation.settings = {
    ...(Number.isFinite(temperature) && temperature >= 0 && temperature <= 2 ? { temperature } : {}),
    ...(Number.isFinite(maxTokens) && maxTokens > 0 ? { max_tokens: maxTokens } : {}),
  };
}

/** What the host is asked: the system prompt, then the user's messages and the replies with text. */
function requestBody(conversation) {
  const messages = [];
  if (conversation.system) messages.push({ role: "system", content: conversation.system });
  for (const m of conversation.messages) {
    if (m.role === "user" || (m.role === "assistant" && m.content)) messages.push({ role: m.role, content: m.content });
  }
  return { model: conversation.model, stream: true, messages, ...conversation.settings };
}

/** Asks the model for a reply to the conversation as it is (its last message is the user's). */
export async function ask(conversation) {
  readSettings(conversation);
  persist(conversation);
  renderMessages();
  const model = modelFor(conversation.model);
  const sentAt = Date.now();
  const reply = { role: "assistant", content: "", reasoning: "", tool_calls: [] };
  const item = messageItem({ role: "assistant", content: "" }, conversation.messages.length);
  item.querySelector(".actions")?.remove();
  $("messages").append(item);
  scrollToEnd(true);
  const view = live(item, () => scrollToEnd());
  const controller = new AbortController();
  state.reply = controller;
  setBusy(true);
  // One timer from the moment of sending, through "waiting" and "loading model" alike.
  showChatState(
    "waiting",
    `Waiting for ${model.provider.label}${model.status === "unloaded" ? " (the model is not loaded yet)" : ""}…`,
    sentAt,
  );
  const events = {
    loading: () => showChatState("loading", `Loading model ${model.name} on ${model.provider.label}… this can take a minute.`, sentAt),
    started: () => {
      showChatState(undefined);
      // The model answered, so it is loaded now, whatever the picker said before.
      markLoaded(model.id);
      if (state.conversation === conversation) {
        state.model = modelFor(conversation.model);
        showHeader();
      }
    },
  };

  let failure;
  try {
    ({ failure } = await streamReply(requestBody(conversation), reply, view, controller.signal, events));
  } catch (error) {
    if (!controller.signal.aborted) {
      if (error instanceof ApiFailure && error.keyRefused) return void handleFailure(error, "");
      failure = error instanceof ApiFailure ? error.message : `The reply broke off: ${error.message}`;
    }
  } finally {
    state.reply = undefined;
    showChatState(undefined);
    setBusy(false);
    view.finish();
  }

  if (controller.signal.aborted) reply.note = "Stopped.";
  if (reply.content || reply.reasoning || reply.tool_calls.length) {
    const saved = { role: "assistant", content: reply.content };
    if (reply.reasoning) saved.reasoning = reply.reasoning;
    if (reply.tool_calls.length)
      saved.tool_calls = reply.tool_calls.map(({ id, type, function: f }) => ({ ...(id ? { id } : {}), type, function: f }));
    if (reply.note) saved.note = reply.note;
    conversation.messages.push(saved);
  }
  if (failure) conversation.messages.push({ role: "error", content: failure });
  else if (controller.signal.aborted && !reply.content && !reply.tool_calls.length)
    conversation.messages.push({ role: "error", content: "Stopped before the host replied." });
  persist(conversation);
  // The view may have moved on to another conversation meanwhile: then only storage is updated.
  if (state.conversation !== conversation) return;
  const scroll = $("messages").scrollTop;
  renderMessages();
  $("messages").scrollTop = scroll;
  scrollToEnd();
  if (chatShown()) $("prompt").focus();
}
