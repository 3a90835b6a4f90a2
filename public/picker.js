// The model picker: Favorites first, then one section per provider (label and status), each model
// with its name, status, context length and a star. Models the host says are not for chat
// (embeddings, rerankers, audio, images) are listed, marked, and cannot be opened as a chat. Starring is optimistic: the star and the
// Favorites section change at once, and go back, with a message, if the router refuses the change.
import { $, el, showView } from "./dom.js";
import { callJson, handleFailure, state } from "./session.js";

export const contextText = (n) => `${Number(n).toLocaleString("en")} tokens context`;

export function findModel(id) {
  for (const { provider, models } of state.providers ?? []) {
    const model = models.find((m) => m.id === id);
    if (model) return { ...model, provider };
  }
  return undefined;
}

/** After a cold model answered: it is loaded now, in the picker too. */
export function markLoaded(id) {
  for (const { models } of state.providers ?? []) {
    const model = models.find((m) => m.id === id);
    if (model) model.status = "loaded";
  }
  renderPicker();
}

const KIND_LABEL = {
  embedding: "embedding",
  embeddings: "embedding",
  reranker: "reranker",
  rerank: "reranker",
  audio_transcriptions: "transcription",
  audio_speech: "speech",
  image_generation: "image",
  image_to_image: "image",
};
const kindOf = (model) => KIND_LABEL[model.capabilities?.find((c) => KIND_LABEL[c])] ?? "not for chat";

export async function loadPicker() {
  const [picker, settings] = await Promise.all([callJson("/api/picker"), callJson("/api/settings")]);
  state.providers = picker.sections.filter((s) => s.kind === "provider");
  state.favorites = settings.favorite_models;
}

export async function showPicker() {
  showView("picker");
  document.dispatchEvent(new CustomEvent("picker-shown"));
  if (!state.providers) $("picker-status").textContent = "Loading models…";
  try {
    await loadPicker();
    $("picker-status").textContent = "";
  } catch (error) {
    if (handleFailure(error, "Could not load the models")) return;
    $("picker-status").textContent = `Could not load the models: ${error.message}`;
  }
  renderPicker();
}

function modelRow(model, section) {
  const favorite = state.favorites.includes(model.id);
  const meta = [el("span", { class: `badge ${model.status}` }, model.status)];
  if (model.context_length) meta.push(" · ", contextText(model.context_length));
  // Favorites mix providers: name each one's host there.
  if (section === "favorites") meta.push(" · ", model.provider.label);
  const chat = model.chat !== false;
  if (!chat) meta.push(" · ", el("span", { class: "badge kind" }, kindOf(model)));
  return el(
    "li",
    { class: `model${chat ? "" : " not-chat"}`, "data-id": model.id, "data-status": model.status, "data-chat": String(chat) },
    el(
      "button",
      {
        type: "button",
        class: "choose",
        disabled: !chat,
        title: chat ? undefined : `${model.name} is a ${kindOf(model)} model: use it through the API, not as a chat.`,
        onclick: () => (location.hash = `#/chat/${encodeURIComponent(model.id)}`),
      },
      el("span", { class: "name" }, model.name),
      el("span", { class: "meta" }, ...meta),
    ),
    el(
      "button",
      {
        type: "button",
        class: "star",
        "data-section": section,
        "aria-pressed": String(favorite),
        "aria-label": `Favorite ${model.name} (${model.provider.label})`,
        title: favorite ? "Remove from favorites" : "Add to favorites",
        onclick: () => toggleFavorite(model.id, section),
      },
      favorite ? "★" : "☆",
    ),
  );
}

export function renderPicker(focus) {
  const sections = $("sections");
  if (!state.providers) return sections.replaceChildren();
  // As the router's own picker: favorites in the user's order, unavailable ones hidden (never removed).
  const favorites = state.favorites.map(findModel).filter((m) => m && m.status !== "unavailable");
  const out = [
    el(
      "section",
      { class: "section", id: "favorites", "aria-labelledby": "favorites-title" },
      el("div", { class: "section-head" }, el("h2", { id: "favorites-title" }, "Favorites")),
      favorites.length ? undefined : el("p", { class: "empty" }, "No favorites yet: tap ☆ next to a model to keep it here."),
      el("ul", { class: "models" }, ...favorites.map((m) => modelRow(m, "favorites"))),
    ),
  ];
  for (const { provider, models } of state.providers) {
    const ok = provider.status === "ok";
    out.push(
      el(
        "section",
        { class: "section provider", "data-provider": provider.id, "aria-labelledby": `provider-${provider.id}` },
        el(
          "div",
          { class: "section-head" },
          el("h2", { id: `provider-${provider.id}` }, provider.label),
          el("span", { class: `badge ${provider.status}` }, ok ? "online" : "unavailable"),
        ),
        models.length
          ? undefined
          : el("p", { class: "empty" }, ok ? "This host lists no models." : "No models: the host cannot be reached right now."),
        el("ul", { class: "models" }, ...models.map((m) => modelRow({ ...m, provider }, provider.id))),
      ),
    );
  }
  sections.replaceChildren(...out);
  // Re-rendering replaced the star that had focus: give focus to its replacement (or, when that star
  // left the Favorites section, to the first star) so keyboard users keep their place.
  if (focus) {
    const stars = [...sections.querySelectorAll(".star")];
    (stars.find((s) => s.dataset.section === focus.section && s.closest(".model").dataset.id === focus.id) ?? stars[0])?.focus();
  }
}

const setFavorite = (id, on) => {
  state.favorites = on ? [...state.favorites.filter((f) => f !== id), id] : state.favorites.filter((f) => f !== id);
};

// Saves run one after another, each starting from the list the router has stored: a PATCH replaces
// the whole list, and it must keep the favorites this page does not show (unavailable ones, or ones
// added on another device meanwhile).
let saving = Promise.resolve();
let pendingSaves = 0;

function toggleFavorite(id, section) {
  const on = !state.favorites.includes(id);
  const name = findModel(id)?.name ?? id;
  setFavorite(id, on);
  renderPicker({ id, section });
  pendingSaves++;
  saving = saving.then(async () => {
    try {
      const stored = (await callJson("/api/settings")).favorite_models.filter((f) => f !== id);
      const saved = await callJson("/api/settings", { method: "PATCH", body: { favorite_models: on ? [...stored, id] : stored } });
      // With more toggles queued, the optimistic list is newer than this answer.
      if (pendingSaves === 1) state.favorites = saved.favorite_models;
    } catch (error) {
      setFavorite(id, !on);
      renderPicker(document.activeElement?.classList.contains("star") ? { id, section } : undefined);
      handleFailure(error, `Could not ${on ? "add" : "remove"} ${name} ${on ? "to" : "from"} favorites`);
    } finally {
      pendingSaves--;
    }
  });
}
