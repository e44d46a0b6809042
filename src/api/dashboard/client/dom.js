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

// Scroll positions of the scrollable parts (elements with a `data-scroll` key), recorded as the
// user scrolls so that a redraw never has to read them (a read would force a layout).
const scrolled = new Map();
let pending;

/** Starts recording scroll positions; call once. */
export function rememberScrolling() {
  document.addEventListener(
    'scroll',
    (event) => {
      const el = event.target;
      if (el instanceof Element && el.dataset.scroll) scrolled.set(el.dataset.scroll, [el.scrollTop, el.scrollLeft]);
    },
    { capture: true, passive: true },
  );
}

// Rebuilt scrollable parts get their position back in the next frame, all at once (one layout).
function restoreScrolling(root) {
  for (const el of root.querySelectorAll('[data-scroll]')) {
    if (!scrolled.has(el.dataset.scroll)) continue;
    if (!pending) {
      pending = new Set();
      requestAnimationFrame(() => {
        const els = pending;
        pending = undefined;
        for (const x of els) if (x.isConnected) [x.scrollTop, x.scrollLeft] = scrolled.get(x.dataset.scroll);
      });
    }
    pending.add(el);
  }
}

/** Replaces a container's children (scrollable parts keep their position). */
export function swap(container, ...children) {
  container.replaceChildren(...children.flat(Infinity).filter(Boolean));
  restoreScrolling(container);
}

/**
 * Updates a container part by part: `parts` is a list of `[name, key, build]`. A part whose
 * name and key are unchanged since the last update keeps its nodes untouched (no rebuild, no
 * layout, scroll position intact); the others are built again (`key` null: always). `build` may
 * return null for "nothing".
 */
export function update(container, parts) {
  const old = new Map();
  for (const child of container.children) if (child.dataset.part) old.set(child.dataset.part, child);
  const next = [];
  for (const [name, key, build] of parts) {
    const prev = old.get(name);
    if (prev && key !== null && prev.dataset.key === key) {
      next.push(prev);
      continue;
    }
    const el = build();
    if (!el) continue;
    el.dataset.part = name;
    if (key !== null) el.dataset.key = key;
    next.push(el);
  }
  // Remove what goes first, then insert around the kept nodes: a kept node is never moved.
  const keep = new Set(next);
  for (const child of [...container.childNodes]) if (!keep.has(child)) child.remove();
  let cursor = container.firstChild;
  for (const el of next) {
    if (el === cursor) cursor = cursor.nextSibling;
    else {
      container.insertBefore(el, cursor);
      restoreScrolling(el);
    }
  }
}

/** Width available to a panel's drawing, in CSS pixels. */
export function widthOf(container, fallback = 960) {
  return Math.max(320, Math.floor(container.clientWidth || fallback));
}
