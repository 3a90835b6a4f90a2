// The line above the composer while a reply has not started: `waiting` for the first byte, `loading`
// while the host loads the model. The elapsed time counts from the moment of sending, whichever it shows.
import { $ } from "./dom.js";

let timer = 0;

export function showChatState(kind, text, since) {
  const line = $("chat-state");
  clearInterval(timer);
  if (!kind) {
    line.hidden = true;
    return;
  }
  line.dataset.kind = kind;
  line.hidden = false;
  $("chat-state-text").textContent = text;
  line.dataset.since = String(since);
  const tick = () => ($("chat-state-elapsed").textContent = `${Math.round((Date.now() - since) / 1000)} s`);
  tick();
  timer = setInterval(tick, 1000);
}
