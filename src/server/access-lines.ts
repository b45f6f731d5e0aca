/** One request's access line, as logLine() (access-log.ts) gathers it. */
export interface AccessFields {
  method: string | undefined;
  path: string | undefined;
  route: string | undefined;
  status: number;
  durationMs: number;
  bytes: number | undefined;
  client: string;
  requestId: string;
  httpVersion: string;
  aborted?: true;
}

/** The line's message, as Uvicorn writes it: `127.0.0.1:52314 - "GET /items/1 HTTP/1.1" 200 3.1 ms`. */
export function accessMessage(f: AccessFields): string {
  return `${f.client} - "${f.method} ${f.path} HTTP/${f.httpVersion}" ${f.status} ${f.durationMs.toFixed(1)} ms${f.aborted ? " (client left)" : ""}`;
}

// What JSON.stringify would escape (quotes, backslashes, control characters, lone surrogates):
// strings without any, nearly all of them, are copied as they are.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `text` as a JSON string's contents, without the quotes. */
function escaped(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text).slice(1, -1) : text;
}

/**
 * The line pino would write for these fields (level 30, time, the fields), built directly:
 * pino's general serializer took about a fifth of /fast_task/'s CPU time per request, and a
 * JSON.stringify per string most of what was left of the line's cost (bench/README.md). Each
 * string is escaped once. No `msg`: it would repeat the fields (method, path, status, duration,
 * client) in about 80 of the line's 270 bytes, bytes the kernel copies for every request; the
 * readable message is for `spry dev`'s lines (accessMessage).
 */
export function jsonLine(f: AccessFields, time: number): string {
  const route = f.route === undefined ? "" : `,"route":"${escaped(f.route)}"`;
  const bytes = f.bytes === undefined ? "" : `,"bytes":${f.bytes}`;
  const aborted = f.aborted ? ',"aborted":true' : "";
  return (
    `{"level":30,"time":${time},"method":"${f.method === undefined ? "" : escaped(f.method)}","path":"${f.path === undefined ? "" : escaped(f.path)}"${route},"status":${f.status},` +
    `"durationMs":${f.durationMs}${bytes},"client":"${escaped(f.client)}","requestId":"${escaped(f.requestId)}","httpVersion":"${f.httpVersion}"${aborted}}\n`
  );
}
