// multipart/form-data bodies built byte by byte, so that a test controls every delimiter and
// header, malformed ones included.
import { readdirSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";

export const BOUNDARY = "----spry-test-boundary";

export interface Part {
  readonly name: string;
  readonly value: string | Uint8Array;
  /** Makes the part a file. */
  readonly filename?: string;
  readonly contentType?: string;
}

/** The bytes of one part, without its delimiter. */
export function part({ name, value, filename, contentType }: Part): Buffer {
  let head = `Content-Disposition: form-data; name="${name}"`;
  if (filename !== undefined) head += `; filename="${filename}"`;
  if (contentType !== undefined) head += `\r\nContent-Type: ${contentType}`;
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`), Buffer.from(value)]);
}

/** A complete body: every part after its delimiter, then the closing delimiter. */
export function multipartBody(parts: readonly Part[], boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) chunks.push(Buffer.from(`--${boundary}\r\n`), part(p), Buffer.from("\r\n"));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** Request options for TestClient: the body and its content type. */
export function multipart(parts: readonly Part[], boundary = BOUNDARY): { body: Buffer; headers: Record<string, string> } {
  return { body: multipartBody(parts, boundary), headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

/** The entries of `dir` whose names start with spry's upload prefix. */
export function uploadDirs(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith("spry-upload-"));
}

/** Polls until `dir` holds no upload directories, for at most `ms`; returns what is left. */
export async function uploadsGone(dir: string, ms = 2000): Promise<string[]> {
  const until = Date.now() + ms;
  let left = uploadDirs(dir);
  while (left.length > 0 && Date.now() < until) {
    await delay(10);
    left = uploadDirs(dir);
  }
  return left;
}
