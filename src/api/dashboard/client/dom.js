// DOM helpers. Every piece of data reaches the page through these: attributes with
// setAttribute and text as Text nodes, never as markup. Hotkeys, env ids, error messages and
// leader ids are user- or operator-controlled, so no HTML parsing API is used anywhere.

const SVG_NS = 'http://www.w3.org/2000/svg';

function fill(el, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** An HTML element: `h('td', {class: 'num'}, 'text', otherNode)`. */
export function h(tag, attrs, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/** An SVG element, same calling convention as `h`. */
export function s(tag, attrs, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** An SVG `<title>`: the native tooltip and the accessible name of its parent. */
export function tip(...lines) {
  return s('title', {}, lines.filter((l) => l !== null && l !== undefined && l !== '').join('\n'));
}

/** A friendly "nothing here (yet)" paragraph. */
export function empty(text, detail) {
  return h('div', { class: 'empty' }, h('p', {}, text), detail ? h('p', { class: 'detail' }, detail) : null);
}

/**
 * Replaces a container's children, keeping the scroll position of its scrollable parts (those
 * with a `data-scroll` key) across the refresh.
 */
export function swap(container, ...children) {
  const positions = new Map();
  for (const el of container.querySelectorAll('[data-scroll]')) positions.set(el.dataset.scroll, [el.scrollTop, el.scrollLeft]);
  container.replaceChildren(...children.flat(Infinity).filter(Boolean));
  for (const el of container.querySelectorAll('[data-scroll]')) {
    const at = positions.get(el.dataset.scroll);
    if (at) [el.scrollTop, el.scrollLeft] = at;
  }
}

/** Width available to a panel's drawing, in CSS pixels. */
export function widthOf(container, fallback = 960) {
  return Math.max(320, Math.floor(container.clientWidth || fallback));
}
