import type { HttpSocket } from "./http-socket.ts";

interface Link {
  readonly socket: HttpSocket;
  // Whole milliseconds: a field that only ever holds small integers keeps them in place, where
  // performance.now()'s fractions would be a heap number of 16 B for each open connection (heap
  // snapshots, bench/parked-heap.mjs). A drain compares it with a second.
  since: number;
  prev: Link | undefined;
  next: Link | undefined;
}

/**
 * The open connections of a server, those idle the longest first, and when each became idle
 * (server/shutdown.ts). A list of one link per connection, found through a map that changes
 * only when a connection opens or closes: a response that finishes moves its connection's link
 * to the end, where a Map kept in order by a delete and a set per response filled its table with
 * deleted entries and rebuilt it every few responses (about 150 B a request allocated, and the
 * rebuilds' time, with any number of connections).
 */
export class IdleOrder {
  readonly #links = new Map<HttpSocket, Link>();
  #first: Link | undefined;
  #last: Link | undefined;

  get size(): number {
    return this.#links.size;
  }

  /** A connection opened, idle from `now`. */
  add(socket: HttpSocket, now: number): void {
    const link: Link = { socket, since: Math.floor(now), prev: undefined, next: undefined };
    this.#links.set(socket, link);
    this.#append(link);
  }

  /** The connection became idle again at `now`: it goes to the end. False if it is not here. */
  touch(socket: HttpSocket, now: number): boolean {
    const link = this.#links.get(socket);
    if (link === undefined) return false;
    link.since = Math.floor(now);
    if (link !== this.#last) {
      this.#unlink(link);
      this.#append(link);
    }
    return true;
  }

  /** False if it is not here. */
  delete(socket: HttpSocket): boolean {
    const link = this.#links.get(socket);
    if (link === undefined) return false;
    this.#links.delete(socket);
    this.#unlink(link);
    return true;
  }

  /** The connections, idle the longest first (a socket's "close", which deletes it, comes in a later tick). */
  *keys(): Generator<HttpSocket> {
    for (const [socket] of this) yield socket;
  }

  *[Symbol.iterator](): Generator<[HttpSocket, number]> {
    for (let link = this.#first; link !== undefined; ) {
      const next = link.next;
      yield [link.socket, link.since];
      link = next;
    }
  }

  #append(link: Link): void {
    link.prev = this.#last;
    link.next = undefined;
    if (this.#last === undefined) this.#first = link;
    else this.#last.next = link;
    this.#last = link;
  }

  #unlink(link: Link): void {
    if (link.prev === undefined) this.#first = link.next;
    else link.prev.next = link.next;
    if (link.next === undefined) this.#last = link.prev;
    else link.next.prev = link.prev;
    link.prev = link.next = undefined;
  }
}
