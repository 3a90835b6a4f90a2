// The signed-in session: the API key, what the views share, and calls to the router's API with the
// key. Every failure becomes an ApiFailure carrying the router's own message (its errors are
// OpenAI-shaped: {"error":{"message",...}}), so the page can show words instead of a status code.
import { STORE, readStore, removeStored, showNotice, writeStore } from "./dom.js";

const KEY = `${STORE}key`;

export const state = {
  key: readStore(KEY, ""),
  /** GET /api/picker's provider sections; the Favorites section is derived from them and `favorites`. */
  providers: undefined,
  /** The user's stored favorites, unavailable ones included, in their order (optimistic while saving). */
  favorites: [],
  /** The model the chat view is open on (a picker record, with its provider). */
  model: undefined,
  /** The conversation the chat view shows: { id, title, model, system, settings, messages, draft? }. */
  conversation: undefined,
  /** Aborts the reply being streamed. */
  reply: undefined,
};

export function keepKey(key) {
  state.key = key;
  writeStore(KEY, key);
}

export function forgetKey() {
  state.key = "";
  removeStored(KEY);
}

export class ApiFailure extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /**
   * The router refused the key itself. A 401 can also mean a HOST refused the router's credentials
   * (`provider_auth_failed`): that is the operator's problem, and must not sign the user out.
   */
  get keyRefused() {
    return this.status === 401 && this.code === "invalid_api_key";
  }
}

/** The OpenAI-shaped error body's `message` and `code`, else a plain sentence naming the status. */
async function failureOf(res) {
  try {
    const body = await res.json();
    if (typeof body?.error?.message === "string") return new ApiFailure(body.error.message, res.status, body.error.code);
  } catch {
    // Not JSON (a proxy's page): fall through to the status.
  }
  return new ApiFailure(`The router answered HTTP ${res.status}.`, res.status);
}

/** fetch with the key; resolves with a 2xx response, else throws ApiFailure (status 0: no answer at all). */
export async function call(path, { method = "GET", body, signal, key = state.key } = {}) {
  const headers = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiFailure("Could not reach the router. Check your connection and try again.", 0);
  }
  if (!res.ok) throw await failureOf(res);
  return res;
}

export const callJson = async (path, options) => (await call(path, options)).json();

let onKeyRefused = () => {};
/** What to do when the router refuses the key (app.js: back to the sign-in form). */
export function whenKeyRefused(handler) {
  onKeyRefused = handler;
}

/** Shows a failure; a refused key ends the session instead. Returns true when the session ended. */
export function handleFailure(error, context) {
  if (error instanceof ApiFailure && error.keyRefused) {
    forgetKey();
    onKeyRefused(`Your key was refused: ${error.message}`);
    return true;
  }
  showNotice(`${context}: ${error.message}`);
  return false;
}
