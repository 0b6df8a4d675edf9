// The one place that talks to the daaki-imap npm package. A `Session` is one logged-in IMAP
// connection through the bridge. IMAP allows one command at a time next to IDLE, so every
// command goes through `run()`, which stops the IDLE in progress (AbortSignal), runs the
// command and lets the IDLE loop start again: the user never waits for IDLE to time out.

import init, { ImapClient } from 'daaki-imap';

/** How long one command may take. */
const TIMEOUT_MS = 30_000;
/** How long one IDLE lasts before it is renewed (RFC 2177: below 29 minutes). */
const IDLE_MS = 20 * 60_000;

let ready;
/** Loads the wasm module once. */
function loadWasm() {
  ready ??= init();
  return ready;
}

/** A FIFO lock: `await lock()` gives a release function. */
class Lock {
  #tail = Promise.resolve();
  lock() {
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    const before = this.#tail;
    this.#tail = before.then(() => held);
    return before.then(() => release);
  }
}

export class Session {
  #client;
  #lock = new Lock();
  #waiting = 0;
  #idle = null; // { controller, mailbox }
  #closed = false;

  constructor(client) {
    this.#client = client;
  }

  /**
   * Connects through the bridge and logs in. `settings`: `{ bridgeUrl, target, host, port,
   * user, password }`; `target` (a name from the bridge's configuration) wins over host/port.
   */
  static async open(settings) {
    await loadWasm();
    const options = { bridgeUrl: settings.bridgeUrl, timeoutMs: TIMEOUT_MS };
    if (settings.target) {
      options.target = settings.target;
    } else {
      options.host = settings.host;
      options.port = Number(settings.port) || 993;
    }
    const client = await ImapClient.connect(options);
    try {
      await client.login(settings.user, settings.password);
    } catch (error) {
      await client.logout().catch(() => {});
      throw error;
    }
    return new Session(client);
  }

  /** Runs `command(client)` exclusively, pausing IDLE around it. */
  async run(command) {
    if (this.#closed) throw Object.assign(new Error('not connected'), { code: 'CLOSED' });
    this.#waiting += 1;
    this.#idle?.controller?.abort();
    const release = await this.#lock.lock();
    this.#waiting -= 1;
    try {
      return await command(this.#client);
    } finally {
      release();
    }
  }

  /** Mailboxes: `[{ name, delimiter, specialUse, selectable }]`. */
  listMailboxes() {
    return this.run(async (c) => (await c.list('', '*')).map(toMailbox));
  }

  /** `{ messages, unseen }` of `mailbox`. */
  status(mailbox) {
    return this.run(async (c) => {
      const s = await c.status(mailbox, ['messages', 'unseen']);
      return { messages: s.messages ?? 0, unseen: s.unseen ?? 0 };
    });
  }

  /** Selects `mailbox`; `{ exists }`. */
  select(mailbox) {
    return this.run(async (c) => {
      const s = await c.select(mailbox);
      return { exists: s.exists ?? 0 };
    });
  }

  /**
   * Streams the headers of messages `uids` of the selected mailbox (a UID set such as `1:*`
   * or a list of UIDs), calling `onMessage(summary)` for each as it arrives.
   */
  streamSummaries(uids, onMessage) {
    return this.run(async (c) => {
      for await (const item of c.fetchStream(uids, ['uid', 'flags', 'envelope', 'internalDate'])) {
        onMessage(toSummary(item));
      }
    });
  }

  /** `[{ uid, flags }]` of every message in the selected mailbox. */
  uidFlags() {
    return this.run(async (c) => {
      const items = await c.uidFetch('1:*', ['uid', 'flags']); // UID FETCH: fine on an empty mailbox
      return items.map((i) => ({ uid: i.uid, flags: (i.flags ?? []).map(String) }));
    });
  }

  /** The raw RFC 5322 bytes of message `uid` (does not set \Seen). */
  fetchRaw(uid) {
    return this.run(async (c) => {
      const items = await c.uidFetch(uid, [{ bodySection: { section: '', peek: true } }]);
      const bytes = items.find((i) => i.uid === uid)?.bodySections.find((s) => s.section === '')?.data;
      if (!(bytes instanceof Uint8Array)) {
        throw Object.assign(new Error(`message ${uid} is no longer there`), { code: 'NO' });
      }
      return bytes;
    });
  }

  /** Adds (`on`) or removes a flag such as `\\Seen` on message `uid`. */
  setFlag(uid, flag, on) {
    return this.run((c) => c.uidStore(uid, on ? 'add' : 'remove', [flag]));
  }

  /** Moves message `uid` to `mailbox`. */
  move(uid, mailbox) {
    return this.run((c) => c.uidMove(uid, mailbox));
  }

  /**
   * Keeps an IDLE running on the selected `mailbox` between commands; `onChange(event)` is
   * called (with the connection free for commands via `run`) when the server reports new,
   * expunged or changed messages; `onError(error)` when the connection fails.
   */
  watch(mailbox, onChange, onError) {
    this.#idle = { controller: null, mailbox };
    const token = this.#idle;
    const loop = async () => {
      while (!this.#closed && this.#idle === token) {
        const release = await this.#lock.lock();
        let event = null;
        try {
          if (this.#waiting > 0 || this.#idle !== token || this.#closed) continue;
          token.controller = new AbortController();
          event = await this.#client.idle({ signal: token.controller.signal, timeoutMs: IDLE_MS });
          token.controller = null;
        } catch (error) {
          token.controller = null;
          if (error?.code === 'ABORTED') continue; // a command wants the connection
          if (!this.#closed) onError(error);
          return;
        } finally {
          release();
        }
        if (event.kind !== 'timeout') {
          try {
            await onChange(event);
          } catch (error) {
            onError(error);
            return;
          }
        }
      }
    };
    loop();
  }

  /** Stops IDLE. */
  unwatch() {
    const idle = this.#idle;
    this.#idle = null;
    idle?.controller?.abort();
  }

  /** Logs out (best effort) and closes. */
  async close() {
    this.unwatch();
    if (this.#closed) return;
    const release = await this.#lock.lock();
    this.#closed = true;
    try {
      await this.#client.logout();
    } catch {
      // Already gone: nothing to tell the user on the way out.
    } finally {
      release();
    }
  }
}

const SPECIAL_USE = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive', '\\All', '\\Flagged'];

function toMailbox(entry) {
  const lower = entry.attributes.map((a) => a.toLowerCase());
  return {
    name: entry.name,
    delimiter: entry.delimiter ?? '/',
    specialUse: SPECIAL_USE.find((s) => lower.includes(s.toLowerCase())) ?? null,
    selectable: !lower.includes('\\noselect') && !lower.includes('\\nonexistent'),
  };
}

function toSummary(item) {
  const env = item.envelope;
  const from = env?.from[0] ?? env?.sender[0] ?? null;
  return {
    uid: item.uid,
    flags: item.flags ?? [],
    subject: env?.subject ?? '',
    from: from ? { name: from.name ?? '', address: address(from) } : null,
    // A date the server sent in a form that does not parse stays its text: parse that leniently.
    date: item.internalDate instanceof Date ? item.internalDate : dateOf(item.internalDate ?? env?.date),
  };
}

/** `mailbox@host` of an envelope address (the local part alone when there is no host). */
function address(a) {
  return a.mailbox && a.host ? `${a.mailbox}@${a.host}` : a.mailbox ?? '';
}

/** A date from a header's or a server's text, or null. */
function dateOf(text) {
  const date = text ? new Date(text) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}
