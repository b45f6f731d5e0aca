import { Context, type AppConfig, type OutgoingHeaders } from "./context.ts";
import { wireValue } from "./header-check.ts";
import { Readable } from "node:stream";
import { bodyTooLarge, decodedBody, emptyBody, readAll } from "./request-body.ts";
import { rootPathOf } from "./root-path.ts";
import { statusHasNoBody } from "../common/status.ts";

/**
 * The Fetch API path: `Request` in, `Response` out, for any runtime or host that speaks it
 * (Bun, Deno, serverless). The response is kept until dispatch finishes and handed back.
 */
export class FetchContext extends Context {
  readonly request: Request;
  response: Response | undefined = undefined;

  constructor(request: Request, config: AppConfig) {
    super(request.method, targetOf(request.url), config);
    this.request = request;
  }

  header(name: string): string | undefined {
    return this.request.headers.get(name) ?? undefined;
  }

  headerNames(): string[] {
    return [...this.request.headers.keys()];
  }

  headerValues(name: string): string[] {
    if (name === "set-cookie") return this.request.headers.getSetCookie();
    const value = this.request.headers.get(name);
    return value === null ? [] : value.split(/\s*,\s*/);
  }

  // The host's request.signal fires when its client leaves; spry's own signal follows it, so
  // that a deadline can abort it too and the reason is the same on both paths.
  protected watchClient(leave: () => void): void {
    const signal = this.request.signal;
    if (signal.aborted) return leave();
    // Some hosts abort the request's signal once the response is delivered; that is no client leaving.
    signal.addEventListener("abort", () => this.#handedBack || leave(), { once: true });
  }

  #done: (() => void) | undefined;
  #handedBack = false;

  // A Fetch host gives no signal when the body has been delivered; dispatch calls finish()
  // once the Response is handed back, the last moment spry controls.
  protected whenDone(done: () => void): void {
    this.#done = done;
  }

  /** Called by dispatch when the response has been handed to the host. */
  finish(): void {
    this.#handedBack = true;
    const done = this.#done;
    this.#done = undefined;
    done?.();
  }

  override get rootPath(): string {
    return rootPathOf(this.request);
  }

  get sent(): boolean {
    return this.response !== undefined;
  }

  protected async readBody(): Promise<Uint8Array> {
    const limit = this.bodyLimit;
    const declared = Number(this.request.headers.get("content-length") ?? 0);
    if (declared > limit) throw bodyTooLarge(limit);
    const encoding = this.request.headers.get("content-encoding");
    if (encoding !== null && encoding !== "identity") return readAll(this.bodyStream());
    const stream = this.request.body;
    if (stream === null) return new Uint8Array(0);
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw bodyTooLarge(limit);
      }
      chunks.push(value);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  }

  bodyStream(): Readable {
    const stream = this.request.body;
    const source = stream === null ? emptyBody() : Readable.fromWeb(stream as import("node:stream/web").ReadableStream);
    const signal = this.request.signal;
    return decodedBody(source, this.request.headers.get("content-encoding") ?? undefined, this.bodyLimit, () => signal.aborted);
  }

  protected write(status: number, headers: OutgoingHeaders, body: string | Uint8Array | null): void {
    if (this.response !== undefined) return;
    const list = headerList(headers);
    const noBody = body === null || statusHasNoBody(status);
    if (!noBody) list.push(["content-length", String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength)]);
    // A HEAD response describes the GET body (its length included) without carrying it.
    const payload = noBody || this.method === "HEAD" ? null : (body as BodyInit);
    this.response = new Response(payload, { status, headers: list });
  }

  protected async writeStream(status: number, headers: OutgoingHeaders, body: ReadableStream<Uint8Array>): Promise<void> {
    if (this.response !== undefined) return;
    const list = headerList(headers);
    if (this.method === "HEAD" || statusHasNoBody(status)) {
      await body.cancel();
      this.response = new Response(null, { status, headers: list });
      return;
    }
    this.response = new Response(body, { status, headers: list });
  }

  protected async writeResponse(response: Response): Promise<void> {
    if (this.response !== undefined) return;
    // Its header values are text like every other header's: as UTF-8, as the node path sends them.
    let encoded: Headers | undefined;
    for (const [name, value] of response.headers) {
      const wire = wireValue(value);
      if (wire === value) continue;
      encoded ??= new Headers(response.headers);
      if (name === "set-cookie") {
        encoded.delete("set-cookie");
        for (const cookie of response.headers.getSetCookie()) encoded.append("set-cookie", wireValue(cookie));
      } else encoded.set(name, wire);
    }
    if (encoded !== undefined) response = new Response(response.body, { status: response.status, statusText: response.statusText, headers: encoded });
    if (this.method === "HEAD" && response.body !== null) {
      await response.body.cancel();
      response = new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers });
    }
    this.response = response;
  }
}

function targetOf(url: string): string {
  // Request.url is absolute; the routing target is what follows the authority.
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start === -1 ? "/" : url.slice(start);
}

// Repeated header lines (several set-cookie) stay separate, as Headers needs them.
function headerList(headers: OutgoingHeaders): [string, string][] {
  const list: [string, string][] = [];
  for (const name in headers) {
    const value = headers[name]!;
    if (Array.isArray(value)) for (const v of value) list.push([name, wireValue(v)]);
    else list.push([name, typeof value === "string" ? wireValue(value) : String(value)]);
  }
  return list;
}
