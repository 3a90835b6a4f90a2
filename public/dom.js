// Small DOM and storage helpers. Text from the API or the user reaches the page only as text nodes
// (never innerHTML), so nothing it holds can run.

/** Prefix of everything the page keeps in localStorage; sign out removes all of it. */
export const STORE = "llama-edge.";

export const $ = (id) => document.getElementById(id);

/** Builds an element; string children become text nodes, `on…` props become listeners. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

/**
 * `sign-in`, `picker` or `chat`. The picker and the chat share the workspace: on a phone only the named
 * pane shows; on a desktop both do, side by side (app.css).
 */
export function showView(id) {
  $("sign-in").hidden = id !== "sign-in";
  $("workspace").hidden = id === "sign-in";
  if (id !== "sign-in") $("workspace").dataset.pane = id;
}

/** Whether the chat pane is on screen (always beside the picker on a desktop). */
export const chatShown = () =>
  !$("workspace").hidden && ($("workspace").dataset.pane === "chat" || matchMedia("(min-width: 900px)").matches);

export function readStore(name, fallback) {
  try {
    const raw = localStorage.getItem(name);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

export function writeStore(name, value) {
  try {
    localStorage.setItem(name, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the page still works, it just forgets on reload.
  }
}

export function removeStored(name) {
  try {
    localStorage.removeItem(name);
  } catch {
    // Storage disabled: nothing was kept.
  }
}

/** Everything the page kept: the key and every conversation. */
export function removeAllStored() {
  try {
    for (const name of Object.keys(localStorage)) if (name.startsWith(STORE)) localStorage.removeItem(name);
  } catch {
    // Storage disabled: nothing was kept.
  }
}

let noticeTimer = 0;
/** A message that must be seen (a favorite that could not be saved), at the top of the screen; `action`: { label, run } (Undo). */
export function showNotice(text, action) {
  $("notice-text").textContent = text;
  $("notice").hidden = false;
  $("notice").classList.toggle("info", Boolean(action));
  const button = $("notice-action");
  button.hidden = !action;
  button.textContent = action?.label ?? "";
  button.onclick = action
    ? () => {
        hideNotice();
        action.run();
      }
    : null;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(hideNotice, 10_000);
}

export function hideNotice() {
  $("notice").hidden = true;
}
