// Type-checks the `wasm-pack build --target bundler` typings (tsconfig.bundler.json): the
// bundler build has no `init()` (the bundler loads the .wasm), the rest of the API is the same.

import { ImapClient, isImapError, type FetchResponse } from "daaki-imap";

export async function newestSubjects(client: ImapClient, count: number): Promise<string[]> {
  const inbox = await client.examine("INBOX", { timeoutMs: 10_000 });
  const from = Math.max(1, inbox.exists - count + 1);
  const subjects: string[] = [];
  try {
    for await (const msg of client.fetchStream(`${from}:*`, ["envelope"])) {
      const m: FetchResponse = msg;
      subjects.push(m.envelope?.subject ?? "");
    }
  } catch (e: unknown) {
    if (isImapError(e) && e.code === "TIMEOUT") return subjects;
    throw e;
  }
  return subjects;
}
