// The router's own page, for people on a phone or a desktop: sign in with an API key, pick a model
// (Favorites first), chat with it, find earlier chats again on any device. Plain ES modules served by
// the Worker (public/), nothing from any other origin. This module routes and handles the key.
//   #/              the picker (picker.js); on a desktop beside an empty chat pane
//   #/chat/<id>     a new chat with one model (chat.js)
//   #/c/<id>        a saved chat (conversations.js keeps them)
// Without a key, every route shows the sign-in form.
import { $, hideNotice, removeAllStored, showView } from "./dom.js";
import { closeChat, openConversation, showHeader, startChat, stopReply, wireChat } from "./chat.js";
import { adoptOldChats, sync } from "./conversations.js";
import { renderPicker, showPicker } from "./picker.js";
import { call, keepKey, state, whenKeyRefused } from "./session.js";
import { closeDrawer, renderConversations, wireSidebar } from "./sidebar.js";

let signedIn = false;

async function route() {
  if (!state.key) return showSignIn();
  closeDrawer();
  if (!signedIn) {
    signedIn = true;
    adoptOldChats();
    renderConversations();
    void sync();
  }
  const saved = /^#\/c\/([A-Za-z0-9_-]+)$/.exec(location.hash);
  const fresh = /^#\/chat\/(.+)$/.exec(location.hash);
  if (saved) await openConversation(saved[1]);
  else if (fresh) await startChat(decodeURIComponent(fresh[1]));
  else {
    closeChat();
    return showPicker();
  }
  // Beside the chat on a desktop, the picker shows too.
  if (state.providers) renderPicker();
}

function showSignIn(message = "") {
  signedIn = false;
  showView("sign-in");
  $("sign-in-error").textContent = message;
  $("key").focus();
}

async function signIn(event) {
  event.preventDefault();
  const key = $("key")
    .value.trim()
    .replace(/^Bearer\s+/i, "");
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

/** Sign out forgets the key and this device's copy of the chats (they stay on the router): a phone may be shared. */
async function signOut() {
  stopReply();
  // Changes not yet on the router get one short chance to reach it first.
  await Promise.race([sync(), new Promise((resolve) => setTimeout(resolve, 3000))]);
  removeAllStored();
  Object.assign(state, { key: "", providers: undefined, favorites: [], model: undefined, conversation: undefined });
  closeChat();
  renderConversations();
  history.replaceState(null, "", location.pathname);
  showSignIn();
}

whenKeyRefused(showSignIn);
$("sign-in-form").addEventListener("submit", signIn);
$("sign-out").addEventListener("click", signOut);
$("refresh").addEventListener("click", () => {
  showPicker();
  sync();
});
$("notice-close").addEventListener("click", hideNotice);
document.addEventListener("conversation-renamed", showHeader);
wireChat();
wireSidebar();
window.addEventListener("hashchange", route);
route();
