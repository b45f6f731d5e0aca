// On Node 22, `spry run` puts the request id on the app's own lines too, as on Node 24: the
// CLI re-executes itself with Node 22's context-frame flag (src/server/context-frame.ts), so
// that request scopes ride on AsyncContextFrame rather than async hooks. Run by Node 22 itself
// (SPRY_NODE22, as .ci/run sets it); skipped locally without it, failed in CI.
import assert from "node:assert/strict";
import { request } from "node:http";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { hostBinary, required, skipUnless, HostProcess } from "../support/hosts.ts";
import { ROOT } from "./spry-process.ts";

const node22 = hostBinary("node22");
const running: HostProcess[] = [];
after(() => running.forEach((p) => p.kill()));

function get(url: string): Promise<{ status: number; id: string; pid: number }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, id: String(res.headers["x-request-id"]), pid: (JSON.parse(body) as { pid: number }).pid }));
    })
      .on("error", reject)
      .end();
  });
}

function linesOf(output: string): Record<string, unknown>[] {
  return output.split("\n").flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

describe("request ids on Node 22", { skip: skipUnless(node22) }, () => {
  for (const extra of [[], ["--workers", "2"]]) {
    test(`${["spry run", ...extra].join(" ")}: the app's lines, before and after an await, carry the request's id`, { timeout: 90_000 }, async () => {
      const server = HostProcess.start(required(node22), [join(ROOT, "bin/spry.mjs"), "run", "test/server/request-ids-app.ts", "--port", "0", ...extra], { cwd: ROOT, env: { HOST: "127.0.0.1" } });
      running.push(server);
      const [, url] = await server.waitFor(/"url":"(http:\/\/[^"]+)"/);
      const answers = await Promise.all([get(`${url}/work`), get(`${url}/work`), get(`${url}/work`)]);
      for (const { status, id, pid } of answers) {
        assert.equal(status, 200);
        await server.waitFor(new RegExp(`"requestId":"${id}"[^\\n]*"msg":"still working"`));
        // The access line comes with its batch, within a tenth of a second.
        await server.waitFor(new RegExp(`"route":"/work"[^\\n]*"requestId":"${id}"`));
        const lines = linesOf(server.output).filter((line) => line.requestId === id);
        assert.deepEqual(lines.map((line) => line.step ?? line.route).sort(), ["/work", "after the wait", "start"], JSON.stringify(lines));
        if (extra.length === 0) assert.equal(pid, server.child.pid, "the same process, re-executed in place");
      }
      server.child.kill("SIGTERM");
      assert.equal((await server.exited()).code, 0);
    });
  }
});
