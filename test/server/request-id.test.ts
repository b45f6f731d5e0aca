// The ids spry's server makes (src/server/request-id.ts): UUID-shaped, never repeated within a
// process nor shared between processes.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { newRequestId } from "../../src/server/request-id.ts";

// RFC 9562: version 8 (custom layout), variant 10.
const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MODULE = fileURLToPath(new URL("../../src/server/request-id.ts", import.meta.url));

describe("newRequestId", () => {
  test("UUID-shaped, and never the same twice in a process", () => {
    const ids = Array.from({ length: 10_000 }, () => newRequestId());
    for (const id of ids) assert.match(id, UUID_V8);
    assert.equal(new Set(ids).size, ids.length);
  });

  test("another process (a worker, a restart) draws another random part", () => {
    const script = `import(${JSON.stringify(MODULE)}).then((m) => console.log(m.newRequestId()))`;
    const run = () => execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }).trim();
    const [a, b] = [run(), run()];
    assert.match(a, UUID_V8);
    assert.match(b, UUID_V8);
    // The first 23 characters are the process's random part; the rest counts its requests.
    assert.notEqual(a.slice(0, 23), b.slice(0, 23));
  });
});
