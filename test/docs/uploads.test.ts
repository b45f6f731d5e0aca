// docs/examples/uploads.ts does what docs/forms-and-files.md says, on both entry points.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import app from "../../docs/examples/uploads.ts";
import { multipart, uploadsGone } from "../support/multipart.ts";
import { forEachTransport } from "../support/transports.ts";

const tmp = mkdtempSync(join(tmpdir(), "spry-uploads-doc-test-"));
process.env.TMPDIR = tmp;
after(() => rmSync(tmp, { recursive: true, force: true }));

forEachTransport("uploads.ts", (connect) => {
  const client = connect(app);

  test("the login form: a form model, converted, its default applied", async () => {
    const form = { "content-type": "application/x-www-form-urlencoded" };
    assert.deepEqual(await (await client.post("/login", { body: "username=ada&password=pw&remember=on", headers: form })).json(), { username: "ada", remember: true });
    assert.deepEqual(await (await client.post("/login", { body: "username=ada&password=pw", headers: form })).json(), { username: "ada", remember: false });
    const missing = await client.post("/login", { body: "username=ada", headers: form });
    assert.equal(missing.status, 422);
    assert.deepEqual((await missing.json()).detail[0].loc, ["body", "password"]);
  });

  test("a document larger than the spool threshold: read through, checksummed, its temporary file removed", async () => {
    const content = Buffer.alloc(3 * 1024 * 1024, "spry ");
    const res = await client.post("/documents", multipart([
      { name: "title", value: "Manual" },
      { name: "document", value: content, filename: "manual.txt", contentType: "text/plain" },
    ]));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      title: "Manual",
      filename: "manual.txt",
      contentType: "text/plain",
      size: content.length,
      sha256: createHash("sha256").update(content).digest("hex"),
    });
    assert.deepEqual(await uploadsGone(tmp), []);
  });

  test("a document of another type: 422; past maxSize: 413", async () => {
    const image = await client.post("/documents", multipart([{ name: "title", value: "x" }, { name: "document", value: "GIF89a", filename: "a.gif", contentType: "image/gif" }]));
    assert.equal(image.status, 422);
    const huge = await client.post("/documents", multipart([{ name: "title", value: "x" }, { name: "document", value: Buffer.alloc(9 * 1024 * 1024), filename: "a.pdf", contentType: "application/pdf" }]));
    assert.equal(huge.status, 413);
    assert.deepEqual(await uploadsGone(tmp), []);
  });

  test("photos: every file of the field", async () => {
    const res = await client.post("/photos", multipart([
      { name: "photos", value: "one", filename: "1.png", contentType: "image/png" },
      { name: "photos", value: "three", filename: "2.jpg", contentType: "image/jpeg" },
    ]));
    assert.deepEqual(await res.json(), [{ filename: "1.png", size: 3 }, { filename: "2.jpg", size: 5 }]);
  });
});
