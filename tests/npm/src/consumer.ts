// A TypeScript consumer of the daaki-imap npm package, type-checked with `tsc --strict`
// against the generated .d.ts and run in headless Chromium by run.mjs (through the bridge,
// against the harness Dovecot). Every check throws on failure; `run` returns what it measured.

import init, {
  ImapClient,
  isImapError,
  type FetchItem,
  type FetchResponse,
  type ImapErrorFields,
  type QuirkCount,
  type SeqRange,
  type SearchKey,
  type SortBy,
  type Thread,
} from "daaki-imap";
import { gmail } from "./gmail.js";

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
// @ts-expect-error "subjekt" is not a sort key.
const badSort: SortBy = { key: "subjekt" };
void badItem;
void badKey;
void badSort;

/** The numbers in `ranges`, in order. */
function numbers(ranges: SeqRange[] | undefined): number[] {
  const out: number[] = [];
  for (const r of ranges ?? []) for (let n = r.start; n <= r.end; n++) out.push(n);
  return out;
}

/** Every member of a thread tree, parent first. */
function members(t: Thread): number[] {
  return [...t.members, ...t.children.flatMap(members)];
}

const same = (a: ArrayLike<number>, b: number[]) => JSON.stringify(Array.from(a)) === JSON.stringify(b);

