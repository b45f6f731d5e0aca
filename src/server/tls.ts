import { readFileSync } from "node:fs";
import type { Server, ServerOptions as HttpServerOptions } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createSecureServer, type Http2SecureServer, type Http2Session } from "node:http2";
import { LoadError } from "./load-error.ts";
import type { ServerLimits } from "./options.ts";

/** HTTPS: what `--ssl-keyfile` and its siblings give. PEM text or a path to a PEM file. */
export interface TlsOptions {
  /** The private key (PEM), or `keyFile`. */
  key?: string | Buffer;
  keyFile?: string;
  /** The certificate chain (PEM), or `certFile`. */
  cert?: string | Buffer;
  certFile?: string;
  /** The key's passphrase, if it is encrypted. */
  passphrase?: string;
  /** CA certificates (PEM file) to trust in place of Node's own, for the chain and for client certificates. */
  caFile?: string;
}

/** A secure server, and (with HTTP/2) its sessions, which a drain closes one by one. */
export interface SecureServer {
  server: Server;
  /** Open HTTP/2 sessions; empty without HTTP/2. */
  sessions: Set<Http2Session>;
}

/**
 * An HTTPS server, or with `http2` an HTTP/2 one that still offers HTTP/1.1 by ALPN
 * (`allowHTTP1`), so that one port serves both with the same app. HTTP/1.1 connections over
 * either keep node:http's limits; HTTP/2 streams get the same head limits as HTTP/2 settings
 * (the header list's size and count), and the same idle time for a session without streams.
 */
export function createSecureHttpServer(tls: TlsOptions, http2: boolean, http1: HttpServerOptions, limits: ServerLimits): SecureServer {
  const credentials = {
    key: tls.key ?? readPem(tls.keyFile, "the key file (--ssl-keyfile)"),
    cert: tls.cert ?? readPem(tls.certFile, "the certificate file (--ssl-certfile)"),
    ...(tls.passphrase !== undefined && { passphrase: tls.passphrase }),
    ...(tls.caFile !== undefined && { ca: readPem(tls.caFile, "the CA file (--ssl-ca-certs)") }),
  };
  const sessions = new Set<Http2Session>();
  if (!http2) return { server: withCredentials(credentials, tls.keyFile, () => createHttpsServer({ ...http1, ...credentials })), sessions };
  const server: Http2SecureServer = withCredentials(credentials, tls.keyFile, () =>
    createSecureServer({
      ...credentials,
      allowHTTP1: true,
      // HTTP/1.1 over it answers with the same response class as the plain server (serve.ts).
      ...(http1.ServerResponse !== undefined && { Http1ServerResponse: http1.ServerResponse }),
      maxHeaderListPairs: limits.maxHeadersCount,
      settings: { maxHeaderListSize: limits.maxHeaderSize },
    }),
  );
  // HTTP/1.1 connections over it are node:http's, and read its limits from the server object.
  Object.assign(server, {
    headersTimeout: http1.headersTimeout,
    requestTimeout: http1.requestTimeout,
    keepAliveTimeout: http1.keepAliveTimeout,
    maxHeaderSize: http1.maxHeaderSize,
  });
  server.on("session", (session: Http2Session) => {
    sessions.add(session);
    session.setTimeout(limits.keepAliveTimeout, () => {
      // Idle: no stream open for the keep-alive time, as an HTTP/1.1 connection between requests.
      if ((session as Http2Session & { state: { streamCount?: number } }).state.streamCount === 0) session.close();
    });
    session.once("close", () => sessions.delete(session));
  });
  // The compat API's request and response stand in for node:http's, which is all the app uses.
  return { server: server as unknown as Server, sessions };
}

/**
 * The server `make` builds, whose constructor builds its secure context from the credentials
 * (once: a TLS server takes no ready-made context, so checking one beforehand would parse the
 * key and certificate twice at startup). A key the certificate cannot use fails in one line
 * naming the flag. With a wrong passphrase OpenSSL's own message depends
 * on the bytes the wrong key decrypted to ("bad decrypt" mostly, "DECODER routines::unsupported"
 * when the padding happens to check out), so an encrypted key's failure names the passphrase.
 */
function withCredentials<S>(credentials: { key: string | Buffer; cert: string | Buffer; passphrase?: string }, keyFile: string | undefined, make: () => S): S {
  try {
    return make();
  } catch (error) {
    const key = keyFile === undefined ? "the key" : `the key file ${keyFile}`;
    const encrypted = String(credentials.key).includes("ENCRYPTED");
    const reason = (error as Error).message;
    if (encrypted) throw new LoadError(`cannot decrypt ${key}: ${credentials.passphrase === undefined ? "it is encrypted and no passphrase was given (--ssl-keyfile-password or SPRY_SSL_KEYFILE_PASSWORD)" : "wrong passphrase (--ssl-keyfile-password)"} (${reason})`);
    throw new LoadError(`cannot use ${key} with the certificate (--ssl-keyfile, --ssl-certfile): ${reason}`);
  }
}

function readPem(path: string | undefined, what: string): Buffer {
  if (path === undefined) throw new TypeError(`HTTPS needs ${what}`);
  try {
    return readFileSync(path);
  } catch (error) {
    throw new LoadError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
}
