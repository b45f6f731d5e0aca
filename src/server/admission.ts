import type { IncomingMessage, ServerResponse } from "node:http";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const REFUSAL = JSON.stringify({ detail: "Too many requests in flight" });

/**
 * `--limit-concurrency`: past `max` requests in flight in this process, a request is answered
 * 503 with `Retry-After: 1` at once, before the app sees it, as Uvicorn does and as the app's
 * own `overload.maxConcurrency` answers. Counted per process: under --workers, each worker
 * takes up to `max`.
 */
export function limitConcurrency(listener: Listener, max: number): Listener {
  let inFlight = 0;
  const done = () => void inFlight--;
  return (req, res) => {
    if (inFlight >= max) {
      res.writeHead(503, { "content-type": "application/json", "content-length": REFUSAL.length, "retry-after": "1" });
      res.end(REFUSAL);
      return;
    }
    inFlight++;
    // "close" comes once whatever happens: the response sent, or the client gone.
    res.once("close", done);
    listener(req, res);
  };
}

/**
 * `--limit-max-requests`: calls `recycle` once, when the process has taken `max` requests
 * plus a random 0 to `jitter` more (so that workers started together do not restart
 * together). The server keeps serving until recycle() stops it.
 */
export function countRequests(listener: Listener, max: number, jitter: number, recycle: (served: number) => void): Listener {
  const limit = max + Math.floor(Math.random() * (jitter + 1));
  let served = 0;
  return (req, res) => {
    if (++served === limit) queueMicrotask(() => recycle(served));
    listener(req, res);
  };
}
