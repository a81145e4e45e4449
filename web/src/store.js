/**
 * Keeps the conversation while a family moves between pages of the site.
 *
 * Why sessionStorage and not localStorage or a cookie: it lasts as long as the
 * browser tab, survives a reload or a move to another page of the same site,
 * and is gone when the tab is closed. On a shared family computer the next
 * person does not find the conversation. Nothing is sent to the council's site.
 *
 * What is kept: the session token the Rasa server issued (so the server goes
 * on with the same conversation), the messages shown, and whether the widget
 * was open. Never an answer to a question that asks for personal details (the
 * callback form's: a phone number, an email address, a good time, what it is
 * about): the server marks those questions, and such an answer is kept as
 * PRIVATE_PLACEHOLDER. It shows on screen until the page is left, not after.
 */

const KEY = "send-widget/v1";
const MAX_MESSAGES = 200;
export const PRIVATE_PLACEHOLDER = "(Your answer is not kept on this device.)";

function storage() {
  try {
    return window.sessionStorage;
  } catch (_) {
    return null; // storage blocked by the browser's privacy settings: nothing is kept
  }
}

function empty() {
  return { session: null, open: false, messages: [], answerIsPrivate: false };
}

export function load() {
  const store = storage();
  if (!store) return empty();
  try {
    const saved = JSON.parse(store.getItem(KEY) || "null");
    if (!saved || typeof saved !== "object" || !Array.isArray(saved.messages)) return empty();
    return {
      session: typeof saved.session === "string" ? saved.session : null,
      open: saved.open === true,
      messages: saved.messages.filter(isMessage).slice(-MAX_MESSAGES).map(withoutPrivateText),
      answerIsPrivate: saved.answerIsPrivate === true,
    };
  } catch (_) {
    return empty();
  }
}

export function save(state) {
  const store = storage();
  if (!store) return;
  const data = {
    session: state.session,
    open: state.open,
    messages: state.messages.slice(-MAX_MESSAGES).map(withoutPrivateText),
    answerIsPrivate: state.answerIsPrivate === true,
  };
  try {
    store.setItem(KEY, JSON.stringify(data));
  } catch (_) {
    // quota full or storage blocked: the conversation still works, it just is not kept
  }
}

export function clear() {
  const store = storage();
  if (store) store.removeItem(KEY);
}

/** A private answer as it may be kept: the placeholder, never the text. */
function withoutPrivateText(m) {
  return m.private === true ? { from: m.from, text: PRIVATE_PLACEHOLDER, private: true } : m;
}

function isMessage(m) {
  return (
    m &&
    (m.from === "user" || m.from === "bot" || m.from === "note") &&
    typeof m.text === "string" &&
    (m.buttons === undefined || Array.isArray(m.buttons)) &&
    (m.private === undefined || typeof m.private === "boolean")
  );
}
