// docs/examples/client.ts does what docs/client.md says, against a real server.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { addItem, priceOf } from "../../docs/examples/client.ts";
import app from "../../docs/examples/client-app.ts";
import { TestServer } from "../support/server.ts";

let server: TestServer;
before(async () => (server = await TestServer.start(app)));
after(() => server.close());

test("priceOf reads a price, and undefined for a 404", async () => {
  assert.equal(await priceOf(server.running.url, 1), 9.5);
  assert.equal(await priceOf(server.running.url, 99), undefined);
});

test("addItem answers the made item (201), or the 422's locations", async () => {
  assert.deepEqual(await addItem(server.running.url, "Saw", 20), { item: { id: 2, name: "Saw", price: 20 } });
  assert.deepEqual(await addItem(server.running.url, "Saw", -1), { errors: ["body.price"] });
});
