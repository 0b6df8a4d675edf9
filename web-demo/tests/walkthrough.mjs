// The demo's walk-through in headless Chromium (playwright-core, Debian's /usr/bin/chromium):
// run by `cargo xtask demo --check`, which starts the seeded harness Dovecot, the bridge and the
// page, and passes them in the environment:
//
//   DEMO_URL        the page                          DEMO_OUT       where screenshots go
//   DEMO_MESSAGES   messages seeded in INBOX (1000)   DEMO_PASSWORD  the demo user's password
//   DEMO_APPEND     JSON argv of a native daaki-imap client that appends one message to INBOX;
//                   the subject is appended as the last argument
//   DEMO_BRIDGE_PID the bridge's process id: the last step kills it (a lost connection)
//
// Expected subjects, flags and bodies follow the seed (tests/src/harness/seed.rs): message i is
// "Test message i", or "Grüße aus Köln i" (RFC 2047) when i is a multiple of 7; \Seen on every
// 3rd, \Flagged on every 5th; multiple of 10: multipart/alternative (quoted-printable text +
// HTML); multiple of 13: multipart/mixed with an attachment data-i.bin.

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run this through \`cargo xtask demo --check\`)`);
  return value;
};
const url = env('DEMO_URL');
const out = env('DEMO_OUT');
const total = Number(env('DEMO_MESSAGES'));
const password = env('DEMO_PASSWORD');
const appendCommand = JSON.parse(env('DEMO_APPEND'));
const bridgePid = Number(env('DEMO_BRIDGE_PID'));
mkdirSync(out, { recursive: true });

const subject = (i) => (i % 7 === 0 ? `Grüße aus Köln ${i}` : `Test message ${i}`);
const unseenSeeded = (n) => n - Math.floor(n / 3);
/** The newest multipart/alternative message (quoted-printable UTF-8 text and HTML). */
const ALTERNATIVE = total - (total % 10);
/** multipart/mixed, unseen and unflagged in the seed (a multiple of 13, not of 3 or 5). */
const MIXED = [...Array(total).keys()].map((k) => total - k).find((i) => i % 13 === 0 && i % 3 !== 0 && i % 5 !== 0);

const IDLE_BOUND_MS = 60_000;
const STEP_MS = 60_000;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1360, height: 820 } });
page.setDefaultTimeout(STEP_MS);
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e));
page.on('console', (m) => { if (m.type() === 'error') console.log(`  [page console] ${m.text()}`); });

