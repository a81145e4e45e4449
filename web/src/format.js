/**
 * Turns the assistant's text into DOM nodes without ever parsing it as HTML.
 *
 * Why so small: the replies come from content/*.yml and are plain text with
 * line breaks and bare web addresses. The only markup we need is a link, so
 * the only element this creates is <a>, and only for http(s) addresses.
 * Everything else becomes a text node, so a reply (or a family's message)
 * that contains "<img onerror=...>" shows as those characters and runs nothing.
 */

// A bare http(s) address, up to the next space or character that cannot be in one.
const URL_PATTERN = /https?:\/\/[^\s<>"'`]+/g;

// Punctuation that ends a sentence rather than an address ("see https://x.y.").
const TRAILING = /[.,;:!?'"]$/;

/** The address without the sentence's closing punctuation or unbalanced ")". */
export function trimAddress(address) {
  let out = address;
  for (;;) {
    if (TRAILING.test(out)) {
      out = out.slice(0, -1);
    } else if (out.endsWith(")") && count(out, "(") < count(out, ")")) {
      out = out.slice(0, -1);
    } else {
      return out;
    }
  }
}

function count(text, ch) {
  return text.split(ch).length - 1;
}

/** The address as a safe absolute http(s) URL, or null (relative to `base` if given). */
export function safeHref(address, base) {
  try {
    const url = base ? new URL(address, base) : new URL(address);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (_) {
    return null;
  }
}

/**
 * A DocumentFragment of text nodes and links for `text`.
 * Line breaks stay as "\n" in text nodes; the stylesheet shows them
 * (white-space: pre-line), so no <br> is needed.
 */
export function formatText(text, doc = document) {
  const fragment = doc.createDocumentFragment();
  const source = typeof text === "string" ? text : "";
  let last = 0;
  for (const match of source.matchAll(URL_PATTERN)) {
    const address = trimAddress(match[0]);
    const href = safeHref(address);
    if (!href) continue;
    if (match.index > last) fragment.append(doc.createTextNode(source.slice(last, match.index)));
    fragment.append(link(doc, href, address));
    last = match.index + address.length;
  }
  if (last < source.length) fragment.append(doc.createTextNode(source.slice(last)));
  return fragment;
}

/** A link that opens in a new tab, says so to screen readers, and cannot reach back to this page. */
export function link(doc, href, label) {
  const a = doc.createElement("a");
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.textContent = label;
  const hint = doc.createElement("span");
  hint.className = "sw-sr";
  hint.textContent = " (opens in a new tab)";
  a.append(hint);
  return a;
}
