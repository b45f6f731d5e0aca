import type { Accept, AcceptOptions, SocketTransport, WebSocketLimits } from "./transport.ts";

/** Close codes of RFC 6455 section 7.4.1 that spry sends. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
} as const;

/**
 * The connection is closed: thrown by `receive()` and `send()` once it is, with the close code
 * (the peer's, or 1006 when the connection dropped without one), as Starlette's WebSocketDisconnect.
 */
export class WebSocketDisconnect extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason = "") {
    super(`WebSocket closed with ${code}${reason === "" ? "" : `: ${reason}`}`);
    this.name = "WebSocketDisconnect";
    this.code = code;
    this.reason = reason;
  }
}

export type WebSocketState = "connecting" | "open" | "closed";

/** What the handshake request offers and how the socket may answer, for a WebSocket being built. */
export interface WebSocketInit {
  readonly accept: Accept;
  /** Answers the handshake with an HTTP status instead (close before accept): 403, as Starlette. */
  readonly deny: (status: number) => void;
  readonly limits: WebSocketLimits;
  /** The subprotocols the client offered (Sec-WebSocket-Protocol), in its order. */
  readonly protocols: readonly string[];
}

type Message = string | Uint8Array;

/** What `forEach()` calls with each message; a promise it returns holds the next message back until it settles. */
export type MessageCallback = (message: string | Uint8Array) => unknown;

// One forEach() reading a socket: its callback and the promise it settles.
interface Reader {
  readonly callback: MessageCallback;
  // The callback is running, or a promise it returned has not settled: messages wait in the
  // queue meanwhile (and the reading pauses past receiveQueueLimit, as for a slow for-await).
  busy: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  // Made once per forEach(), not per message: what a returned promise is settled into.
  readonly caughtUp: () => void;
  readonly failed: (error: unknown) => void;
}
// Iterator results are written `{ value, done }`, in that order: V8 gives such an object the map
// of its own iterator results, which a promise is resolved with without looking up a `then` on
// it (written `{ done, value }`, every message's result costs that lookup).
const DONE: IteratorResult<Message> = { value: undefined, done: true };

const MAX_REASON_BYTES = 123;
// Every socket's ring until it first queues a message: of size 0, so that message grows it.
const NO_RING: (string | Uint8Array | undefined)[] = [];
const SENT: Promise<void> = Promise.resolve();
const ignore = () => {};

/**
 * `promise`, marked as handled: a send() nobody awaits (`peers.forEach((p) => p.send(text))`)
 * on a socket that has closed must not end the process as an unhandled rejection, as `ws`'s own
 * send() never does; a caller that awaits it still gets the WebSocketDisconnect.
 */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(ignore);
  return promise;
}

const byteLength = (data: string | Uint8Array) => (typeof data === "string" ? Buffer.byteLength(data) : data.byteLength);


/**
 * A WebSocket connection, as a handler receives it: accept (optionally with a subprotocol and
 * headers), receive and send text, bytes or JSON, iterate over incoming messages, close. The
 * first send or receive accepts the connection if the handler has not.
 *
 * @example
 * app.websocket("/echo", async (_, ws) => {
 *   for await (const message of ws) await ws.send(message);
 * });
 */
