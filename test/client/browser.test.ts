// The typed client in a real browser: bundled by esbuild as a user's bundler would, loaded by a
// page in Debian's Chromium (driven by playwright-core) and calling the app that served the page.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { browserServer, TEST_TIMEOUT_MS, WAIT_MS, type BrowserServer } from "../support/chromium.ts";
import { bundle } from "./bundle.ts";
import { echoApp } from "./echo-app.ts";

let served: BrowserServer;

before(async () => {
  const { code } = await bundle("./test/client/browser-calls.ts");
  const app = echoApp();
  app.get("/page", () => new Response("<!doctype html><title>client</title>", { headers: { "content-type": "text/html" } }));
  app.get("/calls.js", () => new Response(code, { headers: { "content-type": "text/javascript" } }));
  served = await browserServer(app);
});

after(() => served?.close());

test("the bundled client calls the app from a page in Chromium", { timeout: TEST_TIMEOUT_MS }, async () => {
  const context = await served.browser.newContext();
  context.setDefaultTimeout(WAIT_MS);
  const errors: string[] = [];
  try {
    const page = await context.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${served.url}/page`);
    const results = await page.evaluate(async () => {
      const module = await import(`${location.origin}/calls.js`);
      return module.calls(location.origin);
    });
    assert.deepEqual(results, {
      read: [200, { id: 3, name: "a b", price: 1.5 }],
      made: [201, { id: 1, name: "saw", price: 20 }],
      invalid: [422, [["body", "price"]]],
      login: [200, { username: "ann", password: "p&w", remember: false }],
      upload: [200, { title: "t", doc: { filename: "doc.txt", type: "text/plain", text: "hi" }, photos: [] }],
      missing: [404, { message: "no item 404" }],
      timedOut: "TimeoutError",
    });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
