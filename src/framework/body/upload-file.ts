import { createReadStream } from "node:fs";
import { mkdtemp, open, readFile, rm, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { HTTPException } from "../../common/http-exception.ts";
import type { UploadFile } from "./fields.ts";

/** An upload held in memory, or spooled to `path` once it grew past the threshold. */
export class SpooledUpload implements UploadFile {
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
  readonly path: string | undefined;
  readonly #memory: Buffer | undefined;

  constructor(filename: string, contentType: string, size: number, stored: Buffer | string) {
    this.filename = filename;
    this.contentType = contentType;
    this.size = size;
    this.path = typeof stored === "string" ? stored : undefined;
    this.#memory = typeof stored === "string" ? undefined : stored;
  }

  async bytes(): Promise<Uint8Array> {
    return this.#memory ?? readFile(this.path!);
  }

  async text(): Promise<string> {
    return Buffer.from(await this.bytes()).toString("utf8");
  }

  stream(): Readable {
    return this.#memory === undefined ? createReadStream(this.path!) : Readable.from([this.#memory]);
  }
}

/**
 * One request's temporary directory, made on the first spooled file and removed by `remove()`,
 * which the request defers to after its response. Once removed, no file is spooled into it
 * again: a parse still running after the client left fails instead of leaving files behind.
 */
export class SpoolDir {
  #dir: Promise<string> | undefined;
  #removed = false;
  #count = 0;

  /** A fresh file path in the directory. */
  async nextPath(): Promise<string> {
    if (this.#removed) throw new Error("The request's upload directory has been removed");
    const dir = await (this.#dir ??= mkdtemp(join(tmpdir(), "spry-upload-")));
    return join(dir, `${++this.#count}`);
  }

  async remove(): Promise<void> {
    this.#removed = true;
    const dir = await this.#dir?.catch(() => undefined);
    // Retries cover a file created while the directory was being emptied.
    if (dir !== undefined) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

export interface SpoolOptions {
  readonly filename: string;
  readonly contentType: string;
  /** Bytes kept in memory before the file is written to disk. */
  readonly threshold: number;
  /** The declared input's own maximum, if any. Over it: 413. */
  readonly maxSize: number | undefined;
  readonly dir: SpoolDir;
}

/**
 * Reads one uploaded file's stream to its end, in memory up to the threshold and on disk past
 * it (Starlette's SpooledTemporaryFile). Iterating applies backpressure: the parser waits for
 * each disk write.
 */
export async function spool(source: Readable, options: SpoolOptions): Promise<SpooledUpload> {
  const chunks: Buffer[] = [];
  let size = 0;
  let path: string | undefined;
  let handle: FileHandle | undefined;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (options.maxSize !== undefined && size > options.maxSize) {
        throw new HTTPException(413, `File "${options.filename}" is larger than ${options.maxSize} bytes`, { connection: "close" });
      }
      if (handle !== undefined) {
        await handle.writeFile(chunk);
        continue;
      }
      chunks.push(chunk);
      if (size > options.threshold) {
        path = await options.dir.nextPath();
        handle = await open(path, "w");
        await handle.writeFile(Buffer.concat(chunks, size));
        chunks.length = 0;
      }
    }
  } finally {
    await handle?.close();
  }
  return new SpooledUpload(options.filename, options.contentType, size, path ?? Buffer.concat(chunks, size));
}