/** The extension methods against the harness Dovecot, in a fresh mailbox of three messages. */
async function extensions(client: ImapClient, config: Config, report: Record<string, unknown>): Promise<void> {
  const box = `npm-ext-${Date.now()}`;
  await client.create(box);

  // MULTIAPPEND: all three in one command, a UID for each.
  const added = await client.appendMany(box, [
    { message: "Subject: beta\r\nMessage-ID: <m1@npm.test>\r\n\r\none\r\n", flags: ["\\Seen"] },
    {
      message: new TextEncoder().encode(
        "Subject: alpha\r\nMessage-ID: <m2@npm.test>\r\nIn-Reply-To: <m1@npm.test>\r\n" +
          "References: <m1@npm.test>\r\n\r\ntwo\r\n",
      ),
    },
    { message: "Subject: gamma\r\nMessage-ID: <m3@npm.test>\r\n\r\nthree\r\n" },
  ]);
  const uids = numbers(added.uids);
  check(uids.length === 3, `appendMany: 3 UIDs, got ${JSON.stringify(added)}`);
  const [u1, u2, u3] = uids as [number, number, number];

  // LIST-EXTENDED with RETURN (STATUS): the counts come with the LIST entry.
  const [entry] = await client.listExtended("", [box], { returnStatus: ["messages", "unseen"] });
  check(entry?.info.name === box, `listExtended finds ${box}, got ${entry?.info.name}`);
  check(
    entry?.status?.messages === 3 && entry.status.unseen === 2,
    `listExtended status: 3 messages, 2 unseen, got ${JSON.stringify(entry?.status)}`,
  );

  await client.enableCondstore();
  const selected = await client.select(box);
  check(selected.exists === 3, `${box} has 3 messages, got ${selected.exists}`);

  // ESEARCH: COUNT, MIN, MAX without the list; UID ESEARCH ALL as ranges.
  const counted = await client.esearch("all", ["count", "min", "max"]);
  check(
    counted.count === 3 && counted.min === 1 && counted.max === 3 && counted.all === undefined,
    `esearch COUNT MIN MAX, got ${JSON.stringify(counted)}`,
  );
  const unseen = await client.uidEsearch("unseen", ["all", "count"]);
  check(unseen.uid && unseen.count === 2, `uidEsearch UNSEEN count 2, got ${JSON.stringify(unseen)}`);
  check(same(numbers(unseen.all), [u2, u3]), `uidEsearch ALL = [${u2}, ${u3}], got ${JSON.stringify(unseen.all)}`);

  // SORT by subject (alpha, beta, gamma), and reversed by UID.
  const sorted = await client.sort([{ key: "subject" }], "all");
  check(same(sorted, [2, 1, 3]), `sort by subject: [2, 1, 3], got ${Array.from(sorted)}`);
  const reversed = await client.uidSort([{ key: "subject", reverse: true }], "all");
  check(same(reversed, [u3, u1, u2]), `uidSort reversed: [${u3}, ${u1}, ${u2}], got ${Array.from(reversed)}`);
  const esorted = await client.esort([{ key: "subject" }], "all", ["count"]);
  check(esorted.count === 3, `esort COUNT 3, got ${JSON.stringify(esorted)}`);

  // THREAD=REFERENCES: the reply joins its parent's thread; message 3 is alone.
  const threads = await client.thread("references", "all");
  const shapes = threads.map(members).map((m) => m.join(" ")).sort();
  check(same([threads.length], [2]) && shapes[0] === "1 2" && shapes[1] === "3", `threads, got ${JSON.stringify(threads)}`);

  // CONDSTORE: only the message stored since HIGHESTMODSEQ comes back.
  const since = selected.highestModseq;
  check(since !== undefined, "HIGHESTMODSEQ after enableCondstore");
  await client.store(3, "add", ["\\Flagged"]);
  const changed = await client.fetchChangedSince("1:*", ["uid", "flags"], since);
  check(
    changed.length === 1 && changed[0]?.uid === u3 && (changed[0]?.modseq ?? 0) > since,
    `fetchChangedSince: only message 3, got ${JSON.stringify(changed)}`,
  );

  // UNCHANGEDSINCE 0 fails for every message (RFC 7162 §3.1.3): message 2 is left alone.
  const guarded = await client.storeUnchangedSince(2, "add", ["\\Answered"], 0);
  check(same(numbers(guarded.modified), [2]), `storeUnchangedSince: MODIFIED 2, got ${JSON.stringify(guarded)}`);

  // PARTIAL: three bytes of one message's text.
  const text = await client.uidFetchPartial(u1, "TEXT", 0, 3);
  check(text instanceof Uint8Array && new TextDecoder().decode(text) === "one", "uidFetchPartial: \"one\"");

  // METADATA round trip: set, read back as bytes, remove.
  await client.setMetadata(box, [{ name: "/private/comment", value: "from the browser" }]);
  const meta = await client.getMetadata(box, ["/private/comment"]);
  const value = meta.entries.find((e) => e.name === "/private/comment")?.value;
  check(
    value instanceof Uint8Array && new TextDecoder().decode(value) === "from the browser",
    `getMetadata reads the value back, got ${JSON.stringify(meta)}`,
  );
  await client.setMetadata(box, [{ name: "/private/comment", value: null }]);
  const removed = await client.getMetadata(box, ["/private/comment"]);
  check(removed.entries.every((e) => e.value === undefined), `removed entry, got ${JSON.stringify(removed)}`);

  // QUOTA: the harness gives every user 1 GiB of STORAGE (in KiB).
  const quota = await client.getQuotaRoot("INBOX");
  const storage = quota.quotas[0]?.resources.find((r) => r.name.toUpperCase() === "STORAGE");
  check(quota.roots.length === 1 && storage?.limit === 1024 * 1024, `getQuotaRoot, got ${JSON.stringify(quota)}`);

  const root = quota.roots[0] ?? "";
  const byRoot = await client.getQuota(root);
  check(
    byRoot.root === root && byRoot.resources.some((r) => r.name.toUpperCase() === "STORAGE"),
    `getQuota(${root}), got ${JSON.stringify(byRoot)}`,
  );

  // ACL: grant, read back (GETACL, LISTRIGHTS), revoke.
  const rights = await client.myRights(box);
  check(rights.includes("l") && rights.includes("r"), `myRights, got ${rights}`);
  await client.setAcl(box, "npm-friend", "lr");
  const granted = await client.getAcl(box);
  check(
    granted.some((e) => e.identifier === "npm-friend" && e.rights === "lr"),
    `getAcl shows npm-friend:lr, got ${JSON.stringify(granted)}`,
  );
  const listed = await client.listRights(box, "npm-friend");
  check(typeof listed.required === "string" && listed.optional.length > 0, `listRights, got ${JSON.stringify(listed)}`);
  await client.deleteAcl(box, "npm-friend");
  check(!(await client.getAcl(box)).some((e) => e.identifier === "npm-friend"), "deleteAcl removed npm-friend");

  // SPECIAL-USE: the harness's Sent mailbox; CREATE-SPECIAL-USE and APPENDLIMIT as advertised.
  const special = await client.listSpecialUse();
  check(
    special.some((m) => m.name === "Sent" && m.attributes.includes("\\Sent")),
    `listSpecialUse shows Sent, got ${JSON.stringify(special)}`,
  );
  if (!client.capabilities().includes("CREATE-SPECIAL-USE")) {
    const refused = await rejection(() => client.createSpecialUse(`${box}-archive`, ["archive"]), "CREATE-SPECIAL-USE");
    check(refused.code === "UNSUPPORTED", `createSpecialUse without the capability: UNSUPPORTED, got ${refused.code}`);
  }
  if (!client.capabilities().some((c) => c.startsWith("APPENDLIMIT"))) {
    check((await client.appendLimit(box)) === undefined, "no APPENDLIMIT: appendLimit is undefined");
  }

  // NAMESPACE, ID.
  const ns = await client.namespace();
  check(ns.personal.length >= 1, `a personal namespace, got ${JSON.stringify(ns)}`);
  const id = await client.id([["name", "daaki-imap npm test"]]);
  check(id?.some(([k]) => k.toLowerCase() === "name") === true, `server ID with a name, got ${JSON.stringify(id)}`);

  // QRESYNC on a second connection: what changed since `since` — message 1 expunged, 3
  // flagged — in the SELECT itself, and again by UID FETCH (CHANGEDSINCE … VANISHED).
  await client.store(1, "add", ["\\Deleted"]);
  await client.expunge();
  // Its own ID fields (sent after login, since Dovecot offers ID); `false` would send none.
  const peer = await ImapClient.connect({
    bridgeUrl: config.bridgeUrl,
    target: "dovecot",
    timeoutMs: 30_000,
    clientId: { name: "consumer-test", version: "1" },
  });
  await peer.login(config.user, config.password);
  await peer.enableQresync();
  const resync = await peer.examineQresync(box, { uidValidity: selected.uidValidity ?? 0, modSeq: since });
  check(resync.mailbox.exists === 2 && resync.mailbox.readOnly, `examineQresync: 2 messages, read-only, got ${JSON.stringify(resync.mailbox)}`);
  check(same(numbers(resync.vanished), [u1]), `examineQresync VANISHED ${u1}, got ${JSON.stringify(resync.vanished)}`);
  check(
    same(resync.changed.map((m) => m.uid ?? 0), [u3]),
    `examineQresync changed ${u3} only, got ${JSON.stringify(resync.changed)}`,
  );
  const sinceByUid = await peer.uidFetchChangedSince("1:*", ["flags"], since, true);
  check(same(numbers(sinceByUid.vanished), [u1]), `uidFetchChangedSince VANISHED, got ${JSON.stringify(sinceByUid)}`);
  check(
    same(sinceByUid.fetches.map((m) => m.uid ?? 0), [u3]),
    `uidFetchChangedSince: ${u3} changed, got ${JSON.stringify(sinceByUid.fetches)}`,
  );
  if (!peer.capabilities().includes("UNAUTHENTICATE")) {
    const refused = await rejection(() => peer.unauthenticate(), "UNAUTHENTICATE");
    check(refused.code === "UNSUPPORTED", `unauthenticate without the capability: UNSUPPORTED, got ${refused.code}`);
  }
  await peer.logout();

  // Typed errors from the extension methods' own checks.
  const badQresync = await rejection(
    () => client.selectQresync(box, { uidValidity: 0, modSeq: 1 }),
    "QRESYNC with uidValidity 0",
  );
  check(badQresync.code === "INVALID_INPUT", `uidValidity 0: INVALID_INPUT, got ${badQresync.code}`);

  await client.select("INBOX");
  await client.delete(box);
  report.extensions = { appendUids: uids, esearch: counted, sort: Array.from(sorted), threads: shapes, quota: storage };
}

