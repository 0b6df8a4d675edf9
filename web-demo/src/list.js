// The message list: rows arrive one by one from a streaming FETCH (with a progress bar), are
// kept newest first, and follow flag changes, expunges and new mail reported by IDLE.

import { decodeWords } from 'postal-mime';

const list = document.getElementById('message-list');
const title = document.getElementById('list-title');
const progress = document.getElementById('list-progress');
const count = document.getElementById('list-count');

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export class MessageList {
  #messages = new Map(); // uid -> summary
  #rows = new Map(); // uid -> <li>
  #selected = null;
  #onOpen;
  #pending = false;

  /** `onOpen(summary)` when a row is clicked. */
  constructor(onOpen) {
    this.#onOpen = onOpen;
  }

  /** Empties the list and titles it `mailbox`. */
  reset(mailbox) {
    this.#messages.clear();
    this.#rows.clear();
    this.#selected = null;
    list.replaceChildren();
    title.textContent = mailbox;
    count.textContent = '';
  }

  /** Shows the loading progress: `received` of `total` messages. */
  progress(received, total) {
    progress.hidden = received >= total;
    progress.max = Math.max(total, 1);
    progress.value = received;
    count.textContent = received >= total ? plural(this.#messages.size) : `loading ${received} / ${total}…`;
  }

  /** Shows how many messages are listed (after loading, and after each change). */
  showCount() {
    count.textContent = plural(this.#messages.size);
  }

  /** The summary of `uid`, if listed. */
  get(uid) {
    return this.#messages.get(uid) ?? null;
  }

  /** The UIDs listed. */
  uids() {
    return [...this.#messages.keys()];
  }

  /** Adds or replaces a message; `fresh` marks mail that arrived while watching. */
  upsert(summary, fresh = false) {
    const decoded = {
      ...summary,
      subject: decode(summary.subject),
      from: summary.from && { ...summary.from, name: decode(summary.from.name) },
    };
    this.#messages.set(summary.uid, decoded);
    const row = this.#row(decoded);
    if (fresh) row.classList.add('new');
    this.#schedule();
  }

  /** Sets the flags of `uid`. */
  setFlags(uid, flags) {
    const message = this.#messages.get(uid);
    if (!message) return;
    message.flags = flags;
    this.#row(message);
  }

  /** Drops `uid` (expunged or moved away). */
  remove(uid) {
    this.#messages.delete(uid);
    this.#rows.get(uid)?.remove();
    this.#rows.delete(uid);
    if (this.#selected === uid) this.#selected = null;
    this.showCount();
  }

  /** Marks `uid` as the open message. */
  select(uid) {
    this.#rows.get(this.#selected)?.setAttribute('aria-selected', 'false');
    this.#selected = uid;
    this.#rows.get(uid)?.setAttribute('aria-selected', 'true');
  }

  #row(m) {
    let row = this.#rows.get(m.uid);
    if (!row) {
      row = document.createElement('li');
      row.className = 'message';
      row.dataset.uid = String(m.uid);
      row.tabIndex = 0;
      row.setAttribute('aria-selected', 'false');
      row.addEventListener('click', () => this.#onOpen(this.#messages.get(m.uid)));
      row.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.#onOpen(this.#messages.get(m.uid)); });
      this.#rows.set(m.uid, row);
    }
    const seen = m.flags.includes('\\Seen');
    const flagged = m.flags.includes('\\Flagged');
    const answered = m.flags.includes('\\Answered');
    row.classList.toggle('unseen', !seen);
    row.dataset.flagged = String(flagged);
    row.dataset.seen = String(seen);
    row.replaceChildren(
      cell('flags', `${flagged ? '★' : ''}${answered ? '↩' : ''}`, flagged ? 'flagged' : ''),
      cell('from', m.from ? m.from.name || m.from.address : '(unknown sender)', m.from?.address ?? ''),
      cell('date', m.date ? dateFormat.format(m.date) : ''),
      cell('subject', m.subject || '(no subject)'),
    );
    return row;
  }

  // Re-sorting on every arriving row would be quadratic: order once per animation frame.
  #schedule() {
    if (this.#pending) return;
    this.#pending = true;
    requestAnimationFrame(() => {
      this.#pending = false;
      const ordered = [...this.#messages.values()].sort(newestFirst);
      list.replaceChildren(...ordered.map((m) => this.#rows.get(m.uid)));
    });
  }
}

function newestFirst(a, b) {
  return (b.date?.getTime() ?? 0) - (a.date?.getTime() ?? 0) || b.uid - a.uid;
}

function decode(text) {
  if (!text || !text.includes('=?')) return text ?? '';
  try {
    return decodeWords(text);
  } catch {
    return text;
  }
}

function cell(className, text, title = '') {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  if (title) el.title = title;
  return el;
}

function plural(n) {
  return n === 1 ? '1 message' : `${n} messages`;
}
