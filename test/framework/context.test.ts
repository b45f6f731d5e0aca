// A handler's second argument, `ctx`: the request read-only, plus what its scope offers. Each
// part destructures (`{ signal, tasks, fetch, defer, setHeader }`), as the docs show.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Spry } from "spry";
import { forEachTransport } from "../support/transports.ts";

forEachTransport("ctx", (connect) => {
  test("every part destructures and works: signal, tasks, fetch, defer, setHeader, state, url, headers", async () => {
    const app = new Spry({ logger: false });
    const done: string[] = [];
    app.use(async (request, next) => {
      request.state.user = "ada";
      return next();
    });
    app.get("/parts", async (_, { signal, tasks, fetch, defer, setHeader, state, url, headers, query, method }) => {
      setHeader("x-set", "yes");
      defer(() => void done.push("deferred"));
      await tasks.add(() => void done.push("task"));
      const refused = await fetch("http://127.0.0.1:1/", { signal: AbortSignal.abort(new Error("on purpose")) }).then(
        () => "fetched",
        (error: Error) => error.message,
      );
      return { aborted: signal.aborted, user: state.user, path: url.pathname, accept: headers.get("x-hello"), q: query.q, method, refused };
    });
    const res = await connect(app).get("/parts?q=1", { headers: { "x-hello": "hi" } });
    assert.equal(res.headers.get("x-set"), "yes");
    assert.deepEqual(await res.json(), { aborted: false, user: "ada", path: "/parts", accept: "hi", q: "1", method: "GET", refused: "on purpose" });
    await app.shutdown();
    assert.deepEqual(done, ["deferred", "task"]);
  });
});
