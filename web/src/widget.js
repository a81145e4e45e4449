/**
 * The chat widget the council puts on its site with one <script> tag.
 *
 *   <script>window.SendWidgetConfig = { serverUrl: "https://assistant.example" };</script>
 *   <script src="/widget.js" defer></script>
 *
 * It talks to the Rasa server's socket.io channel (channels/socketio.py) with
 * the official socket.io-client. Why a small widget of our own rather than a
 * ready-made one: we control every word a family sees, the accessibility
 * (WCAG 2.2 AA), and that nothing from a family is ever inserted as HTML; it
 * has one dependency, and no framework to keep up to date.
 *
 * Protocol (Rasa's, with one change): on connect we send `session_request`
 * with the token we kept, the server answers `session_confirm` with the token
 * to use (the same one if it issued it and it has not expired, otherwise a new
 * one), we send `user_uttered` {message}, the server sends `bot_uttered`
 * {text, quick_replies, metadata}. `metadata.asks_personal_detail` marks a
 * question (the callback form's) whose typed answer is shown but not kept in
 * the saved transcript (store.js).
 */
import { io } from "socket.io-client";
import css from "./widget.css";
import { formatText, link, safeHref } from "./format.js";
import * as store from "./store.js";

const DEFAULTS = {
  serverUrl: "http://localhost:5005",
  socketPath: "/socket.io",
  title: "SEND disagreements helper",
  subtitle: "An automated assistant, not a person",
  botName: "Assistant",
  launcherText: "Ask about a SEND decision",
  privacyText: "Please do not share names, dates of birth or case numbers.",
  privacyUrl: null,
  privacyLinkText: "Privacy notice",
  greeting: "/greet", // sent when a conversation starts, so the assistant introduces itself
  replyTimeoutMs: 30000,
  colours: { primary: "#1d4f91", onPrimary: "#ffffff" },
};

// Backgrounds the primary colour is used on (page, bot bubble): text in it must reach 4.5:1.
const PRIMARY_BACKGROUNDS = ["#ffffff", "#f3f2f1"];
const MIN_CONTRAST = 4.5;

/** The council's settings over our defaults; colours that would fail 4.5:1 are refused. */
export function readConfig(given = window.SendWidgetConfig || {}) {
  const config = { ...DEFAULTS, ...given, colours: { ...DEFAULTS.colours } };
  const colours = given.colours || {};
  const primary = colours.primary || DEFAULTS.colours.primary;
  const onPrimary = colours.onPrimary || DEFAULTS.colours.onPrimary;
  const pairs = [[primary, onPrimary], ...PRIMARY_BACKGROUNDS.map((bg) => [primary, bg])];
  if (pairs.every(([a, b]) => contrast(a, b) >= MIN_CONTRAST)) {
    config.colours = { primary, onPrimary };
  } else {
    console.warn(
      "SEND widget: colours.primary/onPrimary must be #rrggbb and reach 4.5:1 contrast " +
        "with each other and with white; using the default colours."
    );
  }
  config.serverUrl = String(config.serverUrl).replace(/\/+$/, "");
  return config;
}

function rgb(hex) {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(hex));
  if (!m) return null;
  const h = m[1].length === 3 ? m[1].replace(/./g, "$&$&") : m[1];
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);
}

