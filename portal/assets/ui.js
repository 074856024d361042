// ui.js: small DOM helpers shared by the views. Text always goes in through
// textContent, never as HTML.

/** byId returns the element with the given id. */
export function byId(id) {
  return document.getElementById(id);
}

/**
 * el makes an element: el('td', {className: 'ref', dataset: {id}}, 'text', child).
 * Properties are assigned (names with a dash, like aria-label, are set as
 * attributes); strings become text nodes, never HTML.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (name.includes('-')) {
      node.setAttribute(name, value);
    } else {
      node[name] = value;
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** say shows a message in the page's live region (read out by screen readers). */
export function say(text, kind = 'info') {
  const box = byId('status');
  box.className = 'notice' + (kind === 'info' ? '' : ' ' + kind);
  box.textContent = text;
  box.hidden = false;
}

/** hush hides the live region's message. */
export function hush() {
  const box = byId('status');
  box.hidden = true;
  box.textContent = '';
}

/** formatTime shows an RFC 3339 time in the user's locale and time zone. */
export function formatTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return iso || '';
  }
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** busy disables button while fn runs, so a double click sends one request. */
export async function busy(button, fn) {
  if (button.disabled) {
    return undefined;
  }
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** copyText puts text on the clipboard; it reports whether that worked. */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (_) {
      // fall back below
    }
  }
  const area = el('textarea', { value: text, readOnly: true, className: 'offscreen' });
  area.setAttribute('aria-hidden', 'true');
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch (_) {
    ok = false;
  }
  area.remove();
  return ok;
}

/** table builds a table with a header row and the given body rows. */
export function table(caption, headings, rows) {
  const head = el('tr', {}, ...headings.map((h) => el('th', { scope: 'col' }, h)));
  return el('table', {}, el('caption', { className: 'visually-hidden' }, caption), el('thead', {}, head), el('tbody', {}, ...rows));
}

/**
 * ask opens the confirmation dialog. fields are {id, label, type, required,
 * help}; it resolves to the fields' values by id, or null when cancelled.
 */
export function ask({ title, text, confirm, fields = [] }) {
  const dialog = byId('confirm');
  byId('confirm-title').textContent = title;
  byId('confirm-text').textContent = text;
  byId('confirm-ok').textContent = confirm;
  const host = byId('confirm-fields');
  host.replaceChildren();
  for (const f of fields) {
    const input = f.type === 'textarea'
      ? el('textarea', { id: f.id, name: f.id, required: !!f.required, maxLength: f.maxLength || 500 })
      : el('input', { id: f.id, name: f.id, type: f.type || 'text', required: !!f.required });
    const parts = [el('label', { htmlFor: f.id }, f.label), input];
    if (f.help) {
      input.setAttribute('aria-describedby', f.id + '-help');
      parts.push(el('p', { className: 'help', id: f.id + '-help' }, f.help));
    }
    host.append(el('div', { className: 'field' }, ...parts));
  }
  const opener = document.activeElement;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      const values = {};
      for (const f of fields) {
        values[f.id] = byId(f.id).value.trim();
      }
      host.replaceChildren();
      if (opener && opener.isConnected) {
        opener.focus();
      }
      resolve(dialog.returnValue === 'ok' ? values : null);
    }, { once: true });
    dialog.showModal();
    const first = host.querySelector('input, textarea');
    (first || byId('confirm-cancel')).focus();
  });
}
