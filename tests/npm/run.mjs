// Serves tests/npm (the page, the compiled consumer, the `--target web` package) on
// 127.0.0.1:$PAGE_PORT and runs the page in headless Chromium with playwright-core
// (/usr/bin/chromium; nothing is downloaded). Started by `cargo xtask test --only npm`, which
// also starts Dovecot and the bridge and passes BRIDGE_URL, IMAP_USER, IMAP_PASSWORD,
// IMAP_MESSAGES. Exits non-zero when the page reports a failure.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL(".", import.meta.url));
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".map": "application/json" };
const need = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run this through \`cargo xtask test --only npm\`)`);
  return value;
};

const server = createServer(async (req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  if (path === "/favicon.ico") { res.writeHead(204).end(); return; }
  const file = normalize(join(root, path === "/" ? "www/index.html" : path.startsWith("/dist/") || path.startsWith("/pkg/") ? path : join("www", path)));
  if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
  try {
    const body = await readFile(file);
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(Number(need("PAGE_PORT")), "127.0.0.1", resolve));

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
let failed = true;
try {
  const page = await browser.newPage();
  page.on("console", (m) => console.log(`  [page ${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => console.log(`  [page error] ${e}`));
  const q = new URLSearchParams({
    bridge: need("BRIDGE_URL"), user: need("IMAP_USER"), password: need("IMAP_PASSWORD"), messages: need("IMAP_MESSAGES"),
  });
  await page.goto(`http://127.0.0.1:${need("PAGE_PORT")}/?${q}`);
  await page.waitForFunction(() => window.__report !== undefined, null, { timeout: 120_000 });
  const result = await page.evaluate(() => window.__report);
  console.log(JSON.stringify(result, null, 2));
  failed = !result.ok;
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
