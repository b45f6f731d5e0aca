// The chat example as people use it: two Chromium pages, the browser's own WebSocket.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { browserServer, TEST_TIMEOUT_MS, WAIT_MS, type BrowserServer } from "../support/chromium.ts";
import app from "../../docs/examples/chat/main.ts";

let session: BrowserServer;
before(async () => (session = await browserServer(app)));
after(() => session?.close());

async function join(name: string): Promise<Page> {
  const page = await session.browser.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await page.goto(`${session.url}/`);
  await page.fill("#name", name);
  await page.click("#join button");
  await page.waitForSelector(`li:text("${name} joined")`);
  return page;
}

test("two pages chat through the browser's WebSocket", { timeout: TEST_TIMEOUT_MS }, async () => {
  const ann = await join("ann");
  const bob = await join("bob");
  await ann.waitForSelector('li:text("bob joined")');
  await ann.fill("#text", "hello from ann");
  await ann.click("#say button");
  await bob.waitForSelector('li:text("ann: hello from ann")');
  await bob.close();
  await ann.waitForSelector('li:text("bob left")');
  const lines = await ann.locator("li").allTextContents();
  assert.deepEqual(lines, ["server: ann joined", "server: bob joined", "ann: hello from ann", "server: bob left"]);
  await ann.close();
});
