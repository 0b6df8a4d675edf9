// A TypeScript consumer of the daaki-imap npm package, type-checked with `tsc --strict`
// against the generated .d.ts and run in headless Chromium by run.mjs (through the bridge,
// against the harness Dovecot). Every check throws on failure; `run` returns what it measured.

import init, {
  ImapClient,
  isImapError,
  type FetchItem,
  type FetchedMessage,
  type ImapErrorFields,
  type SearchKey,
} from "daaki-imap";

export interface Config {
  bridgeUrl: string;
  user: string;
  password: string;
  messages: number;
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${what}`);
}

/** Runs `f`, which must reject with an ImapError; returns it. */
async function rejection(f: () => Promise<unknown>, what: string): Promise<Error & ImapErrorFields> {
  try {
    await f();
  } catch (e: unknown) {
    check(isImapError(e), `${what}: an ImapError, got ${String(e)}`);
    check(e instanceof Error, `${what}: an Error instance`);
    return e;
  }
  throw new Error(`${what}: resolved, expected a rejection`);
}

// Compile-time checks: the generated types are precise, not `any`.
// @ts-expect-error "uidd" is not a FetchItem.
const badItem: FetchItem = "uidd";
// @ts-expect-error a search key's text is a string, not a number.
const badKey: SearchKey = { subject: 42 };
void badItem;
void badKey;

export async function run(config: Config): Promise<Record<string, unknown>> {
  await init();
  const connect = () =>
    ImapClient.connect({ bridgeUrl: config.bridgeUrl, target: "dovecot", timeoutMs: 30_000 });
  const report: Record<string, unknown> = {};

  // 1. A wrong password is a typed error: code "NO" with the server's response code.
  const wrong = await connect();
  const denied = await rejection(() => wrong.login(config.user, "not-the-password"), "wrong password");
  check(denied.code === "NO", `wrong password: code NO, got ${denied.code}`);
  check(
    denied.responseCode === "AUTHENTICATIONFAILED",
    `wrong password: responseCode AUTHENTICATIONFAILED, got ${denied.responseCode}`,
  );
  check(denied.name === "ImapError", `error name, got ${denied.name}`);
  report.wrongPassword = { code: denied.code, responseCode: denied.responseCode };
  wrong.free();

  // 2. Login and SELECT through the bridge.
  const client = await connect();
  await client.login(config.user, config.password);
  check(client.capabilities().includes("IDLE"), "IDLE advertised after login");
  const inbox = await client.select("INBOX");
  check(inbox.exists === config.messages, `INBOX has ${config.messages} messages, got ${inbox.exists}`);
  report.select = { exists: inbox.exists, uidValidity: inbox.uidValidity };

  // 3. Streaming FETCH with `for await`: every message, in order, with typed fields.
  let count = 0;
  let lastUid = 0;
  let first: FetchedMessage | undefined;
  const started = performance.now();
  for await (const msg of client.fetchStream("1:*", ["uid", "flags", "internalDate", "envelope"])) {
    check(msg.uid !== undefined && msg.uid > lastUid, `UIDs ascend (${msg.uid} after ${lastUid})`);
    check(msg.internalDate instanceof Date, "internalDate is a Date");
    check(Array.isArray(msg.flags), "flags is an array");
    lastUid = msg.uid;
    first ??= msg;
    count += 1;
  }
  check(count === config.messages, `streamed ${config.messages} messages, got ${count}`);
  check(first?.envelope?.subject === "Test message 1", `first subject, got ${first?.envelope?.subject}`);
  check(
    first?.envelope?.from[0]?.address === "sender1@example.org",
    `first sender, got ${first?.envelope?.from[0]?.address}`,
  );
  report.stream = { count, ms: Math.round(performance.now() - started) };

  // Breaking out of `for await` stops the stream; the connection stays usable.
  let taken = 0;
  for await (const msg of client.fetchStream("1:*", ["uid"])) {
    void msg;
    taken += 1;
    if (taken === 3) break;
  }
  check(taken === 3, "break after 3");

  // Bytes arrive as Uint8Array.
  const [one] = await client.uidFetch(lastUid, [{ bodySection: { section: "HEADER", peek: true } }]);
  const header = one?.bodySections[0]?.data;
  check(header instanceof Uint8Array, "a section's data is a Uint8Array");
  check(new TextDecoder().decode(header).includes("Message-ID:"), "the header has a Message-ID");

  // Search with a typed key.
  const hits = await client.search({ and: [{ subject: "Test message 1" }, { not: "deleted" }] });
  check(hits.length > 0 && hits[0] === 1, `search finds message 1, got ${Array.from(hits).slice(0, 3)}`);

  // 4. IDLE aborted by an AbortController: rejects with code "ABORTED", quickly, and the
  // connection stays usable.
  const controller = new AbortController();
  const idleStarted = performance.now();
  setTimeout(() => controller.abort(), 300);
  const aborted = await rejection(
    () => client.idle({ signal: controller.signal, timeoutMs: 60_000 }),
    "aborted IDLE",
  );
  const idleMs = performance.now() - idleStarted;
  check(aborted.code === "ABORTED", `aborted IDLE: code ABORTED, got ${aborted.code}`);
  check(idleMs >= 250 && idleMs < 10_000, `IDLE ended by the abort, after ${Math.round(idleMs)} ms`);
  await client.noop();
  report.idleAbort = { code: aborted.code, ms: Math.round(idleMs) };

  // An IDLE woken by a change from another connection resolves with the event.
  const other = await connect();
  await other.login(config.user, config.password);
  const woken = client.idle({ timeoutMs: 30_000 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const appended = await other.append("INBOX", "Subject: idle wake-up\r\n\r\nhello\r\n", { flags: ["\\Seen"] });
  const event = await woken;
  check(event.kind === "exists" && event.count === config.messages + 1, `IDLE woke with exists, got ${JSON.stringify(event)}`);
  report.idleWake = { event, appendUids: appended.uids };
  await other.logout();

  // Bad input is a typed error before anything is sent.
  const invalid = await rejection(() => client.fetch("0:", ["uid"]), "invalid sequence set");
  check(invalid.code === "INVALID_INPUT", `invalid set: code INVALID_INPUT, got ${invalid.code}`);

  await client.logout();
  check(client.isClosed(), "closed after logout");
  const closed = await rejection(() => client.noop(), "call after logout");
  check(closed.code === "CLOSED", `after logout: code CLOSED, got ${closed.code}`);
  return report;
}