function luminance(channels) {
  const lin = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

/** WCAG contrast ratio of two #rrggbb colours (0 if either is not one). */
export function contrast(a, b) {
  const ca = rgb(a);
  const cb = rgb(b);
  if (!ca || !cb) return 0;
  const [hi, lo] = [luminance(ca), luminance(cb)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

function el(doc, tag, className, attrs = {}) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

const SVG = "http://www.w3.org/2000/svg";

/** A speech-bubble icon, built node by node: the widget never assigns innerHTML. */
function chatIcon(doc) {
  const svg = doc.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = doc.createElementNS(SVG, "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
  svg.append(path);
  return svg;
}

/**
 * Our stylesheet in the shadow root. A constructed stylesheet where the browser
 * has them, so a council page whose Content-Security-Policy forbids inline
 * styles (style-src 'self') still shows the widget; a <style> element otherwise.
 */
function adoptStyles(root, doc) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch (_) {
    const style = el(doc, "style");
    style.textContent = css;
    root.append(style);
  }
}

class Widget {
  constructor(config, doc = document) {
    this.config = config;
    this.doc = doc;
    this.state = store.load();
    this.socket = null;
    this.confirmed = false; // the server has confirmed our session on this connection
    this.pending = []; // messages typed before the session was confirmed
    this.greetPending = false;
    this.replyTimer = null;
  }

  /** Builds the widget in a shadow root and adds it to the page. */
  mount() {
    const doc = this.doc;
    const host = el(doc, "div", "", { id: "send-widget" });
    host.style.setProperty("--sw-primary", this.config.colours.primary);
    host.style.setProperty("--sw-on-primary", this.config.colours.onPrimary);
    const root = host.attachShadow({ mode: "open" });
    adoptStyles(root, doc);

    this.launcher = el(doc, "button", "sw-launcher", {
      type: "button",
      "aria-expanded": "false",
      "aria-controls": "sw-panel",
    });
    const launcherText = el(doc, "span");
    launcherText.textContent = this.config.launcherText;
    this.launcher.append(chatIcon(doc), launcherText);
    this.launcher.addEventListener("click", () => this.open());

    this.panel = this.buildPanel();
    root.append(this.launcher, this.panel);

    // Rendered before the widget joins the page, so a screen reader does not
    // read a restored conversation aloud: only new messages are announced.
    this.renderAll();
    doc.body.append(host);

    if (this.state.open) this.open({ focus: false });
  }

  buildPanel() {
    const doc = this.doc;
    const c = this.config;
    const panel = el(doc, "section", "sw-panel", {
      id: "sw-panel",
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": "sw-title",
      "aria-describedby": "sw-subtitle",
    });
    panel.hidden = true;
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });

    const header = el(doc, "div", "sw-header");
    const heading = el(doc, "div", "sw-heading");
    const title = el(doc, "h2", "sw-title", { id: "sw-title" });
    title.textContent = c.title;
    const subtitle = el(doc, "p", "sw-subtitle", { id: "sw-subtitle" });
    subtitle.textContent = c.subtitle;
    heading.append(title, subtitle);
    const tools = el(doc, "div", "sw-tools");
    this.restartButton = el(doc, "button", "sw-tool sw-restart", { type: "button" });
    this.restartButton.textContent = "Start again";
    this.restartButton.addEventListener("click", () => this.restart());
    this.closeButton = el(doc, "button", "sw-tool sw-close", { type: "button" });
    this.closeButton.textContent = "Close";
    this.closeButton.setAttribute("aria-label", "Close the chat");
    this.closeButton.addEventListener("click", () => this.close());
    tools.append(this.restartButton, this.closeButton);
    header.append(heading, tools);

    const privacy = el(doc, "p", "sw-privacy");
    privacy.textContent = c.privacyText ? `${c.privacyText} ` : "";
    const privacyHref = c.privacyUrl ? safeHref(String(c.privacyUrl), doc.baseURI) : null;
    if (privacyHref) privacy.append(link(doc, privacyHref, c.privacyLinkText));

    this.log = el(doc, "div", "sw-log", {
      role: "log",
      "aria-live": "polite",
      "aria-label": "Conversation",
      tabindex: "0",
    });

    this.status = el(doc, "div", "sw-status", { role: "status" });

    const form = el(doc, "form", "sw-form");
    const label = el(doc, "label", "sw-label", { for: "sw-input" });
    label.textContent = "Your message";
    this.input = el(doc, "input", "sw-input", {
      id: "sw-input",
      type: "text",
      autocomplete: "off",
      maxlength: "2000",
    });
    const send = el(doc, "button", "sw-send", { type: "submit" });
    send.textContent = "Send";
    form.append(label, this.input, send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = "";
      this.send(text, text, { typed: true });
    });

    panel.append(header, privacy, this.log, this.status, form);
    return panel;
  }

  open({ focus = true } = {}) {
    this.panel.hidden = false;
    this.launcher.hidden = true;
    this.launcher.setAttribute("aria-expanded", "true");
    this.state.open = true;
    store.save(this.state);
    if (!this.state.messages.length) this.greetPending = true;
    this.connect();
    this.scrollToEnd();
    if (focus) this.input.focus();
  }

  close() {
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute("aria-expanded", "false");
    this.state.open = false;
    store.save(this.state);
    this.launcher.focus();
  }

  /** Connects on first open only: a page view alone never contacts the server. */
  connect() {
    if (this.socket) return;
    const socket = io(this.config.serverUrl, { path: this.config.socketPath });
    this.socket = socket;
    socket.on("connect", () => {
      this.confirmed = false;
      socket.emit("session_request", { session_id: this.state.session });
    });
    socket.on("session_confirm", (token) => this.confirmSession(token));
    socket.on("bot_uttered", (data) => this.receive(data));
    socket.on("disconnect", () => {
      this.confirmed = false;
    });
    socket.on("connect_error", () => {
      this.setStatus("The assistant cannot be reached just now. It will keep trying.", "error");
    });
  }

  confirmSession(token) {
    if (typeof token !== "string") return;
    const earlier = this.state.session;
    if (earlier && token !== earlier && this.state.messages.length) {
      // The server did not continue it: it had expired, or the server was restarted.
      this.state.answerIsPrivate = false;
      this.add({
        from: "note",
        text: "Your earlier conversation has ended, so this is a new one. Please ask your question again.",
      });
    }
    this.state.session = token;
    this.confirmed = true;
    store.save(this.state);
    if (this.status.dataset.kind === "error") this.setStatus("");
    if (this.greetPending && this.config.greeting && !this.state.messages.length) {
      this.emit(this.config.greeting, { typing: false });
    }
    this.greetPending = false;
    for (const message of this.pending.splice(0)) this.emit(message);
  }

  /**
   * Shows what the family chose or typed (as text only) and sends `message`.
   * A typed answer to a question that asks for personal details is marked
   * private: shown now, kept only as a placeholder (store.js).
   */
  send(shown, message, { typed = false } = {}) {
    const entry = { from: "user", text: shown };
    if (typed && this.state.answerIsPrivate) entry.private = true;
    this.state.answerIsPrivate = false;
    this.add(entry);
    if (this.socket && this.confirmed) {
      this.emit(message);
    } else {
      this.pending.push(message); // sent once the server confirms the session
      this.showTyping();
    }
  }

  emit(message, { typing = true } = {}) {
    this.socket.emit("user_uttered", { message, session_id: this.state.session });
    if (typing) this.showTyping();
  }

  receive(data) {
    if (!data || typeof data.text !== "string") return; // only text and buttons are shown
    const replies = Array.isArray(data.quick_replies) ? data.quick_replies : data.buttons || [];
    const buttons = replies
      .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
      .map((b) => ({ title: b.title, payload: b.payload }));
    this.hideTyping();
    if (data.metadata && data.metadata.asks_personal_detail === true) this.state.answerIsPrivate = true;
    this.add({ from: "bot", text: data.text, buttons });
  }

  restart() {
    this.state = { session: null, open: true, messages: [], answerIsPrivate: false };
    store.save(this.state);
    this.pending = [];
    this.hideTyping();
    this.renderAll();
    this.setStatus("You have started a new conversation.");
    this.greetPending = true;
    if (this.socket && this.socket.connected) {
      this.confirmed = false;
      this.socket.emit("session_request", { session_id: null });
    } else {
      this.connect();
    }
    this.input.focus();
  }

  add(message) {
    this.state.messages.push(message);
    store.save(this.state);
    const empty = this.log.querySelector(".sw-empty");
    if (empty) empty.remove();
    this.log.append(this.renderMessage(message));
    this.scrollToEnd();
  }

  renderAll() {
    this.log.replaceChildren();
    if (!this.state.messages.length) {
      const hint = el(this.doc, "p", "sw-empty");
      hint.textContent = "Tell the assistant in your own words what you disagree about.";
      this.log.append(hint);
    }
    for (const message of this.state.messages) this.log.append(this.renderMessage(message));
  }

  renderMessage(message) {
    const doc = this.doc;
    const item = el(doc, "div", `sw-msg sw-msg--${message.from}`);
    if (message.from !== "note") {
      const who = el(doc, "span", "sw-who");
      who.textContent = message.from === "user" ? "You" : this.config.botName;
      item.append(who);
    }
    const text = el(doc, "div", "sw-text");
    if (message.from === "bot") text.append(formatText(message.text, doc));
    else text.textContent = message.text; // a family's words are never markup
    item.append(text);
    if (message.buttons && message.buttons.length) {
      const group = el(doc, "div", "sw-buttons", { role: "group", "aria-label": "Suggested replies" });
      for (const button of message.buttons) {
        const choice = el(doc, "button", "sw-choice", { type: "button" });
        choice.textContent = button.title;
        choice.addEventListener("click", () => {
          this.send(button.title, button.payload);
          this.input.focus();
        });
        group.append(choice);
      }
      item.append(group);
    }
    return item;
  }

  showTyping() {
    const doc = this.doc;
    this.status.replaceChildren();
    delete this.status.dataset.kind;
    const dots = el(doc, "span", "sw-dots", { "aria-hidden": "true" });
    for (let i = 0; i < 3; i += 1) dots.append(el(doc, "span", "sw-dot"));
    const words = el(doc, "span");
    words.textContent = `${this.config.botName} is typing`;
    this.status.append(dots, words);
    this.status.classList.add("sw-typing");
    clearTimeout(this.replyTimer);
    this.replyTimer = setTimeout(
      () => this.setStatus("No reply yet. Please check your connection and try again.", "error"),
      this.config.replyTimeoutMs
    );
  }

  hideTyping() {
    clearTimeout(this.replyTimer);
    if (this.status.classList.contains("sw-typing") || this.status.dataset.kind === "error") {
      this.setStatus("");
    }
  }

  setStatus(text, kind) {
    this.status.classList.remove("sw-typing");
    this.status.textContent = text;
    if (kind) this.status.dataset.kind = kind;
    else delete this.status.dataset.kind;
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }
}

function start() {
  if (document.getElementById("send-widget")) return; // the script was included twice
  new Widget(readConfig()).mount();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
