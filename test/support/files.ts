// A directory tree for the static-file tests, made fresh in the system's temp directory:
// public/ (the served root) beside outside/ (what no request may ever read).
import { brotliCompressSync, gzipSync } from "node:zlib";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SECRET = "the secret outside the root";
export const APP_JS = "console.log('hello from app.js');\n".repeat(20);

export interface FileTree {
  readonly base: string;
  readonly public: string;
  readonly outside: string;
  remove(): void;
}

export function makeFileTree(): FileTree {
  const base = mkdtempSync(join(tmpdir(), "spry-files-"));
  const pub = join(base, "public");
  const outside = join(base, "outside");
  mkdirSync(join(pub, "docs"), { recursive: true });
  mkdirSync(join(pub, "empty"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.txt"), SECRET);
  writeFileSync(join(base, "public-secret.txt"), SECRET);
  writeFileSync(join(pub, "hello.txt"), "Hello, world!\n");
  writeFileSync(join(pub, "index.html"), "<h1>home</h1>");
  writeFileSync(join(pub, "404.html"), "<h1>nothing here</h1>");
  writeFileSync(join(pub, "docs", "index.html"), "<h1>docs</h1>");
  writeFileSync(join(pub, "data.json"), '{"a":1}');
  writeFileSync(join(pub, "naïve café.txt"), "unicode name");
  writeFileSync(join(pub, ".env"), "SECRET=1");
  writeFileSync(join(pub, "app.js"), APP_JS);
  writeFileSync(join(pub, "app.js.br"), brotliCompressSync(APP_JS));
  writeFileSync(join(pub, "app.js.gz"), gzipSync(APP_JS));
  writeFileSync(join(pub, "big.bin"), Buffer.alloc(256 * 1024, 7));
  symlinkSync(join(outside, "secret.txt"), join(pub, "link-out.txt"));
  symlinkSync(outside, join(pub, "dir-out"));
  symlinkSync(join(pub, "hello.txt"), join(pub, "link-in.txt"));
  return { base, public: pub, outside, remove: () => rmSync(base, { recursive: true, force: true }) };
}
