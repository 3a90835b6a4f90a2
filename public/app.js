// The router's own page, for people on a phone or a desktop: sign in with an API key, pick a model
// (Favorites first), chat with it. Plain ES modules served by the Worker (public/), no build step and
// nothing from any other origin. This module routes between the three views and handles the key.
//   #/              the picker (picker.js)
//   #/chat/<id>     a chat with one model (chat.js)
// Without a key, every route shows the sign-in form.
import { $, hideNotice, removeAllStored, showView } from "./dom.js";
import { openChat, stopReply, wireChat } from "./chat.js";
import { showPicker } from "./picker.js";
import { call, keepKey, state, whenKeyRefused } from "./session.js";

async function route() {
  if (!state.key) return showSignIn();
  const chat = /^#\/chat\/(.+)$/.exec(location.hash);
  if (chat) return openChat(decodeURIComponent(chat[1]));
  stopReply();
  await showPicker();
}

function showSignIn(message = "") {
  showView("sign-in");
  $("sign-in-error").textContent = message;
  $("key").focus();
}

async function signIn(event) {
  event.preventDefault();
  const key = $("key").value.trim().replace(/^Bearer\s+/i, "");
  if (!key) return showSignIn("Paste your API key first.");
  $("sign-in-button").disabled = true;
  $("sign-in-error").textContent = "";
  try {
    // Any authenticated call proves the key; the settings are needed next anyway.
    await call("/api/settings", { key });
    keepKey(key);
    $("key").value = "";
    await route();
  } catch (error) {
    showSignIn(error.keyRefused ? `That key was refused: ${error.message}` : error.message);
  } finally {
    $("sign-in-button").disabled = false;
  }
}

/** Sign out forgets the key and every conversation: a phone may be shared. */
function signOut() {
  stopReply();
  removeAllStored();
  Object.assign(state, { key: "", providers: undefined, favorites: [], model: undefined });
  history.replaceState(null, "", location.pathname);
  showSignIn();
}

whenKeyRefused(showSignIn);
$("sign-in-form").addEventListener("submit", signIn);
$("sign-out").addEventListener("click", signOut);
$("refresh").addEventListener("click", () => showPicker());
$("notice-close").addEventListener("click", hideNotice);
wireChat();
window.addEventListener("hashchange", route);
route();
