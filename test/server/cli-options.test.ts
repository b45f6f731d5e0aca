// The flags table (src/server/cli-options.ts) names the serve() option each flag fills; the
// CLI's options are derived from it, so a flag is added in one place.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FLAGS, parseFlags, serveOptionsOf } from "../../src/server/cli-options.ts";

const args = [
  "app.ts",
  ...["--host", "0.0.0.0", "--backlog", "64", "--grace-period", "3", "--limit-max-requests", "500", "--limit-max-requests-jitter", "0"],
  ...["--max-header-size", "8k", "--max-headers", "50", "--timeout-head", "2", "--timeout-request", "4", "--timeout-keep-alive", "1.5"],
  ...["--limit-connections", "900", "--limit-concurrency", "20", "--no-proxy-headers", "--forwarded-allow-ips", "10.0.0.0/8", "--no-access-log"],
  ...["--ssl-keyfile", "key.pem", "--ssl-certfile", "cert.pem", "--ssl-keyfile-password", "secret", "--ssl-ca-certs", "ca.pem", "--http2"],
  ...["--workers", "2", "--root-path", "/api", "--body-limit", "2k", "--log-level", "warn"],
];

test("every server flag lands on its serve() option, sizes in bytes and times in ms", () => {
  const options = serveOptionsOf(parseFlags("run", args, {}));
  assert.deepEqual(options, {
    host: "0.0.0.0",
    port: 8000,
    backlog: 64,
    gracePeriod: 3000,
    limitMaxRequests: 500,
    limitMaxRequestsJitter: 0,
    maxHeaderSize: 8192,
    maxHeadersCount: 50,
    headersTimeout: 2000,
    requestTimeout: 4000,
    keepAliveTimeout: 1500,
    maxConnections: 900,
    limitConcurrency: 20,
    proxyHeaders: false,
    forwardedAllowIps: "10.0.0.0/8",
    accessLog: false,
    http2: true,
    tls: { keyFile: "key.pem", certFile: "cert.pem", passphrase: "secret", caFile: "ca.pem" },
  });
});

test("environment variables fill the same options; a flag wins over its variable", () => {
  const env = { PORT: "9001", SPRY_UDS: "/tmp/app.sock", SPRY_TIMEOUT_KEEP_ALIVE: "7", SPRY_LIMIT_CONCURRENCY: "3" };
  const options = serveOptionsOf(parseFlags("run", ["app.ts", "--limit-concurrency", "4"], env));
  assert.deepEqual(options, { host: "127.0.0.1", port: 9001, uds: "/tmp/app.sock", keepAliveTimeout: 7000, limitConcurrency: 4 });
});

test("no TLS flag: no tls option; nothing given: the CLI's host and port only", () => {
  assert.deepEqual(serveOptionsOf(parseFlags("run", ["app.ts"], {})), { host: "127.0.0.1", port: 8000 });
});

test("each flag goes somewhere: a serve() option, the app's environment, or the command itself", () => {
  const elsewhere = FLAGS.filter((flag) => flag.to === "env" || flag.to === "cli").map((flag) => `${flag.name}:${flag.to}`);
  // The app's settings are read in its own process (a worker, dev's app process) from their variables.
  for (const flag of FLAGS) if (flag.to === "env") assert.ok(flag.env, `--${flag.name} has no variable to hand it over`);
  assert.deepEqual(elsewhere.filter((entry) => entry.endsWith(":cli")), ["workers:cli", "watch:cli"]);
  assert.ok(elsewhere.includes("root-path:env") && elsewhere.includes("log-level:env") && elsewhere.includes("body-limit:env"));
});
