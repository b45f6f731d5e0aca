// The docs pages as a person uses them, in a real browser: Debian's Chromium, driven by
// playwright-core. Swagger UI must list the operations and send a real request from "Try it
// out"; ReDoc must render every operation. Both must work offline: any request that leaves
// the app's origin (a CDN script, font or image) fails the test, and is aborted before it
// leaves the machine.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test, type TestContext } from "node:test";
import type { Browser, Locator, Page } from "playwright-core";
import { browserServer, SHOTS, TEST_TIMEOUT_MS, WAIT_MS, type BrowserServer } from "../support/chromium.ts";
import { richApp } from "./rich-app.ts";

// Read once, when the seed module loads: short, so "Execute" answers quickly.
process.env.SLOW_TASK_SECONDS = "0.2";
const { default: seedApp } = await import("../../examples/seed/main.ts");

interface Session {
  readonly page: Page;
  /** Every URL the page asked for, in order. */
  readonly requests: string[];
  /** Uncaught exceptions and console errors, but the browser's own /favicon.ico 404. */
  readonly errors: string[];
  close(): Promise<void>;
}

async function open(browser: Browser, origin: string): Promise<Session> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(WAIT_MS);
  const requests: string[] = [];
  const errors: string[] = [];
  context.on("request", (request) => requests.push(request.url()));
  // Recorded above first, then refused: nothing is ever sent beyond this machine.
  await context.route((url) => url.origin !== origin, (route) => route.abort("blockedbyclient"));
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !message.location().url.endsWith("/favicon.ico")) errors.push(`console: ${message.text()}`);
  });
  return { page, requests, errors, close: () => context.close() };
}

/** Requests that left the app's origin. A blob: URL the page made itself has the page's origin. */
function foreign(requests: readonly string[], origin: string): string[] {
  return requests.filter((url) => !url.startsWith("data:") && new URL(url).origin !== origin);
}

async function screenshot(t: TestContext, page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  t.diagnostic(`screenshot: ${path}`);
}

/** Opens an operation of Swagger UI and presses "Try it out". */
async function tryItOut(page: Page, id: string): Promise<Locator> {
  const operation = page.locator(`#${id}`);
  await operation.locator(".opblock-summary-control").click();
  await operation.locator("button.try-out__btn").click();
  return operation;
}

/** Presses "Execute" and reads what Swagger UI shows of the live response. */
async function execute(operation: Locator): Promise<{ status: string; body: string; url: string }> {
  await operation.locator("button.execute").click();
  const live = operation.locator(".live-responses-table");
  const status = await live.locator("tr.response td.response-col_status").first().innerText();
  const body = await live.locator("tr.response .response-col_description pre").first().innerText();
  const url = await operation.locator(".request-url pre").innerText();
  return { status: status.trim(), body, url: url.trim() };
}

