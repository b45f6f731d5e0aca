// Swagger UI's Authorize button, as a person uses it, in Debian's Chromium (driven by
// playwright-core, launched by test/support/chromium.ts as every browser test): log in through the
// OAuth2 password form of docs/examples/security.ts, then call the protected routes from "Try
// it out". Proves that the document's oauth2 flow, its tokenUrl and each operation's
// `security` are what Swagger UI needs, and that the token it gets is sent back.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { browserServer, SHOTS, TEST_TIMEOUT_MS, WAIT_MS, type BrowserServer } from "../support/chromium.ts";
import app from "../../docs/examples/security.ts";


/** Opens an operation, presses "Try it out" then "Execute", and reads the live response. */
async function run(page: Page, id: string): Promise<{ status: string; body: string }> {
  const operation = page.locator(`#${id}`);
  await operation.locator(".opblock-summary-control").click();
  await operation.locator("button.try-out__btn").click();
  await operation.locator("button.execute").click();
  const live = operation.locator(".live-responses-table tr.response");
  const status = await live.locator("td.response-col_status").first().innerText();
  const body = await live.locator(".response-col_description pre").first().innerText();
  // An undocumented status (the 401s here) is labelled "Undocumented" under its number.
  return { status: status.trim().split(/\s+/)[0]!, body };
}

/** Logs in through the Authorize dialog's OAuth2 password form, granting `scopes`, and closes it. */
async function logIn(page: Page, username: string, password: string, scopes: readonly string[]): Promise<void> {
  await page.locator(".auth-wrapper button.authorize").click();
  const dialog = page.locator(".dialog-ux .modal-ux");
  await dialog.locator("#oauth_username").fill(username);
  await dialog.locator("#oauth_password").fill(password);
  // Each scope's checkbox is hidden behind its styled label, which is what a person clicks.
  for (const scope of scopes) await dialog.locator(`label[for="${scope}-password-checkbox-OAuth2PasswordBearer"]`).click();
  await dialog.locator("button.authorize").click();
  // Swagger UI marks the scheme "Authorized" once the token request has succeeded.
  await dialog.locator("h6", { hasText: "Authorized" }).waitFor();
  await dialog.locator("button.btn-done").click();
}

describe("Swagger UI's Authorize button with the OAuth2 password flow", { timeout: TEST_TIMEOUT_MS * 2 }, () => {
  let served: BrowserServer;
  let browser: Browser;

  before(async () => {
    served = await browserServer(app);
    browser = served.browser;
  });

  after(() => served?.close());

  test("logs in as johndoe, then GET /users/me answers 200 with the user", { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    context.setDefaultTimeout(WAIT_MS);
    const requests: string[] = [];
    const errors: string[] = [];
    context.on("request", (request) => requests.push(`${request.method()} ${request.url()}`));
    await context.route((url) => url.origin !== served.url, (route) => route.abort("blockedbyclient"));
    const page = await context.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    try {
      await page.goto(`${served.url}/docs`);
      await page.locator("#operations-default-get_users_me").waitFor();
      // Before logging in, the operation is refused, as the server's 401 says.
      const anonymous = await run(page, "operations-default-get_users_me");
      assert.equal(anonymous.status, "401");
      assert.deepEqual(JSON.parse(anonymous.body), { detail: "Not authenticated" });
      // Anew, without the hash deep linking left, so that every operation starts closed.
      await page.goto(`${served.url}/docs`);

      await logIn(page, "johndoe", "secret", []);
      assert.ok(requests.includes(`POST ${served.url}/token`), "the dialog posted the password form to tokenUrl");

      const me = await run(page, "operations-default-get_users_me");
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, "swagger-authorize.png"), fullPage: true });
      t.diagnostic(`screenshot: ${join(SHOTS, "swagger-authorize.png")}`);
      assert.equal(me.status, "200");
      assert.deepEqual(JSON.parse(me.body), { username: "johndoe", full_name: "John Doe" });

      // The token was granted no scope, so the route that needs "items:read" still refuses it.
      const items = await run(page, "operations-default-get_items_");
      assert.equal(items.status, "401");
      assert.deepEqual(JSON.parse(items.body), { detail: "Not enough permissions" });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("a login asking for the items:read scope gets a token that GET /items/ accepts", { timeout: TEST_TIMEOUT_MS }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    context.setDefaultTimeout(WAIT_MS);
    await context.route((url) => url.origin !== served.url, (route) => route.abort("blockedbyclient"));
    const page = await context.newPage();
    try {
      await page.goto(`${served.url}/docs`);
      await logIn(page, "johndoe", "secret", ["items:read"]);
      const items = await run(page, "operations-default-get_items_");
      assert.equal(items.status, "200");
      assert.deepEqual(JSON.parse(items.body), [
        { name: "Portal Gun", owner: "johndoe" },
        { name: "Plumbus", owner: "johndoe" },
      ]);
    } finally {
      await context.close();
    }
  });
});