export async function run(config: Config): Promise<Record<string, unknown>> {
  await init();
  const connect = () =>
    ImapClient.connect({ bridgeUrl: config.bridgeUrl, target: "dovecot", timeoutMs: 30_000 });
  const report: Record<string, unknown> = {};

  // 0. A clientId that is neither an object of strings nor a boolean is INVALID_INPUT.
  const badId = await rejection(
    () => ImapClient.connect({ bridgeUrl: config.bridgeUrl, target: "dovecot", clientId: { name: 7 } as unknown as Record<string, string> }),
    "clientId with a number",
  );
  check(badId.code === "INVALID_INPUT", `clientId { name: 7 }: INVALID_INPUT, got ${badId.code}`);

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
  let first: FetchResponse | undefined;
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
  const sender = first?.envelope?.from[0];
  check(
    sender?.mailbox === "sender1" && sender.host === "example.org",
    `first sender, got ${JSON.stringify(sender)}`,
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
  check(event.kind === "exists" && event.value === config.messages + 1, `IDLE woke with exists, got ${JSON.stringify(event)}`);
  report.idleWake = { event, appendUids: appended.uids };
  await other.logout();

  // Bad input is a typed error before anything is sent.
  const invalid = await rejection(() => client.fetch("0:", ["uid"]), "invalid sequence set");
  check(invalid.code === "INVALID_INPUT", `invalid set: code INVALID_INPUT, got ${invalid.code}`);

  // Arguments that do not fit their TypeScript type (from untyped JS) are INVALID_INPUT too,
  // naming what was wrong.
  const unknownKey = await rejection(() => client.search("bogus" as unknown as SearchKey), "unknown search key");
  check(
    unknownKey.code === "INVALID_INPUT" && unknownKey.message.includes("bogus"),
    `unknown search key: INVALID_INPUT naming it, got ${unknownKey.code}: ${unknownKey.message}`,
  );
  const wrongType = await rejection(
    () => client.search({ and: [{ larger: "big" }] } as unknown as SearchKey),
    "search key of the wrong type",
  );
  check(
    wrongType.code === "INVALID_INPUT" && wrongType.message.includes("larger"),
    `wrong type: INVALID_INPUT naming the field, got ${wrongType.code}: ${wrongType.message}`,
  );
  const badOptions = await rejection(
    () => client.noop({ timeoutMs: "soon" } as unknown as { timeoutMs: number }),
    "timeoutMs of the wrong type",
  );
  check(badOptions.code === "INVALID_INPUT", `timeoutMs "soon": INVALID_INPUT, got ${badOptions.code}`);

  // 5. The extension methods.
  await extensions(client, config, report);

  // Dovecot sends nothing the quirk registry tolerates.
  const dialect: "IMAP4rev1" | "IMAP4rev2" = client.dialect();
  check(dialect === "IMAP4rev1", `Dovecot 2.3 speaks IMAP4rev1, got ${dialect}`);
  const enabled: string[] = client.enabled();
  check(Array.isArray(enabled) && !enabled.includes("IMAP4REV2"), `nothing rev2 enabled on Dovecot 2.3, got ${JSON.stringify(enabled)}`);
  const quirks: QuirkCount[] = client.quirks();
  check(Array.isArray(quirks) && quirks.length === 0, `no quirk on Dovecot, got ${JSON.stringify(quirks)}`);
  await client.logout();
  check(client.isClosed(), "closed after logout");
  const closed = await rejection(() => client.noop(), "call after logout");
  check(closed.code === "CLOSED", `after logout: code CLOSED, got ${closed.code}`);

  // 6. Gmail's X-GM-EXT-1, against the scripted Gmail session (target "gmail").
  await gmail(config.bridgeUrl, report);
  return report;
}