describe("the docs pages in Chromium", { timeout: TEST_TIMEOUT_MS * 5 }, () => {
  let served: BrowserServer;
  let browser: Browser;
  let seedUrl: string;
  let richUrl: string;

  before(async () => {
    served = await browserServer(seedApp, richApp());
    browser = served.browser;
    [seedUrl, richUrl] = [served.urls[0]!, served.urls[1]!];
  });

  after(() => served?.close());

  test("Swagger UI lists the seed app's operations and runs GET /slow_task/{item_id} from Try it out", { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const session = await open(browser, seedUrl);
    try {
      const { page } = session;
      await page.goto(`${seedUrl}/docs`);
      await page.locator("#operations-default-get_slow_task__item_id_").waitFor();
      const paths = await page.locator(".opblock-summary-path").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-path")));
      assert.deepEqual(paths, ["/slow_task/{item_id}", "/fast_task/"]);
      assert.match(await page.locator(".info .title").innerText(), /spry/);

      const operation = await tryItOut(page, "operations-default-get_slow_task__item_id_");
      await operation.locator('tr[data-param-name="item_id"] input').fill("42");
      await operation.locator('tr[data-param-name="q"] input').fill("test");
      const response = await execute(operation);
      assert.equal(response.status, "200");
      assert.match(response.body, /"item_id": 42/);
      assert.match(response.body, /"q": "test"/);
      assert.deepEqual(JSON.parse(response.body), { item_id: 42, q: "test" });
      assert.equal(response.url, `${seedUrl}/slow_task/42?q=test`);
      await screenshot(t, page, "swagger-seed");

      assert.ok(session.requests.includes(`${seedUrl}/slow_task/42?q=test`), "the page itself sent the request");
      assert.deepEqual(foreign(session.requests, seedUrl), []);
      assert.deepEqual(session.errors, []);
    } finally {
      await session.close();
    }
  });

  test("ReDoc renders the seed app's operations", { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const session = await open(browser, seedUrl);
    try {
      const { page } = session;
      await page.goto(`${seedUrl}/redoc`);
      await page.locator('[data-section-id="operation/get_fast_task_"]').waitFor();
      const text = await page.locator("body").innerText();
      assert.match(text, /spry \(0\.1\.0\)/);
      for (const path of ["/slow_task/{item_id}", "/fast_task/"]) assert.ok(text.includes(path), `ReDoc does not show ${path}`);
      // With no summary, ReDoc labels an operation by its operationId.
      const menu = await page.locator(".menu-content").innerText();
      assert.match(menu, /get_slow_task__item_id_/);
      assert.match(menu, /get_fast_task_/);
      assert.match(text, /QUERY PARAMETERS[\s\S]*\bq\b/);
      await screenshot(t, page, "redoc-seed");

      assert.ok(session.requests.includes(`${seedUrl}/openapi.json`));
      assert.deepEqual(foreign(session.requests, seedUrl), []);
      assert.deepEqual(session.errors, []);
    } finally {
      await session.close();
    }
  });

  test("Swagger UI shows the rich app's tags and sends its header, JSON body and form", { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const session = await open(browser, richUrl);
    try {
      const { page } = session;
      await page.goto(`${richUrl}/docs`);
      await page.locator("#operations-items-get_items__item_id_").waitFor();
      const tags = await page.locator("h3.opblock-tag").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-tag")));
      assert.deepEqual(tags, ["items", "orders", "auth", "users"]);
      assert.match((await page.locator("#operations-items-get_legacy_items").getAttribute("class")) ?? "", /opblock-deprecated/);
      assert.equal(await page.locator('[data-path="/internal/metrics"]').count(), 0);
      assert.equal(await page.locator('[data-path="/v1/users/{user_id}"]').count(), 1);

      const read = await tryItOut(page, "operations-items-get_items__item_id_");
      await read.locator('tr[data-param-name="item_id"] input').fill("1");
      await read.locator('tr[data-param-name="x-token"] input').fill("secret");
      const found = await execute(read);
      assert.equal(found.status, "200");
      assert.deepEqual(JSON.parse(found.body), { item_id: 1, name: "Hammer", price: 9.5 });

      const create = await tryItOut(page, "operations-items-post_items_");
      await create.locator("textarea.body-param__text").fill(JSON.stringify({ name: "Saw", price: 20 }));
      const created = await execute(create);
      assert.equal(created.status, "201");
      assert.deepEqual(JSON.parse(created.body), { item_id: 2, name: "Saw", price: 20 });

      const login = await tryItOut(page, "operations-auth-post_login");
      await login.locator('tr[data-property-name="username"] input').fill("ann");
      await login.locator('tr[data-property-name="password"] input').fill("correct horse");
      const loggedIn = await execute(login);
      assert.equal(loggedIn.status, "200");
      assert.deepEqual(JSON.parse(loggedIn.body), { username: "ann" });
      await screenshot(t, page, "swagger-rich");

      assert.deepEqual(foreign(session.requests, richUrl), []);
      assert.deepEqual(session.errors, []);
    } finally {
      await session.close();
    }
  });

  test("ReDoc renders the rich app's tags, summaries, models and form body", { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const session = await open(browser, richUrl);
    try {
      const { page } = session;
      await page.goto(`${richUrl}/redoc`);
      await page.locator('[data-section-id="operation/get_v1_users_"]').waitFor();
      const text = await page.locator("body").innerText();
      assert.match(text, /Rich app \(1\.2\.3\)/);
      for (const shown of [
        "Read an item",
        "Every parameter location at once: path, query, header and cookie.",
        "Create an item",
        "/items/{item_id}",
        "/orders/",
        "/login",
        "/v1/users/{user_id}",
        "application/x-www-form-urlencoded",
        "HEADER PARAMETERS",
        "COOKIE PARAMETERS",
        "Deprecated",
        "No such item",
      ]) {
        assert.ok(text.includes(shown), `ReDoc does not show ${JSON.stringify(shown)}`);
      }
      assert.ok(!text.includes("/internal/metrics"));
      const menu = await page.locator(".menu-content").innerText();
      for (const tag of ["items", "orders", "auth", "users"]) assert.ok(menu.includes(tag), `no ${tag} in ReDoc's menu`);
      await screenshot(t, page, "redoc-rich");

      assert.deepEqual(foreign(session.requests, richUrl), []);
      assert.deepEqual(session.errors, []);
    } finally {
      await session.close();
    }
  });
});
