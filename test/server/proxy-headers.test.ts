// --proxy-headers: the client address, scheme and host from Forwarded / X-Forwarded-* headers,
// believed from trusted peers only.
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { after, describe, test } from "node:test";
import { peerOf } from "../../src/common/peer.ts";
import type { ServeOptions } from "spry/server";
import { TrustedPeers } from "../../src/server/proxy-headers.ts";
import { TestServer } from "../support/server.ts";

// What the server hands the app: the peer it established, and the Host the app will see.
const echo = {
  handleNode(req: IncomingMessage, res: ServerResponse) {
    const peer = peerOf(req);
    const body = JSON.stringify({ client: peer?.client ?? null, scheme: peer?.scheme ?? null, host: req.headers.host });
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  },
};

const servers: TestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function ask(options: ServeOptions, headers: Record<string, string>) {
  const srv = await TestServer.start(echo, options);
  servers.push(srv);
  const response = await srv.get("/", headers);
  assert.equal(response.status, 200);
  return JSON.parse(response.body) as { client: { address: string; port: number } | null; scheme: string | null; host: string };
}

describe("proxy headers from a trusted peer (127.0.0.1 by default, as Uvicorn)", () => {
  test("X-Forwarded-For, -Proto and -Host", async () => {
    const seen = await ask({}, { "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https", "x-forwarded-host": "shop.example" });
    assert.deepEqual(seen, { client: { address: "203.0.113.7", port: 0 }, scheme: "https", host: "shop.example" });
  });

  test("a chain is read from the right: the first address that is not a trusted proxy is the client", async () => {
    const chain = { "x-forwarded-for": "198.51.100.1, 203.0.113.7, 10.0.0.5" };
    assert.equal((await ask({}, chain)).client?.address, "10.0.0.5");
    assert.equal((await ask({ forwardedAllowIps: "127.0.0.1, 10.0.0.0/8" }, chain)).client?.address, "203.0.113.7");
    assert.equal((await ask({ forwardedAllowIps: "*" }, chain)).client?.address, "198.51.100.1");
  });

  test("RFC 7239 Forwarded wins over X-Forwarded-*, with IPv6, ports and quoted values", async () => {
    const seen = await ask({}, { forwarded: 'for="[2001:db8:cafe::17]:4711";proto=https;host="api.example:8443"', "x-forwarded-for": "192.0.2.9" });
    assert.deepEqual(seen, { client: { address: "2001:db8:cafe::17", port: 4711 }, scheme: "https", host: "api.example:8443" });
    const two = await ask({ forwardedAllowIps: "127.0.0.1,192.0.2.0/24" }, { forwarded: "for=198.51.100.3;proto=http, for=192.0.2.60" });
    assert.deepEqual(two.client, { address: "198.51.100.3", port: 0 });
  });

  test("malformed values are ignored, not half-believed", async () => {
    const bad = await ask({}, { forwarded: 'for="unterminated', "x-forwarded-host": "evil.example/path" });
    assert.deepEqual(bad, { client: null, scheme: null, host: `127.0.0.1:${servers.at(-1)!.port}` });
    const junk = await ask({}, { "x-forwarded-for": "not-an-ip", "x-forwarded-proto": "gopher" });
    assert.deepEqual([junk.client, junk.scheme], [null, null]);
  });
});

describe("never believed from anyone else", () => {
  test("a peer outside forwarded-allow-ips: the headers are ignored", async () => {
    const seen = await ask({ forwardedAllowIps: "10.9.9.9" }, { "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https", "x-forwarded-host": "shop.example", forwarded: "for=1.2.3.4" });
    assert.deepEqual([seen.client, seen.scheme], [null, null]);
    assert.match(seen.host, /^127\.0\.0\.1:\d+$/);
  });

  test("proxyHeaders: false ignores them from everyone", async () => {
    const seen = await ask({ proxyHeaders: false }, { "x-forwarded-for": "203.0.113.7" });
    assert.equal(seen.client, null);
  });
});

describe("forwarded-allow-ips", () => {
  test("addresses, networks, IPv4-mapped IPv6 and unix sockets", () => {
    const trusted = new TrustedPeers("127.0.0.1, 10.0.0.0/8, fd00::/8");
    assert.ok(trusted.has("127.0.0.1"));
    assert.ok(trusted.has("::ffff:127.0.0.1"));
    assert.ok(trusted.has("10.200.3.4"));
    assert.ok(trusted.has("fd12::1"));
    assert.ok(!trusted.has("11.0.0.1"));
    assert.ok(!trusted.has("::1"));
    assert.ok(trusted.has(undefined), "a unix socket peer");
  });

  test("a bad entry is refused with its name", () => {
    assert.throws(() => new TrustedPeers("127.0.0.1, localhost"), /forwarded-allow-ips: "localhost" is not an IP address or network/);
    assert.throws(() => new TrustedPeers("10.0.0.0/33"), /bad prefix length/);
  });
});
