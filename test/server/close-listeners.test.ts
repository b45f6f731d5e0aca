// server/shutdown.ts lays out a connection's "close" listeners itself (listenForClose): they must
// behave as socket.on() would have made them, through a response on the connection and its end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, request, Agent } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { once } from "node:events";
import { Connections } from "../../src/server/shutdown.ts";

test("a connection's close listeners: node's own first, then spry's; forgotten when it closes, also mid-response", async () => {
  let held: (() => void) | undefined;
  const sockets: Socket[] = [];
  const server = createServer((req, res) => {
    sockets.push(req.socket);
    // While a response is on the connection, node:http's listener for it comes third.
    assert.equal(req.socket.listeners("close").length, 3);
    if (req.url === "/hold") {
      held = () => res.end("late");
      return;
    }
    res.end("ok");
  });
  const connections = new Connections(server);
  server.on("connection", (socket: Socket) => {
    const names = socket.listeners("close").map((f) => f.name);
    assert.equal(names.length, 2, String(names));
    assert.match(names[0]!, /socketOnClose/);
    assert.equal(names[1], "forget");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path: string) =>
    new Promise<string>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path, agent }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (d) => (body += d)).on("end", () => resolve(body));
      });
      req.on("error", reject).end();
    });
  try {
    // Two responses on one keep-alive connection: node's listener comes and goes each time.
    assert.equal(await get("/a"), "ok");
    assert.equal(await get("/b"), "ok");
    assert.equal(sockets[0], sockets[1]);
    assert.equal(connections.size, 1);
    assert.equal(sockets[0]!.listeners("close").length, 2);
    agent.destroy();
    await once(sockets[0]!, "close");
    assert.equal(connections.size, 0);

    // A connection that closes with a response on it: forgotten, and the response hears "close".
    const client = new Agent({ keepAlive: false });
    const pending = new Promise<void>((resolve) => {
      const req = request({ host: "127.0.0.1", port, path: "/hold", agent: client });
      req.on("error", () => resolve()).end();
      setTimeout(() => req.destroy(), 200);
    });
    await pending;
    const socket = sockets[2]!;
    if (!socket.destroyed) await once(socket, "close");
    assert.equal(connections.size, 0);
    held?.();
    client.destroy();
  } finally {
    agent.destroy();
    server.close();
  }
});
