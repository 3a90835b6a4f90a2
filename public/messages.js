// One message of a conversation as elements: a user's text as text, a reply as rendered Markdown
// (markdown.js), its reasoning collapsed, its tool calls as a compact block, and the actions that fit
// it (copy, edit, regenerate, retry). `live()` keeps a reply being streamed on screen: at most one
// render per animation frame, of that reply only, never of the history above it.
import { el } from "./dom.js";
import { copyButton, highlightCode, renderMarkdown } from "./markdown.js";

/** The compact block for tool calls: each function's name and its arguments (pretty when JSON). */
function toolCallsBlock(calls) {
  return el(
    "div",
    { class: "tool-calls" },
    ...calls.map((call) => {
      let args = call.function?.arguments ?? "";
      try {
        args = JSON.stringify(JSON.parse(args), null, 2);
      } catch {
        // Not (yet) JSON: shown as the host sent it.
      }
      return el(
        "div",
        { class: "tool-call" },
        el("span", { class: "meta" }, "Tool call "),
        el("code", { class: "fn" }, call.function?.name || "(unnamed)"),
        el("pre", {}, el("code", {}, args)),
      );
    }),
  );
}

function reasoningBlock(text) {
  return el("details", { class: "reasoning" }, el("summary", {}, "Thinking"), el("p", {}, text));
}

/**
 * `actions`: { edit, regenerate, retry } callbacks, each given only where that action applies.
 * The item's dataset.index is the message's position in the conversation.
 */
export function messageItem(message, index, actions = {}) {
  const item = el("li", { class: `message ${message.role}`, "data-index": index });
  if (message.reasoning) item.append(reasoningBlock(message.reasoning));
  const content = el("div", { class: "content" });
  if (message.role === "assistant") content.append(renderMarkdown(message.content));
  else content.textContent = message.content;
  item.append(content);
  if (message.tool_calls?.length) item.append(toolCallsBlock(message.tool_calls));
  if (message.note) item.append(el("p", { class: "note" }, message.note));
  if (message.role === "assistant") highlightCode(content);

  const tools = el("div", { class: "actions" });
  if (message.role !== "error") tools.append(copyButton(() => message.content || JSON.stringify(message.tool_calls ?? [])));
  if (actions.edit) tools.append(el("button", { type: "button", class: "quiet edit", onclick: () => actions.edit(item) }, "Edit"));
  if (actions.regenerate)
    tools.append(el("button", { type: "button", class: "quiet regenerate", onclick: actions.regenerate }, "Regenerate"));
  if (actions.retry) tools.append(el("button", { type: "button", class: "retry", onclick: actions.retry }, "Retry"));
  if (tools.childElementCount) item.append(tools);
  return item;
}

/** An assistant item being streamed into; `update(reply)` may be called per chunk, it renders per frame. */
export function live(item, onRendered) {
  const content = item.querySelector(".content");
  let pending;
  let frame = 0;
  const draw = () => {
    frame = 0;
    const reply = pending;
    content.replaceChildren(renderMarkdown(reply.content));
    if (reply.reasoning) {
      let details = item.querySelector(".reasoning");
      if (!details) item.prepend((details = reasoningBlock("")));
      details.querySelector("p").textContent = reply.reasoning;
    }
    if (reply.tool_calls.length) {
      const block = toolCallsBlock(reply.tool_calls);
      const old = item.querySelector(".tool-calls");
      if (old) old.replaceWith(block);
      else content.after(block);
    }
    onRendered?.();
  };
  return {
    update(reply) {
      pending = reply;
      frame ||= requestAnimationFrame(draw);
    },
    /** The final render, with code highlighted. */
    finish() {
      if (frame) cancelAnimationFrame(frame);
      if (pending) draw();
      highlightCode(content);
    },
  };
}
