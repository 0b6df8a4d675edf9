// Wires the pieces together: the connect form, the session, the mailbox tree, the message
// list and the viewer. Every IMAP call goes through `Session` (connection.js).

import './style.css';
import { Session } from './connection.js';
import { describeConnect, hideError, showError } from './errors.js';
import { loadMailboxes, renderMailboxes, specialMailbox, updateCounts } from './mailboxes.js';
import { MessageList } from './list.js';
import { decodeMessage, showMessage, showPlaceholder } from './viewer.js';

const form = document.getElementById('connect');
const submit = document.getElementById('connect-button');
const app = document.getElementById('app');
const status = document.getElementById('status');
const logoutButton = document.getElementById('logout');

/** How many rows arrive between two progress updates. */
const PROGRESS_STEP = 50;

let session = null;
let settings = null;
let boxes = [];
let current = null;
let openUid = null;
/** Bumped when another mailbox opens, so rows still arriving for the old one are dropped. */
let generation = 0;
const list = new MessageList((summary) => guard(() => openMessage(summary)));

function setStatus(state, text = state) {
  status.dataset.state = state;
  status.textContent = text;
  document.body.dataset.state = state;
}

/** Runs `step`, turning any error into the banner (with Reconnect when the link is gone). */
async function guard(step) {
  try {
    await step();
  } catch (error) {
    failed(error);
  }
}

function failed(error) {
  const { kind } = showError(error, reconnect);
  if (kind === 'lost' || kind === 'timeout') setStatus('lost', 'connection lost');
}

async function connect(values) {
  hideError();
  submit.disabled = true;
  setStatus('connecting', 'connecting…');
  try {
    session = await Session.open(values);
  } catch (error) {
    setStatus('offline');
    showError(error, null, describeConnect);
    return;
  } finally {
    submit.disabled = false;
  }
  settings = values;
  form.hidden = true;
  app.hidden = false;
  logoutButton.hidden = false;
  setStatus('connected', `${values.user} · connected`);
  await guard(async () => {
    boxes = await loadMailboxes(session);
    await openMailbox(current ?? 'INBOX');
  });
}

async function reconnect() {
  const old = session;
  session = null;
  await old?.close();
  if (settings) await connect(settings);
}

async function logout() {
  await session?.close();
  session = null;
  current = null;
  app.hidden = true;
  logoutButton.hidden = true;
  form.hidden = false;
  setStatus('offline');
}

async function openMailbox(name) {
  session.unwatch();
  const mine = ++generation;
  current = name;
  openUid = null;
  renderMailboxes(boxes, current, (next) => guard(() => openMailbox(next)));
  list.reset(name);
  showPlaceholder('Select a message.');
  setStatus('loading', 'loading…');
  const { exists } = await session.select(name);
  if (mine !== generation) return;
  let received = 0;
  list.progress(0, exists);
  if (exists > 0) {
    await session.streamSummaries('1:*', (summary) => {
      if (mine !== generation) return;
      list.upsert(summary);
      received += 1;
      if (received % PROGRESS_STEP === 0) list.progress(received, exists);
    });
  }
  if (mine !== generation) return;
  list.progress(exists, exists);
  refreshCounts();
  session.watch(name, () => resync(), (error) => failed(error));
  setStatus('live', `${settings.user} · live`);
}

/** After IDLE reported a change: flags, expunges and new mail, in two commands. */
async function resync() {
  const mine = generation;
  const state = await session.uidFlags();
  if (mine !== generation) return;
  const known = new Set(list.uids());
  const fresh = [];
  for (const { uid, flags } of state) {
    if (known.delete(uid)) list.setFlags(uid, flags);
    else fresh.push(uid);
  }
  for (const gone of known) list.remove(gone);
  if (fresh.length) await session.streamSummaries(fresh, (s) => list.upsert(s, true));
  refreshCounts();
  if (openUid !== null && !list.get(openUid)) showPlaceholder('This message was removed.');
}

/** The selected mailbox's counts, from the list itself (no extra command). */
function refreshCounts() {
  const uids = list.uids();
  const unseen = uids.filter((uid) => !list.get(uid).flags.includes('\\Seen')).length;
  updateCounts(boxes, current, { messages: uids.length, unseen });
  list.showCount();
}

async function openMessage(summary) {
  openUid = summary.uid;
  list.select(summary.uid);
  showPlaceholder('Loading…');
  const message = await decodeMessage(await session.fetchRaw(summary.uid));
  if (openUid !== summary.uid) return;
  if (!summary.flags.includes('\\Seen')) await toggle(summary.uid, '\\Seen');
  render(summary.uid, message);
}

function render(uid, message) {
  const trash = specialMailbox(boxes, '\\Trash');
  showMessage(list.get(uid), message, {
    toggleSeen: () => guard(async () => { await toggle(uid, '\\Seen'); render(uid, message); }),
    toggleFlagged: () => guard(async () => { await toggle(uid, '\\Flagged'); render(uid, message); }),
    trash: trash && trash !== current ? () => guard(() => moveTo(uid, trash)) : null,
  });
}

async function toggle(uid, flag) {
  const flags = list.get(uid).flags;
  const on = !flags.includes(flag);
  await session.setFlag(uid, flag, on);
  list.setFlags(uid, on ? [...flags, flag] : flags.filter((f) => f !== flag));
  refreshCounts();
}

async function moveTo(uid, mailbox) {
  await session.move(uid, mailbox);
  list.remove(uid);
  openUid = null;
  showPlaceholder(`Moved to ${mailbox}.`);
  refreshCounts();
  updateCounts(boxes, mailbox, await session.status(mailbox));
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const values = Object.fromEntries(new FormData(form));
  current = null;
  connect(values);
});
logoutButton.addEventListener('click', () => guard(logout));

// Defaults for the local demo: `cargo xtask demo` writes demo-config.json next to the page.
fetch('demo-config.json')
  .then((r) => (r.ok ? r.json() : {}))
  .catch(() => ({}))
  .then((defaults) => {
    for (const [key, value] of Object.entries(defaults)) {
      const input = form.elements.namedItem(key);
      if (input && !input.value) input.value = String(value);
    }
    setStatus('offline');
  });
