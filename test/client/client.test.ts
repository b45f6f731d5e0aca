// The typed client against a real server over a socket, in process through the app's fetch,
// and through the TestClient's node:http path: the same calls, the same answers.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { client, type Client, type RoutesOf } from "spry/client";
import { TestClient } from "spry/testing";
import { TestServer } from "../support/server.ts";
import { echoApp, type EchoApp } from "./echo-app.ts";

type Api = Client<RoutesOf<EchoApp>>;

const targets: { name: string; open: () => Promise<{ api: Api; close: () => Promise<void> }> }[] = [
  {
    name: "over a socket",
    open: async () => {
      const server = await TestServer.start(echoApp());
      return { api: client<EchoApp>(server.running.url), close: () => server.close() };
    },
  },
  { name: "in process (app.fetch)", open: async () => ({ api: client(echoApp()), close: async () => {} }) },
  {
    name: "through the TestClient (node:http path)",
    open: async () => {
      const testClient = await TestClient.open(echoApp());
      return { api: client<EchoApp>(testClient), close: () => testClient.close() };
    },
  },
];

for (const target of targets) {
  describe(`the typed client ${target.name}`, () => {
    let api: Api;
    let close: () => Promise<void>;
    before(async () => ({ api, close } = await target.open()));
    after(() => close());

    test("fills and encodes the path, sends query and header inputs, and reads the model's fields", async () => {
      const res = await api.get("/items/{item_id}", { path: { item_id: 3 }, query: { q: "a b&c" }, headers: { "x-token": "t" } });
      assert.equal(res.status, 200);
      assert.equal(res.ok, true);
      if (res.status !== 200) return;
      assert.deepEqual(res.data, { id: 3, name: "a b&c", price: 1.5 });
      assert.equal(res.response.headers.get("content-type"), "application/json");
    });

    test("a declared error status is a value typed by its model; so is an undeclared one", async () => {
      const missing = await api.get("/v1/items/{item_id}", { path: { item_id: 404 }, headers: { "x-token": "t" } });
      assert.equal(missing.status, 404);
      assert.equal(missing.ok, false);
      if (missing.status === 404) assert.equal(missing.data.message, "no item 404");
      const boom = await api.get("/boom");
      assert.equal(boom.status, 500);
      assert.equal(boom.ok, false);
      assert.deepEqual(boom.data, { detail: "Internal Server Error" });
    });

    test("a 422 comes back as FastAPI's validation error", async () => {
      const res = await api.post("/items/", { body: { name: "a", price: -1 } });
      assert.equal(res.status, 422);
      if (res.status !== 422) return;
      assert.equal(res.data.detail.length, 1);
      assert.deepEqual(res.data.detail[0]!.loc, ["body", "price"]);
      assert.equal(res.data.detail[0]!.type, "greater_than");
      // A header the route's dependency requires, left out (a cast: the types refuse it).
      const noToken = await api.get("/items/{item_id}", { path: { item_id: 1 } } as never);
      assert.equal(noToken.status, 422);
      if (noToken.status === 422) assert.deepEqual(noToken.data.detail[0]!.loc, ["header", "x-token"]);
    });

    test("a JSON body with its declared status", async () => {
      const res = await api.post("/items/", { body: { name: "saw", price: 20 } });
      assert.equal(res.status, 201);
      if (res.status === 201) assert.deepEqual(res.data, { id: 1, name: "saw", price: 20 });
    });

    test("a dependency's query inputs, and a list repeated as the key", async () => {
      const res = await api.get("/items/", { query: { skip: 5, tag: ["a", "b"] } });
      assert.equal(res.status, 200);
      assert.deepEqual(res.data, { skip: 5, limit: 10, tag: ["a", "b"] });
    });

    test("headers by their wire names, repeated values, cookies, an aliased query and embedded bodies", async () => {
      const res = await api.put("/users/{user_id}/files/{file_path:path}", {
        path: { user_id: 7, file_path: "dir/a b.txt" },
        headers: { "user-agent": "spry-client-test", "x-trace-id": "t1" },
        cookies: { session: "s=1; x" },
        query: { "search-term": "ü?" },
        body: { note: "n", importance: 2 },
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.data, {
        user_id: 7,
        file_path: "dir/a b.txt",
        user_agent: "spry-client-test",
        trace: "t1",
        session: "s=1; x",
        search: "ü?",
        note: "n",
        importance: 2,
      });
    });

    test("a urlencoded form", async () => {
      const res = await api.post("/login", { form: { username: "ann", password: "p&w=", remember: true } });
      assert.equal(res.status, 200);
      assert.deepEqual(res.data, { username: "ann", password: "p&w=", remember: true });
    });

    test("a multipart form when it holds files", async () => {
      const res = await api.post("/upload", {
        form: { doc: new File(["hello"], "doc.txt", { type: "text/plain" }), photos: [new File(["1"], "a.png"), new File(["2"], "b.png")], title: "t" },
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.data, { title: "t", doc: { filename: "doc.txt", type: "text/plain", text: "hello" }, photos: ["a.png", "b.png"] });
    });

    test("204 has no data; a text response is its text", async () => {
      const removed = await api.delete("/items/{item_id}", { path: { item_id: 1 } });
      assert.equal(removed.status, 204);
      assert.equal(removed.data, undefined);
      const text = await api.get("/text");
      assert.equal(text.data, "plain words");
    });

    test("a timeout aborts the call with a TimeoutError; a signal with its reason", async () => {
      await assert.rejects(api.get("/slow", { timeout: 50 }), (error: Error) => error.name === "TimeoutError");
      const controller = new AbortController();
      const call = api.get("/slow", { signal: controller.signal });
      setTimeout(() => controller.abort(new Error("user left")), 20);
      await assert.rejects(call, /user left/);
    });

    test("an input that cannot go on the wire is refused before anything is sent", async () => {
      await assert.rejects(api.get("/items/{item_id}", { path: {}, headers: { "x-token": "t" } } as never), /no value for the path parameter "item_id"/);
      await assert.rejects(api.get("/items/", { query: { skip: { a: 1 } } } as never), /query parameter "skip" must be a string, number or boolean/);
    });
  });
}

describe("client()", () => {
  test("a base URL with a path prefixes every call, and the client's headers and timeout apply", async () => {
    const seen: Request[] = [];
    const api = client<EchoApp>("https://api.example/base/", {
      headers: { "x-token": "from-client", authorization: "Bearer k" },
      fetch: async (request) => (seen.push(request), Response.json({ id: 1, name: "n", price: 1 })),
    });
    await api.get("/items/{item_id}", { path: { item_id: 1 }, headers: { "x-token": "own" } });
    assert.equal(seen[0]!.url, "https://api.example/base/items/1");
    assert.equal(seen[0]!.headers.get("x-token"), "own");
    assert.equal(seen[0]!.headers.get("authorization"), "Bearer k");
  });

  test("refuses a base URL that is not http(s)", () => {
    assert.throws(() => client<EchoApp>("127.0.0.1:8000"), /must start with http:\/\/ or https:\/\//);
  });

  test("a response that says JSON but is not is a clear error", async () => {
    const api = client<EchoApp>("http://x", { fetch: async () => new Response("{nope", { headers: { "content-type": "application/json" } }) });
    await assert.rejects(api.get("/boom"), /the 200 response says JSON but is not/);
  });
});
