// Gmail's X-GM-EXT-1 through the npm facade: the scripted Gmail session of
// `daaki_imap_tests::gmail` (written from Google's "IMAP Extensions" page), reached through
// the bridge as the target "gmail" (the `gmail-fake` binary started by the npm stage). The
// same calls, in the same order, as the Rust test `providers::gmail_labels_threads_and_raw_search`.

import { ImapClient, type FetchResponse } from "daaki-imap";

const THREAD_A = "1278455344230334865";
const THREAD_B = "1266894439832287888";
const MSGID_1 = "1278455344230334865";

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`check failed (gmail): ${what}`);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export async function gmail(bridgeUrl: string, report: Record<string, unknown>): Promise<void> {
  const client = await ImapClient.connect({ bridgeUrl, target: "gmail", timeoutMs: 30_000 });
  await client.login("user@gmail.com", "app-password");
  const inbox = await client.select("INBOX");
  check(inbox.exists === 4, `INBOX has 4 messages, got ${inbox.exists}`);

  // Labels, message and thread ids (ids as exact decimal strings: they exceed 2^53).
  const messages: FetchResponse[] = await client.fetch("1:4", ["gmailMessageId", "gmailThreadId", "gmailLabels"]);
  const labels = messages.map((m) => m.gmail?.labels ?? []);
  check(
    same(labels, [["\\Inbox", "\\Sent", "Important", "Muy Importante"], ["foo"], [], ["\\Drafts", "Été"]]),
    `labels, decoded, got ${JSON.stringify(labels)}`,
  );
  check(messages[0]?.gmail?.messageId === MSGID_1, `X-GM-MSGID exact, got ${messages[0]?.gmail?.messageId}`);
  const threads = new Map<string, number[]>();
  for (const m of messages) {
    const id = m.gmail?.threadId ?? "none";
    threads.set(id, [...(threads.get(id) ?? []), m.seq]);
  }
  check(
    same([...threads.entries()], [[THREAD_A, [1, 2]], [THREAD_B, [3, 4]]]),
    `threads by X-GM-THRID, got ${JSON.stringify([...threads.entries()])}`,
  );

  // A label added and removed.
  const added = await client.storeGmailLabels("1", "add", ["foo"]);
  check(added.fetches[0]?.gmail?.labels?.includes("foo") === true, `+X-GM-LABELS, got ${JSON.stringify(added.fetches)}`);
  const removed = await client.storeGmailLabels("1", "remove", ["foo"]);
  const after = removed.fetches[0]?.gmail?.labels ?? [];
  check(!after.includes("foo") && after.length === 4, `-X-GM-LABELS, got ${JSON.stringify(after)}`);

  // Searches by label, raw Gmail syntax, message id and thread id.
  const byLabel = Array.from(await client.search({ gmailLabel: "foo" }));
  check(same(byLabel, [2]), `X-GM-LABELS foo, got ${byLabel}`);
  const raw = Array.from(await client.search({ gmailRaw: "has:attachment in:unread" }));
  check(same(raw, [1, 3, 4]), `X-GM-RAW, got ${raw}`);
  const byId = Array.from(await client.uidSearch({ gmailMessageId: MSGID_1 }));
  check(same(byId, [1]), `X-GM-MSGID, got ${byId}`);
  const byThread = Array.from(await client.search({ gmailThreadId: THREAD_B }));
  check(same(byThread, [3, 4]), `X-GM-THRID, got ${byThread}`);
  await client.logout();
  report.gmail = { labels, threads: [...threads.entries()] };
}
