// docs/static-files.md: its example app does what the page says.
import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachTransport } from "../support/transports.ts";
import app from "../../docs/examples/static-files/main.ts";

forEachTransport("docs/examples/static-files/main.ts", (connect) => {
  const client = connect(app);

  test("assets under /static, cached for a day", async () => {
    const res = await client.get("/static/site.css");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/css; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "public, max-age=86400");
  });

  test("the site at the root: index.html, a directory's index, 404.html", async () => {
    assert.match(await (await client.get("/")).text(), /Served by spry/);
    assert.equal((await client.get("/guide")).headers.get("location"), "/guide/");
    assert.match(await (await client.get("/guide/")).text(), /The guide/);
    const missing = await client.get("/nope.html");
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /Nothing here/);
  });

  test("a download with its own name", async () => {
    const res = await client.get("/download");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-disposition"), 'attachment; filename="Q3 report.txt"');
    assert.equal(await res.text(), "quarterly numbers\n");
  });

  test("uploads by path, kept inside the directory", async () => {
    assert.equal(await (await client.get("/uploads/report.txt")).text(), "quarterly numbers\n");
    assert.equal((await client.get("/uploads/nope.txt")).status, 404);
    assert.equal((await client.get("/uploads/..%2Fmain.ts")).status, 404);
  });

  test("the mounted API with its own docs", async () => {
    assert.deepEqual(await (await client.get("/api/reports")).json(), [{ name: "report.txt" }]);
    const doc = await (await client.get("/api/openapi.json")).json();
    assert.equal(doc.info.title, "Reports API");
    assert.deepEqual(doc.servers, [{ url: "/api" }]);
    assert.equal((await client.get("/api/docs")).status, 200);
  });
});
