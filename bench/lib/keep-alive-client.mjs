// One request at a time on one keep-alive connection, responses framed by Content-Length, for the
// in-process scripts (in-process.mjs --socket, alloc-anchors.mjs) that measure a server in their
// own process. The answer has light-my-request's shape (statusCode, payload as UTF-8), so that a
// script may drive the same workload through either. A connection not being measured sits idle
// meanwhile, and its server may close it (its keep-alive timeout) or answer it with a 408: a
// response nobody asked for is dropped, and a closed connection is opened again for the next
// request.
import { connect } from 'node:net';

export class KeepAliveClient {
  #port;
  #socket;
  #buffer = '';
  #done;

  static async open(port) {
    const client = new KeepAliveClient(port);
    await client.#connect();
    return client;
  }

  constructor(port) {
    this.#port = port;
  }

  #connect() {
    return new Promise((resolve, reject) => {
      const socket = connect(this.#port, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
      socket.once('error', reject);
      socket.setEncoding('latin1');
      socket.on('data', (chunk) => this.#received(chunk));
      socket.on('close', () => {
        if (this.#socket === socket) this.#socket = undefined;
      });
      this.#buffer = '';
      this.#socket = socket;
    });
  }

  #received(chunk) {
    this.#buffer += chunk;
    const end = this.#buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const length = Number(/content-length: *(\d+)/i.exec(this.#buffer.slice(0, end))?.[1] ?? 0);
    if (this.#buffer.length < end + 4 + length) return;
    const statusCode = Number(this.#buffer.slice(9, 12));
    const payload = Buffer.from(this.#buffer.slice(end + 4, end + 4 + length), 'latin1').toString('utf8');
    this.#buffer = this.#buffer.slice(end + 4 + length);
    const done = this.#done;
    this.#done = undefined;
    done?.({ statusCode, payload });
  }

  /** Sends one request's bytes; resolves with its response. */
  async send(bytes) {
    if (this.#socket === undefined || this.#socket.destroyed) await this.#connect();
    return new Promise((resolve) => {
      this.#done = resolve;
      this.#socket.write(bytes);
    });
  }
}
