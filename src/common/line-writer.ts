import { writeSync } from "node:fs";
import { createRequire } from "node:module";
import type { pino as Pino } from "pino";

// Loaded when the first line is written, not with the server: an app that logs nothing (`--no-access-log`,
// a logger of its own) leaves pino and its streams, some 5 MB of RSS, unloaded.
export function loadPino(): typeof Pino {
  return (createRequire(import.meta.url)("pino") as { pino: typeof Pino }).pino;
}

/**
 * Lines gathered into chunks of at least `size` characters before `out` gets them, and handed
 * over at least every `interval` ms. Gathered here rather than by pino's destination, whose
 * write() measures the whole pending chunk in bytes on every call (a cost that grows with the
 * chunk, paid per line). Lines come as strings (add) or as bytes a writer puts straight into
 * the chunk's buffer (room, then wrote: the access lines, access-lines.ts). Strings are joined
 * as they come and their UTF-8 written in one call, at the next bytes or at the flush: a write
 * per line cost about 2,200 instructions of a 270-character line, a write per 60 lines about
 * 850 a line (callgrind). One buffer holds the chunk, used again for every chunk, and the
 * strings, 16 KB at most, live no longer than a tenth of a second. `out` gets a view of that
 * buffer, valid until it returns: what it keeps, it copies.
 */
export class LineBatches {
  // Plain properties, not #private ones: a store to a private field is a keyed store, which the
  // optimizing tier V8 first gives a hot function calls out to rather than inlines, and add()
  // stores two for every line (callgrind, bench/http-callgrind.mjs `spry-log`).
  private readonly out: (bytes: Buffer) => void;
  private readonly size: number;
  /** Where the chunk's bytes are, from 0 to room()'s offset: a writer of bytes writes here. */
  buffer: Buffer;
  /** `buffer` as a DataView, for a writer that stores two or four bytes at once. */
  view: DataView;
  /** The chunk's bytes in `buffer`. */
  private used: number;
  /** The strings added since the last bytes, and their length: written into `buffer` together. */
  private pending: string;
  private chars: number;

  constructor(out: (bytes: Buffer) => void, size: number) {
    this.out = out;
    this.size = size;
    // Room for a chunk and the line that completes it, whatever its characters (3 bytes at most
    // for each of a string's UTF-16 units).
    this.buffer = Buffer.allocUnsafeSlow(3 * Math.max(size, 4 * 1024) + 8 * 1024);
    this.view = viewOf(this.buffer);
    this.used = 0;
    this.pending = "";
    this.chars = 0;
  }

  add(line: string): void {
    this.pending += line;
    this.chars += line.length;
    if (this.used + this.chars >= this.size) this.flush();
  }

  /**
   * Where a line of at most `most` bytes goes: `buffer` from the offset returned (what came
   * before it in `buffer` stays as it is). The line is the chunk's once wrote() says where it ends.
   */
  room(most: number): number {
    if (this.chars !== 0) this.settle();
    if (this.used + most > this.buffer.length) {
      this.writeOut();
      if (most > this.buffer.length) this.grow(most + 3 * this.size);
    }
    return this.used;
  }

  /** The line room() gave room for ends at `end` of `buffer`. */
  wrote(end: number): void {
    this.used = end;
    if (end >= this.size) this.writeOut();
  }

  flush(): void {
    if (this.chars !== 0) this.settle();
    this.writeOut();
  }

  /** The pending strings into `buffer`, after its bytes. */
  private settle(): void {
    const text = this.pending;
    const chars = this.chars;
    this.pending = "";
    this.chars = 0;
    if (this.used + 3 * chars > this.buffer.length) {
      this.writeOut();
      // A chunk longer than the buffer's room (an app's own line, with a big object in it).
      if (3 * chars > this.buffer.length) this.grow(3 * chars + this.size);
    }
    this.used += writeUtf8(this.buffer, text, this.used);
  }

  private grow(size: number): void {
    this.buffer = Buffer.allocUnsafeSlow(size);
    this.view = viewOf(this.buffer);
  }

  private writeOut(): void {
    const used = this.used;
    if (used === 0) return;
    this.used = 0;
    this.out(this.buffer.subarray(0, used));
  }
}

function viewOf(buffer: Buffer): DataView {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

type Utf8Writable = Buffer & { utf8Write(text: string, offset: number): number };

// Buffer's own UTF-8 writer, which write() calls after sorting out its arguments (a tenth of the
// line's cost in a profile); write() itself where a runtime has no such method.
const writeUtf8: (buffer: Buffer, text: string, offset: number) => number =
  typeof (Buffer.prototype as Partial<Utf8Writable>).utf8Write === "function" ? (buffer, text, offset) => (buffer as Utf8Writable).utf8Write(text, offset) : (buffer, text, offset) => buffer.write(text, offset);

/** How many lines `bytes` holds (its newlines). */
function lineCount(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) count++;
  return count;
}

