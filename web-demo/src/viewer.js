// The message view: the raw message from the server is decoded here in JavaScript
// (postal-mime: MIME structure, transfer encodings, charsets) — never in the wasm — and its
// HTML part is sanitized (DOMPurify) before it touches the page.

import PostalMime from 'postal-mime';
import DOMPurify from 'dompurify';

const viewer = document.getElementById('viewer');
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

// Remote images and links opening in this tab: no tracking pixels, no navigation away.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.hasAttribute?.('src') && /^\s*(https?:)?\/\//i.test(node.getAttribute('src'))) {
    node.removeAttribute('src');
  }
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

/** Decodes raw message bytes: `{ subject, from, to, date, text, html, attachments }`. */
export async function decodeMessage(bytes) {
  const email = await PostalMime.parse(bytes);
  return {
    subject: email.subject ?? '',
    from: email.from ? formatAddress(email.from) : '',
    to: (email.to ?? []).map(formatAddress).join(', '),
    date: email.date ? new Date(email.date) : null,
    text: email.text ?? '',
    html: email.html ? DOMPurify.sanitize(email.html, { FORBID_TAGS: ['style', 'form'] }) : '',
    attachments: (email.attachments ?? []).map((a) => ({
      name: a.filename || '(unnamed)',
      type: a.mimeType,
      size: a.content?.byteLength ?? 0,
    })),
  };
}

/** Shows a placeholder (while loading, or when nothing is open). */
export function showPlaceholder(text) {
  const p = document.createElement('p');
  p.className = 'muted';
  p.textContent = text;
  viewer.replaceChildren(p);
}

/**
 * Shows `message` (from `decodeMessage`) for list entry `summary`. `actions`:
 * `{ toggleSeen(), toggleFlagged(), trash() }`, or `trash: null` when there is no Trash.
 */
export function showMessage(summary, message, actions) {
  const h = document.createElement('h2');
  h.textContent = message.subject || '(no subject)';
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = [
    `From: ${message.from}`,
    message.to && `To: ${message.to}`,
    message.date && dateFormat.format(message.date),
  ].filter(Boolean).join(' · ');

  const bar = document.createElement('div');
  bar.className = 'actions';
  bar.append(
    button('toggle-seen', summary.flags.includes('\\Seen') ? 'Mark unread' : 'Mark read', actions.toggleSeen),
    button('toggle-flag', summary.flags.includes('\\Flagged') ? '★ Flagged' : '☆ Flag', actions.toggleFlagged,
      summary.flags.includes('\\Flagged')),
  );
  if (actions.trash) bar.append(button('trash', 'Move to Trash', actions.trash));

  const body = document.createElement('div');
  const parts = [];
  if (message.html) parts.push(['HTML', () => htmlBody(message.html)]);
  if (message.text || !message.html) parts.push(['Plain text', () => textBody(message.text)]);
  const tabs = document.createElement('div');
  tabs.className = 'tabs';
  tabs.setAttribute('role', 'tablist');
  const show = (index) => {
    body.replaceChildren(parts[index][1]());
    tabs.querySelectorAll('button').forEach((b, i) => b.setAttribute('aria-selected', String(i === index)));
  };
  parts.forEach(([label], index) => {
    const tab = document.createElement('button');
    tab.setAttribute('role', 'tab');
    tab.textContent = label;
    tab.addEventListener('click', () => show(index));
    tabs.append(tab);
  });
  viewer.replaceChildren(h, meta, bar);
  if (parts.length > 1) viewer.append(tabs);
  viewer.append(body);
  show(0);

  if (message.attachments.length) {
    const list = document.createElement('div');
    list.className = 'attachments';
    list.textContent = `Attachments: ${message.attachments.map((a) => `${a.name} (${a.type}, ${a.size} bytes)`).join(', ')}`;
    viewer.append(list);
  }
}

function htmlBody(html) {
  const div = document.createElement('div');
  div.className = 'body-html';
  div.innerHTML = html; // sanitized by DOMPurify in decodeMessage
  return div;
}

function textBody(text) {
  const pre = document.createElement('pre');
  pre.className = 'body-text';
  pre.textContent = text || '(empty message)';
  return pre;
}

function button(id, label, onClick, pressed) {
  const b = document.createElement('button');
  b.dataset.action = id;
  b.textContent = label;
  if (pressed !== undefined) b.setAttribute('aria-pressed', String(pressed));
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await onClick();
    } finally {
      b.disabled = false;
    }
  });
  return b;
}

function formatAddress(a) {
  return a.name ? `${a.name} <${a.address}>` : a.address ?? '';
}
