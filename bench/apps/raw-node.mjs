// Raw node:http baseline: what a careful person writes without a framework.
// The URL is parsed by hand and item_id checked with a regex, so this is the
// floor a framework's routing and validation overhead is measured against.
import http from 'node:http';

const PORT = Number(process.env.PORT ?? 8000);
const HOST = process.env.HOST ?? '127.0.0.1';
// SLOW_TASK_SECONDS=0 means no timer at all (not setTimeout(0)), as in every app here.
const SLOW_MS = Number(process.env.SLOW_TASK_SECONDS ?? 5) * 1000;

const INT_RE = /^[+-]?\d+$/;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function send(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

// A bad %-escape must not throw out of the request handler.
function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// Query values are form-encoded: '+' is a space.
const decodeQueryValue = (s) => safeDecode(s.replace(/\+/g, ' '));

function getQueryParam(query, name) {
  if (query === '') return null;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (key === name) return eq === -1 ? '' : decodeQueryValue(pair.slice(eq + 1));
  }
  return null;
}

async function slowTask(res, rawId, query) {
  if (!INT_RE.test(rawId)) {
    send(res, 422, {
      detail: [{
        type: 'int_parsing',
        loc: ['path', 'item_id'],
        msg: 'Input should be a valid integer, unable to parse string as an integer',
        input: rawId,
      }],
    });
    return;
  }
  const q = getQueryParam(query, 'q');
  if (SLOW_MS > 0) await sleep(SLOW_MS);
  send(res, 200, { item_id: Number(rawId), q });
}

const server = http.createServer((req, res) => {
  const url = req.url;
  const qi = url.indexOf('?');
  const path = qi === -1 ? url : url.slice(0, qi);
  const query = qi === -1 ? '' : url.slice(qi + 1);

  if (req.method === 'GET' && path === '/fast_task/') {
    send(res, 200, { message: 'This is fast!' });
    return;
  }
  if (req.method === 'GET' && path.startsWith('/slow_task/')) {
    const parts = path.split('/'); // ['', 'slow_task', id]
    if (parts.length === 3 && parts[2] !== '') {
      slowTask(res, safeDecode(parts[2]), query);
      return;
    }
  }
  send(res, 404, { detail: 'Not Found' });
});

server.listen(PORT, HOST, () => {
  console.log(`raw-node listening on http://${HOST}:${PORT}`);
});
