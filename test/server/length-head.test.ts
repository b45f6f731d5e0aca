// length-head.ts ends a head as node:http's own _storeHeader would: the same bytes and the same
// framing state, for every connection state it takes, and nothing touched for one it leaves to
// node. Compared against node's _storeHeader itself, on whichever Node runs the test.
import assert from "node:assert/strict";
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { test } from "node:test";
import { endsHeadsAsNode, storeLengthHead, type NodeHeadState } from "../../src/server/length-head.ts";

type Setup = Partial<Record<"shouldKeepAlive" | "maxRequestsOnConnectionReached" | "_defaultKeepAlive" | "sendDate" | "_removedConnection" | "_hasBody", boolean>> & {
  _keepAliveTimeout?: number;
  _maxRequestsPerSocket?: number;
  httpVersionMinor?: number;
};

function response(setup: Setup): NodeHeadState {
  const req = new IncomingMessage(new Socket());
  req.method = "GET";
  req.httpVersionMajor = 1;
  req.httpVersionMinor = setup.httpVersionMinor ?? 1;
  req.httpVersion = `1.${req.httpVersionMinor}`;
  const res = new ServerResponse(req) as unknown as NodeHeadState;
  res._contentLength = 27;
  const { httpVersionMinor: _, ...fields } = setup;
  Object.assign(res, fields);
  return res;
}

const HEAD = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: abc\r\n";
const STATE = ["_header", "_headerSent", "_last", "chunkedEncoding", "shouldKeepAlive"] as const;
const withoutDate = (head: string | null) => head?.replace(/\r\nDate: [^\r]*\r\n/, "\r\nDate: -\r\n");

test("the head and the framing state are node's own, for each connection state", { skip: !endsHeadsAsNode }, () => {
  const setups: Setup[] = [
    { _keepAliveTimeout: 5000 },
    { _keepAliveTimeout: 5000, _maxRequestsPerSocket: 3 },
    { _keepAliveTimeout: 0 },
    { _keepAliveTimeout: 5000, _defaultKeepAlive: false },
    { _keepAliveTimeout: 61500 },
    { _keepAliveTimeout: 5000, maxRequestsOnConnectionReached: true },
    { _keepAliveTimeout: 5000, shouldKeepAlive: false },
    { httpVersionMinor: 0 },
  ];
  let compared = 0;
  for (const setup of setups) {
    const ours = response(setup);
    const nodes = response(setup);
    const stored = storeLengthHead(ours, HEAD);
    (ServerResponse.prototype as unknown as { _storeHeader(this: unknown, first: string, headers: unknown): void })._storeHeader.call(nodes, HEAD, undefined);
    if (!stored) {
      // Left to node: nothing changed.
      assert.equal(ours._header, null, JSON.stringify(setup));
      continue;
    }
    assert.equal(withoutDate(ours._header), withoutDate(nodes._header), JSON.stringify(setup));
    for (const key of STATE) assert.equal(ours[key], nodes[key], `${key} for ${JSON.stringify(setup)}`);
    compared++;
  }
  // All but HTTP/1.0's (no chunked framing by default: node writes no length for it).
  assert.equal(compared, setups.length - 1);
});

test("a state node frames otherwise is left to node", { skip: !endsHeadsAsNode }, () => {
  for (const setup of [{ sendDate: false }, { _removedConnection: true }, { _hasBody: false }] satisfies Setup[]) {
    const res = response(setup);
    assert.equal(storeLengthHead(res, HEAD), false, JSON.stringify(setup));
    assert.equal(res._header, null);
  }
  const unmeasured = response({});
  unmeasured._contentLength = null;
  assert.equal(storeLengthHead(unmeasured, HEAD), false);
});

test("the Date line is an HTTP date of this second", { skip: !endsHeadsAsNode }, () => {
  const res = response({ _keepAliveTimeout: 5000 });
  assert.ok(storeLengthHead(res, HEAD));
  const date = /\r\nDate: ([^\r]*)\r\n/.exec(res._header!)?.[1];
  assert.ok(date !== undefined && Math.abs(Date.parse(date) - Date.now()) < 2000, String(date));
  assert.match(date, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
});