/** Where lines wait for a slow reader, at most: past it, lines are dropped and counted. */
export const MAX_PENDING = 16 * 1024 * 1024;

export interface LineWriterOptions {
  /** Characters gathered before a write (0: each line at once). */
  batch?: number;
  /** Bytes that may wait for a slow reader; past it, lines are dropped and counted. */
  maxPending?: number;
  /**
   * `fd` never blocks a write (a pipe or socket libuv has opened, which it puts in non-blocking
   * mode): each batch is then written at once, on the event loop, and only what the reader has
   * no room for yet goes to the asynchronous writer.
   */
  nonBlocking?: boolean;
}

/**
 * Lines for the file descriptor `fd`, gathered in batches of `batch` characters and written so
 * that a reader that falls behind never stalls the event loop: directly when `fd` cannot block
 * (a write takes what the reader has room for, at once), else, and for whatever such a write
 * leaves, asynchronously (pino's destination, on libuv's thread pool). At most `maxPending`
 * bytes wait for the reader: a stalled collector must not grow the process without bound
 * (docs/reliability.md row 46), so lines past that are dropped, counted, and reported by one
 * warning line once the writes go through.
 */
export function lineWriter(fd: number, { batch = 16 * 1024, maxPending = MAX_PENDING, nonBlocking = false }: LineWriterOptions = {}): { lines: LineBatches; flushSync(waitMs?: number): void } {
  // While a synchronous flush runs, the time after which a reader that takes nothing (EAGAIN)
  // is given up on; the asynchronous writes wait for it as long as it takes.
  let giveUpAt: number | undefined;
  const retryEAGAIN = () => giveUpAt === undefined || performance.now() < giveUpAt;
  const destination = loadPino().destination({ dest: fd, sync: false, minLength: 0, maxWrite: 64 * 1024, maxLength: maxPending, retryEAGAIN, contentMode: "buffer" });
  // Once a chunk is refused, lines are counted rather than offered until everything pending
  // has been written (pino's destination says "drain"): then one line tells how many were lost.
  let dropped = 0;
  let stalled = false;
  // Whether the destination holds bytes not yet written: the next batches queue behind them.
  let queued = false;
  let direct = nonBlocking;
  let closed = false;
  // In buffer mode the destination takes Buffers, which pino's types do not say.
  const put = (bytes: Buffer) => destination.write(bytes as unknown as string);
  destination.on("drop", () => (stalled = true));
  destination.on("drain", () => {
    queued = false;
    if (!stalled) return;
    stalled = false;
    queued = true;
    put(Buffer.from(`{"level":40,"time":${Date.now()},"dropped":${dropped},"msg":"${dropped} log lines were dropped: stdout was not read fast enough"}\n`));
    dropped = 0;
  });
  const lines = new LineBatches((bytes) => {
    if (closed) return;
    if (stalled) {
      dropped += lineCount(bytes);
      return;
    }
    let written = 0;
    if (direct && !queued) {
      // Written here rather than handed to libuv's thread pool: a pool thread woken per batch,
      // and its completion reported back to the loop, cost more than the write itself, which
      // for a reader that keeps up copies the bytes into the pipe and returns.
      try {
        written = writeSync(fd, bytes);
      } catch (error) {
        // A full pipe (EAGAIN) waits in the destination; anything else is the destination's to
        // handle as it would (a reader gone: EPIPE, after which nothing is written).
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN") direct = false;
      }
      if (written === bytes.length) return;
    }
    queued = true;
    // A copy: the batch's buffer is written over by the next lines.
    const rest = Buffer.from(bytes.subarray(written));
    put(rest);
    if (stalled) dropped += lineCount(rest);
  }, batch);
  return {
    lines,
    /**
     * Writes everything pending before it returns, waiting at most `waitMs` for a reader that
     * takes nothing; past that it throws, what is left is dropped, and the writer is closed
     * (nothing more is written, and pino's own flush at exit finds it closed and passes): at
     * the process's end the other choice is a process that never ends.
     */
    flushSync(waitMs = Infinity) {
      if (closed) return;
      lines.flush();
      if (!queued) return;
      giveUpAt = performance.now() + waitMs;
      try {
        destination.flushSync();
      } catch (error) {
        closed = true;
        destination.destroy();
        throw error;
      } finally {
        giveUpAt = undefined;
      }
    },
  };
}