let step = 0;
async function check(name, body) {
  step += 1;
  const started = Date.now();
  try {
    await body();
    console.log(`ok ${step} - ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    console.log(`not ok ${step} - ${name}`);
    await page.screenshot({ path: join(out, `failed-${step}.png`) }).catch(() => {});
    throw error;
  }
}
const shot = (name) => page.screenshot({ path: join(out, `${name}.png`) });
const row = (text) => page.locator('li.message', { has: page.locator('.subject', { hasText: new RegExp(`^${text}$`) }) });
const mailbox = (name) => page.locator(`button.mailbox[data-mailbox="${name}"]`);

async function login(pw = password, target = null) {
  await page.waitForSelector('body[data-state="offline"]');
  if (target !== null) await page.fill('input[name="target"]', target);
  await page.fill('input[name="password"]', pw);
  await page.click('#connect-button');
}

async function loggedIn() {
  await page.waitForSelector('body[data-state="live"]');
}

try {
  await page.goto(url);

  await check('a wrong password is a readable error', async () => {
    await login('not-the-password');
    await page.waitForSelector('#error:not([hidden])');
    assert.equal(await page.textContent('#error-title'), 'Wrong user name or password');
    assert.ok(await page.isVisible('#connect'), 'the form stays');
    await shot('wrong-password');
  });

  await check('a target the bridge does not allow is a readable error', async () => {
    const allowed = await page.inputValue('input[name="target"]');
    await login(password, 'elsewhere');
    await page.waitForFunction(() => document.getElementById('error-title').textContent === 'Server not allowed');
    await shot('refused-target');
    await page.fill('input[name="target"]', allowed);
  });

  await check('an unreachable bridge is a readable error', async () => {
    const bridgeUrl = await page.inputValue('input[name="bridgeUrl"]');
    await page.fill('input[name="bridgeUrl"]', `ws://127.0.0.1:${await unusedPort()}/imap`);
    await login();
    await page.waitForFunction(() => document.getElementById('error-title').textContent === 'Could not reach the bridge');
    await page.fill('input[name="bridgeUrl"]', bridgeUrl);
  });

  await check(`log in and see the mailboxes with counts (INBOX: ${total})`, async () => {
    // Record the list's progress texts while it streams in ("loading 50 / 1000…").
    await page.evaluate(() => {
      window.progressSeen = [];
      const count = document.getElementById('list-count');
      new MutationObserver(() => window.progressSeen.push(count.textContent))
        .observe(count, { childList: true, characterData: true, subtree: true });
    });
    await login();
    await loggedIn();
    assert.ok(await page.isHidden('#error'), 'no error after a good login');
    await page.waitForFunction(() => document.querySelector('#list-count').textContent.endsWith(' messages'));
    const inbox = mailbox('INBOX');
    assert.equal(await inbox.locator('.total').textContent(), String(total));
    assert.equal(await inbox.locator('.unread').textContent(), String(unseenSeeded(total)));
    assert.equal(await inbox.locator('.icon').getAttribute('data-icon'), 'inbox');
    for (const [name, icon] of [['Drafts', 'drafts'], ['Sent', 'sent'], ['Trash', 'trash'], ['Junk', 'junk'], ['Archive', 'archive']]) {
      assert.equal(await mailbox(name).locator('.icon').getAttribute('data-icon'), icon, `${name} has its special-use icon`);
      assert.equal(await mailbox(name).locator('.total').textContent(), '0');
    }
    await shot('mailboxes');
  });

  await check('INBOX streams in with a progress indicator, newest subjects first, decoded', async () => {
    assert.equal(await page.textContent('#list-count'), `${total} messages`);
    const seen = await page.evaluate(() => window.progressSeen);
    const partial = seen.filter((t) => /^loading [1-9]\d* \/ \d+…$/.test(t));
    assert.ok(partial.length > 0, `progress shown while loading (saw ${JSON.stringify(seen.slice(0, 5))})`);
    assert.ok(await page.isHidden('#list-progress'), 'progress bar gone when done');
    const subjects = await page.locator('li.message .subject').evaluateAll((els) => els.slice(0, 8).map((e) => e.textContent));
    assert.deepEqual(subjects, [...Array(8).keys()].map((k) => subject(total - k)));
    const first = page.locator('li.message').first();
    assert.equal(await first.locator('.from').textContent(), `Sender ${total % 50}`);
  });

  await check(`open multipart/alternative message ${ALTERNATIVE}: decoded text and sanitized HTML`, async () => {
    await row(subject(ALTERNATIVE)).click();
    await page.waitForSelector('#viewer h2');
    assert.equal(await page.textContent('#viewer h2'), subject(ALTERNATIVE));
    assert.equal((await page.textContent('#viewer .body-html')).trim(), `Hello from message ${ALTERNATIVE}. Grüße!`);
    assert.equal(await page.textContent('#viewer .body-html b'), String(ALTERNATIVE));
    await page.click('#viewer .tabs button:has-text("Plain text")');
    assert.equal((await page.textContent('#viewer .body-text')).trim(), `Hello from message ${ALTERNATIVE}. Grüße!`);
    await page.click('#viewer .tabs button:has-text("HTML")');
    await shot('demo');
  });

  await check(`open multipart/mixed message ${MIXED}: its text, its attachment, now read`, async () => {
    await row(subject(MIXED)).click();
    await page.waitForFunction((s) => document.querySelector('#viewer h2')?.textContent === s, subject(MIXED));
    assert.equal((await page.textContent('#viewer .body-text')).trim(), `Message ${MIXED} has an attachment.`);
    assert.match(await page.textContent('#viewer .attachments'), new RegExp(`data-${MIXED}\\.bin`));
    assert.equal(await row(subject(MIXED)).getAttribute('data-seen'), 'true');
    const readNow = [ALTERNATIVE, MIXED].filter((i) => i % 3 !== 0).length; // opening marks \Seen
    assert.equal(await mailbox('INBOX').locator('.unread').textContent(), String(unseenSeeded(total) - readNow));
  });

  await check(`flag message ${MIXED}; the flag is still there after a reload`, async () => {
    assert.equal(await row(subject(MIXED)).getAttribute('data-flagged'), 'false');
    await page.click('#viewer [data-action="toggle-flag"]');
    await page.waitForSelector('#viewer [data-action="toggle-flag"][aria-pressed="true"]');
    assert.equal(await row(subject(MIXED)).getAttribute('data-flagged'), 'true');
    await page.reload();
    await login();
    await loggedIn();
    await row(subject(MIXED)).waitFor();
    assert.equal(await row(subject(MIXED)).getAttribute('data-flagged'), 'true');
    assert.equal(await row(subject(MIXED)).getAttribute('data-seen'), 'true');
    assert.equal(await row(subject(MIXED)).locator('.flags').textContent(), '★');
    await shot('flag-after-reload');
  });

  const live = `Live from the native client ${Date.now()}`;
  await check(`a message appended by a native client appears via IDLE (within ${IDLE_BOUND_MS / 1000} s)`, async () => {
    const started = Date.now();
    await run(appendCommand, live);
    await row(live).waitFor({ timeout: IDLE_BOUND_MS });
    console.log(`  appeared ${Date.now() - started} ms after the native client started`);
    assert.equal(await mailbox('INBOX').locator('.total').textContent(), String(total + 1));
    assert.equal(await page.textContent('#list-count'), `${total + 1} messages`);
    assert.equal(await page.locator('li.message .subject').first().textContent(), live, 'newest first');
    await shot('idle-append');
  });

  await check('move the new message to Trash', async () => {
    await row(live).click();
    await page.waitForFunction((s) => document.querySelector('#viewer h2')?.textContent === s, live);
    await page.click('#viewer [data-action="trash"]');
    await row(live).waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.querySelector('button.mailbox[data-mailbox="Trash"] .total').textContent === '1');
    assert.equal(await mailbox('INBOX').locator('.total').textContent(), String(total));
    await mailbox('Trash').click();
    await row(live).waitFor();
  });

  await check('a lost connection (the bridge is killed) is a readable error with Reconnect', async () => {
    process.kill(bridgePid, 'SIGKILL');
    await page.waitForSelector('body[data-state="lost"]');
    assert.equal(await page.textContent('#error-title'), 'Connection lost');
    assert.ok(await page.isVisible('#error-retry'), 'Reconnect is offered');
    await shot('connection-lost');
  });

  assert.deepEqual(pageErrors.map(String), [], 'no uncaught errors in the page');
  console.log(`all ${step} steps passed; screenshots in ${out}`);
} finally {
  await browser.close();
}

/** A loopback port nobody listens on (bound, then released). */
function unusedPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs `argv` plus `extra`, failing on a non-zero exit. */
function run(argv, extra) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], [...argv.slice(1), extra], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${argv[0]} exited with ${code}`))));
  });
}