export class WebSocket implements AsyncIterable<string | Uint8Array> {
  readonly #init: WebSocketInit;
  #state: WebSocketState = "connecting";
  #transport: SocketTransport | undefined;
  #accepting: Promise<void> | undefined;
  // The messages received and not yet read, oldest first, in a ring (#head, #queued): taking one
  // moves nothing, where Array.prototype.shift on a short array goes through V8's runtime and
  // the next push grows the array again (some 600 instructions a queued message, as in
  // bench/framework/websocket-overhead.ts, whose messages come while the loop is busy).
  // Allocated with the first message queued.
  #ring: (Message | undefined)[] = NO_RING;
  #head = 0;
  #queued = 0;
  // The receive() waiting (resolved with the message) or the iterator's next() (with its
  // result, and with the end rather than an error once the socket closes), if one is.
  #resolve: ((value: unknown) => void) | undefined;
  #reject: ((error: WebSocketDisconnect) => void) | undefined;
  #iterating = false;
  // A for-await loop has this socket's iterator and has not finished with it.
  #forAwait = false;
  // The forEach() reading this socket, if one is.
  #reader: Reader | undefined;
  // The executors of those promises, made once per socket rather than a closure per message
  // waited for. An iterator's next() is never rejected, so it keeps its resolve alone: each
  // function kept is a store of a new object into the long-lived socket (a write barrier's slow
  // path, some 50 instructions), and next() is what `for await` calls for every message.
  readonly #takeResolve = (resolve: (value: unknown) => void) => {
    this.#resolve = resolve;
  };
  readonly #takeBoth = (resolve: (value: unknown) => void, reject: (error: WebSocketDisconnect) => void) => {
    this.#resolve = resolve;
    this.#reject = reject;
  };
  #paused = false;
  #closed: WebSocketDisconnect | undefined;
  // The wait for a slow reader to take what is queued, shared by every send made past the limit
  // meanwhile: one timer per socket, however many senders wait on it.
  #draining: Promise<void> | undefined;
  // Whether the last send left the queue past sendBufferLimit.
  #overLimit = false;
  readonly #controller = new AbortController();
  #resolveClosed!: (closed: WebSocketDisconnect) => void;
  /** Resolves when the connection has closed, with its close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The subprotocol chosen at accept, if any. */
  subprotocol: string | undefined;

  constructor(init: WebSocketInit) {
    this.#init = init;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve)).then((d) => {
      const closed = d as WebSocketDisconnect;
      return { code: closed.code, reason: closed.reason };
    });
  }

  /** The subprotocols the client offered, in its order of preference. */
  get protocols(): readonly string[] {
    return this.#init.protocols;
  }

  get state(): WebSocketState {
    return this.#state;
  }

  /** Aborted when the connection closes, whoever closed it (reason: WebSocketDisconnect). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Completes the handshake, choosing a subprotocol (one the client offered) and adding headers. */
  accept(options: AcceptOptions = {}): Promise<void> {
    if (this.#accepting !== undefined) throw new Error("This WebSocket was already accepted");
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    if (options.subprotocol !== undefined && !this.protocols.includes(options.subprotocol)) {
      throw new Error(`Subprotocol ${JSON.stringify(options.subprotocol)} was not offered by the client (${this.protocols.join(", ") || "none"})`);
    }
    return (this.#accepting = this.#init.accept(options).then((transport) => {
      this.#transport = transport;
      this.subprotocol = options.subprotocol;
      this.#state = "open";
      transport.onMessage = (data) => this.#arrived(data);
      transport.onClose = (code, reason) => this.#ended(new WebSocketDisconnect(code, reason));
    }));
  }

  #ensureOpen(): void | Promise<void> {
    if (this.#closed !== undefined) throw this.#closed;
    if (this.#state === "open") return;
    return this.#accepting ?? this.accept();
  }

  #arrived(data: string | Uint8Array): void {
    const resolve = this.#resolve;
    if (resolve !== undefined) {
      this.#resolve = this.#reject = undefined;
      return resolve(this.#iterating ? { value: data, done: false } : data);
    }
    // A reader that is not busy has emptied the queue: the message is its next.
    const reader = this.#reader;
    if (reader !== undefined && !reader.busy) return this.#deliver(reader, data);
    this.#enqueue(data);
    // A handler that is behind stops the reading, so a flood waits in the peer's socket, not here.
    if (this.#queued >= this.#init.limits.receiveQueueLimit && !this.#paused) {
      this.#paused = true;
      this.#transport!.pause();
    }
  }

  #ended(disconnect: WebSocketDisconnect): void {
    if (this.#closed !== undefined) return;
    this.#closed = disconnect;
    this.#state = "closed";
    const resolve = this.#resolve;
    const reject = this.#reject;
    this.#resolve = this.#reject = undefined;
    if (this.#iterating) {
      if (resolve !== undefined) resolve(this.#iterated());
    } else {
      reject?.(disconnect);
    }
    // A busy reader ends once its callback is done with what is queued.
    const reader = this.#reader;
    if (reader !== undefined && !reader.busy) this.#doneReading(reader);
    this.#controller.abort(disconnect);
    this.#resolveClosed(disconnect);
  }

  /** The next message, text as a string and binary as bytes. Throws WebSocketDisconnect once closed. */
  receive(): Promise<string | Uint8Array> {
    if (this.#reader !== undefined) return Promise.reject(readingTwice("receive()", "forEach()"));
    // Messages that arrived before the close are still read, then the close is.
    if (this.#state !== "open" && this.#queued === 0) return this.#openThen(() => this.receive());
    return this.#take();
  }

  // Not async: on the hot path (a message already waiting) no extra promise turn is paid.
  #take(): Promise<string | Uint8Array> {
    const next = this.#shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    return this.#wait(false) as Promise<Message>;
  }

  #wait(iterating: boolean): Promise<unknown> {
    if (this.#resolve !== undefined) return Promise.reject(readingTwice(iterating ? "for await loop" : "receive()", this.#iterating ? "for await loop" : "receive()"));
    this.#iterating = iterating;
    return new Promise(iterating ? this.#takeResolve : this.#takeBoth);
  }

  // The next queued message, resuming the reading once the handler has caught up.
  #shift(): Message | undefined {
    // Most reads find the queue empty (the handler is waiting for the peer): no shift then.
    if (this.#queued === 0) return undefined;
    const ring = this.#ring;
    const head = this.#head;
    const next = ring[head];
    ring[head] = undefined;
    this.#head = (head + 1) & (ring.length - 1);
    this.#queued--;
    if (this.#paused && this.#queued <= this.#init.limits.receiveQueueLimit / 2) {
      this.#paused = false;
      this.#transport!.resume();
    }
    return next;
  }

  #enqueue(data: Message): void {
    let ring = this.#ring;
    if (this.#queued === ring.length) {
      // Full: twice the size (a power of two, for the mask), the oldest first.
      const grown: (Message | undefined)[] = new Array<Message | undefined>(Math.max(4, 2 * ring.length)).fill(undefined);
      for (let i = 0; i < this.#queued; i++) grown[i] = ring[(this.#head + i) & (ring.length - 1)];
      this.#ring = ring = grown;
      this.#head = 0;
    }
    ring[(this.#head + this.#queued) & (ring.length - 1)] = data;
    this.#queued++;
  }

  // An iterator's next(): as receive(), but the waiter is resolved with the result itself, one
  // promise per message rather than two (`for await` is the usual way to read a socket).
  #next(): Promise<IteratorResult<Message>> {
    if (this.#state !== "open" && this.#queued === 0) {
      return this.receive().then((value) => ({ value, done: false }), (error: unknown) => {
        if (error instanceof WebSocketDisconnect) return this.#iterated();
        throw error;
      });
    }
    const next = this.#shift();
    if (next !== undefined) return Promise.resolve({ value: next, done: false });
    if (this.#closed !== undefined) return Promise.resolve(this.#iterated());
    return this.#wait(true) as Promise<IteratorResult<Message>>;
  }

  // The end of a for-await loop's messages: the socket may be read some other way after it.
  #iterated(): IteratorResult<Message> {
    this.#forAwait = false;
    return DONE;
  }

  /**
   * Calls `callback` with every message, in order, until the socket closes, and resolves then
   * (as a `for await` loop ends); rejects with what the callback threw or rejected with, and
   * calls it no more. A promise the callback returns (`send()`'s, say) holds the next message
   * back until it settles, so a slow callback slows the peer down as a slow loop does; one that
   * returns nothing takes the next message as it arrives, with no promise made for it. Return
   * (or await) what forEach() returns from the handler: the handler's end closes the socket.
   *
   * @example
   * app.websocket("/echo", (_, ws) => ws.forEach((message) => ws.send(message)));
   */
  forEach(callback: MessageCallback): Promise<void> {
    if (this.#reader !== undefined) return Promise.reject(readingTwice("forEach()", "forEach()"));
    if (this.#forAwait) return Promise.reject(readingTwice("forEach()", "for await loop"));
    if (this.#resolve !== undefined) return Promise.reject(readingTwice("forEach()", this.#iterating ? "for await loop" : "receive()"));
    if (this.#state === "connecting") {
      return (this.#accepting ?? this.accept()).then(() => this.forEach(callback), (error: unknown) => {
        // The client left before the handshake: no messages, as a for-await loop has none.
        if (error instanceof WebSocketDisconnect) return;
        throw error;
      });
    }
    return new Promise<void>((resolve, reject) => {
      const reader: Reader = {
        callback,
        busy: true,
        resolve,
        reject,
        caughtUp: () => this.#caughtUp(reader),
        failed: (error) => this.#stopReading(reader, error),
      };
      this.#reader = reader;
      // What is already queued is delivered on a later turn, as a loop's first message would
      // be: never within this call, before the caller has the promise.
      queueMicrotask(reader.caughtUp);
    });
  }

  // Hands `data` to the reader, then what queued meanwhile, for as long as its callback returns
  // at once: the hot path of a synchronous callback is a call and two checks, no promise.
  #deliver(reader: Reader, data: Message): void {
    reader.busy = true;
    for (;;) {
      let result: unknown;
      try {
        result = reader.callback(data);
      } catch (error) {
        return this.#stopReading(reader, error);
      }
      // send()'s shared settled promise (the message left within the buffer limit) is as good
      // as no promise: waiting on it would only cost a turn.
      if (result !== undefined && result !== SENT && isThenable(result)) {
        Promise.resolve(result).then(reader.caughtUp, reader.failed);
        return;
      }
      if (this.#reader !== reader) return;
      const next = this.#shift();
      if (next === undefined) break;
      data = next;
    }
    reader.busy = false;
    if (this.#closed !== undefined) this.#doneReading(reader);
  }

  // The reader's last promise has settled (or it has just started): on to the queue.
  #caughtUp(reader: Reader): void {
    if (this.#reader !== reader) return;
    const next = this.#shift();
    if (next !== undefined) return this.#deliver(reader, next);
    reader.busy = false;
    if (this.#closed !== undefined) this.#doneReading(reader);
  }

  #doneReading(reader: Reader): void {
    this.#reader = undefined;
    reader.resolve();
  }

  // What is still queued stays for whatever reads next, as after a loop that broke off.
  #stopReading(reader: Reader, error: unknown): void {
    if (this.#reader !== reader) return;
    this.#reader = undefined;
    reader.reject(error);
  }

  // Accepts first (the first send or receive does), or fails as a closed socket does.
  async #openThen<T>(then: () => Promise<T>): Promise<T> {
    await this.#ensureOpen();
    return then();
  }

  /** The next message, which must be text (a binary one closes the socket with 1003). */
  async receiveText(): Promise<string> {
    const data = await this.receive();
    if (typeof data === "string") return data;
    throw this.#refuse(CloseCode.unsupportedData, "Expected a text message");
  }

  /** The next message, which must be binary (a text one closes the socket with 1003). */
  async receiveBytes(): Promise<Uint8Array> {
    const data = await this.receive();
    if (typeof data !== "string") return data;
    throw this.#refuse(CloseCode.unsupportedData, "Expected a binary message");
  }

  /** The next text message, parsed as JSON (a message that is not JSON closes the socket with 1003). */
  async receiveJson<T = unknown>(): Promise<T> {
    const text = await this.receiveText();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw this.#refuse(CloseCode.unsupportedData, "Expected a JSON message");
    }
  }

  #refuse(code: number, reason: string): WebSocketDisconnect {
    this.close(code, reason);
    return new WebSocketDisconnect(code, reason);
  }

  /**
   * Sends a text (string) or binary (bytes) message. Resolves once it is queued within the send
   * buffer limit: with a slow reader it waits for the queue to drain, and closes the connection
   * (1008) if that takes longer than the send timeout. Throws WebSocketDisconnect once closed.
   */
  send(data: string | Uint8Array): Promise<void> {
    if (this.#state !== "open") return handled(this.#openThen(() => this.send(data)));
    const transport = this.#transport!;
    const limit = this.#init.limits.sendBufferLimit;
    // An awaited send() returns only once the queue has drained, so a queue already over the
    // limit means senders that do not wait (a broadcast loop without `await`, or many at once).
    // Their messages would pile up until the send timeout; past twice the limit the socket is
    // closed at once instead, so that the queue stays bounded whatever the senders do.
    // Only this socket's sends fill its queue (pings and the close frame add a few bytes): one the
    // last send left within the limit still is, so the hot path of an echo reads it once, not twice.
    if (this.#overLimit && transport.bufferedAmount > limit && transport.bufferedAmount + byteLength(data) > 2 * limit) return this.#overflowed(transport);
    transport.send(data);
    if (transport.bufferedAmount <= limit) {
      this.#overLimit = false;
      return SENT;
    }
    this.#overLimit = true;
    return this.#draining ?? this.#drained(transport);
  }

  #overflowed(transport: SocketTransport): Promise<void> {
    return handled(Promise.reject(this.#dropSlowReader(transport, "Send buffer full: messages sent faster than the client reads")));
  }

  // A close frame would wait behind the full queue, so the connection is also dropped.
  #dropSlowReader(transport: SocketTransport, reason: string): WebSocketDisconnect {
    this.close(CloseCode.policyViolation, reason);
    transport.terminate();
    return new WebSocketDisconnect(CloseCode.policyViolation, reason);
  }

  /** Sends `value` as a JSON text message. */
  sendJson(value: unknown): Promise<void> {
    return this.send(JSON.stringify(value) ?? "null");
  }

  #drained(transport: SocketTransport): Promise<void> {
    let resolve!: () => void;
    let reject!: (error: WebSocketDisconnect) => void;
    // Set before the transport is asked: it may find the queue drained at once.
    const draining = (this.#draining = handled(new Promise<void>((res, rej) => ((resolve = res), (reject = rej)))));
    const done = () => {
      if (this.#draining === draining) this.#draining = undefined;
    };
    const timer = setTimeout(() => {
      done();
      reject(this.#dropSlowReader(transport, "Send buffer full: the client is not reading"));
    }, this.#init.limits.sendTimeout);
    transport.whenDrained(() => {
      clearTimeout(timer);
      done();
      if (this.#closed !== undefined) reject(this.#closed);
      else resolve();
    });
    return draining;
  }

  /**
   * Closes the connection with a code (default 1000) and a reason (at most 123 bytes; longer is
   * cut). Before accept, it refuses the handshake with HTTP 403 instead, as Starlette does.
   */
  close(code: number = CloseCode.normal, reason = ""): void {
    if (this.#closed !== undefined) return;
    if (this.#state === "connecting" && this.#accepting === undefined) {
      this.#init.deny(403);
      this.#ended(new WebSocketDisconnect(code, reason));
      return;
    }
    const send = () => this.#transport?.close(code, truncateReason(reason));
    if (this.#transport === undefined) void this.#accepting?.then(send, () => {});
    else send();
  }

  /** Drops the connection without the closing handshake: a shutdown's last resort. */
  terminate(): void {
    if (this.#closed !== undefined) return;
    if (this.#transport !== undefined) this.#transport.terminate();
    else this.#ended(new WebSocketDisconnect(1006, ""));
  }

  // A plain iterator rather than an async generator: one promise per message, not three.
  [Symbol.asyncIterator](): AsyncIterator<string | Uint8Array> {
    if (this.#reader !== undefined) throw readingTwice("for await loop", "forEach()");
    this.#forAwait = true;
    return {
      next: () => this.#next(),
      // A loop that breaks off (or throws) leaves the socket to be read some other way.
      return: () => Promise.resolve(this.#iterated()),
    };
  }

  /**
   * Ends this socket's life from the server side once its handler has returned or thrown.
   * @internal spry's WebSocket routes call it; not part of the published types.
   */
  handlerEnded(error: unknown): void {
    if (this.#closed !== undefined) return;
    if (this.#state === "connecting" && this.#accepting === undefined) {
      // Never accepted: as Starlette, the handshake is refused.
      this.close();
      return;
    }
    if (error === undefined) this.close(CloseCode.normal);
    else this.close(CloseCode.internalError, "Internal Server Error");
  }
}

type ReaderName = "receive()" | "forEach()" | "for await loop";

// Two readers at once would each get some of the messages, in no order anyone could rely on.
function readingTwice(reader: ReaderName, other: ReaderName): Error {
  if (reader === other) return new Error(`Another ${reader} is already reading this WebSocket's messages`);
  const first = other === "for await loop" ? `A ${other}` : other;
  return new Error(`${first} is already reading this WebSocket's messages: ${reader === "for await loop" ? `a ${reader}` : reader} cannot read them too`);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as PromiseLike<unknown>).then === "function";
}

function truncateReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_REASON_BYTES) return reason;
  let cut = reason.slice(0, MAX_REASON_BYTES);
  while (Buffer.byteLength(cut) > MAX_REASON_BYTES) cut = cut.slice(0, -1);
  return cut;
}
