import { parseArgs } from "node:util";
import { fromEnv, parseCount, parseSeconds, parseSize, SettingError } from "../common/settings.ts";
import { LIMIT_ENV, TIMEOUT_ENV } from "../toolkit/limits.ts";
import { parseRootPath, ROOT_PATH_ENV } from "../common/root-path.ts";
import { TrustedPeers } from "./proxy-headers.ts";
import { LOG_FLUSH_ENV } from "../common/stdout-lines.ts";
import type { ServeOptions } from "./serve.ts";
import type { TlsOptions } from "./tls.ts";

/** How a flag's value is read. */
type Unit = "string" | "port" | "count" | "size" | "seconds" | "boolean" | "level" | "ips" | "path";

/** What each unit reads to: seconds as milliseconds, sizes as bytes. */
interface UnitValue {
  string: string;
  port: number;
  count: number;
  size: number;
  seconds: number;
  boolean: boolean;
  level: string;
  ips: string;
  path: string;
}

/** A serve() option a flag can fill: one of its own, or `tls.` and one of its TLS options. */
export type OptionKey = Exclude<keyof ServeOptions, "tls"> | `tls.${keyof TlsOptions}`;

type OptionValue<K extends OptionKey> = NonNullable<K extends `tls.${infer T extends keyof TlsOptions}` ? TlsOptions[T] : ServeOptions[K & keyof ServeOptions]>;

/** The units whose values fit option K: a count cannot fill `host`. */
type UnitsFor<K extends OptionKey> = { [U in Unit]: UnitValue[U] extends OptionValue<K> ? U : never }[Unit];

/**
 * Where a flag's value goes, checked against its unit: a serve() option, "env" for a setting
 * read from `env` in the app's own process (the CLI checks the value and sets the variable, so
 * that a worker or dev's app process gets it too), or "cli" for one the command acts on itself.
 */
type Destination = { [K in OptionKey]: { readonly to: K; readonly unit: UnitsFor<K> } }[OptionKey] 
  | { readonly to: "env"; readonly unit: Unit; readonly env: string }
  | { readonly to: "cli"; readonly unit: Unit };

export type Flag = Destination & {
  readonly name: string;
  /** The environment variable read when the flag is absent. */
  readonly env?: string;
  /** What the value is called in --help. */
  readonly meta?: string;
  readonly help: string;
  readonly commands: readonly ("run" | "dev")[];
  readonly multiple?: boolean;
  /** The smallest count allowed (default 1). */
  readonly min?: number;
  readonly group: "Where" | "TLS" | "Behind a proxy" | "Processes" | "Logs" | "Server limits" | "App limits";
};

const BOTH = ["run", "dev"] as const;
const RUN = ["run"] as const;

/** Every flag of `spry run` and `spry dev`, in --help order. */
export const FLAGS: readonly Flag[] = [
  { name: "host", to: "host", env: "HOST", unit: "string", meta: "HOST", help: "address to bind (default 127.0.0.1; 0.0.0.0 for every interface)", commands: BOTH, group: "Where" },
  { name: "port", to: "port", env: "PORT", unit: "port", meta: "PORT", help: "port to bind (default 8000; 0 picks a free one)", commands: BOTH, group: "Where" },
  { name: "uds", to: "uds", env: "SPRY_UDS", unit: "string", meta: "PATH", help: "listen on this unix socket instead (mode 0666: guard it with its directory's permissions)", commands: BOTH, group: "Where" },
  { name: "backlog", to: "backlog", env: "SPRY_BACKLOG", unit: "count", meta: "N", help: "connections the kernel queues before they are accepted (default 511)", commands: BOTH, group: "Where" },
  { name: "ssl-keyfile", to: "tls.keyFile", env: "SPRY_SSL_KEYFILE", unit: "string", meta: "FILE", help: "serve HTTPS with this private key (PEM)", commands: BOTH, group: "TLS" },
  { name: "ssl-certfile", to: "tls.certFile", env: "SPRY_SSL_CERTFILE", unit: "string", meta: "FILE", help: "and this certificate chain (PEM)", commands: BOTH, group: "TLS" },
  { name: "ssl-keyfile-password", to: "tls.passphrase", env: "SPRY_SSL_KEYFILE_PASSWORD", unit: "string", meta: "PASSWORD", help: "the key's passphrase, if it is encrypted (prefer the variable: flags show in ps)", commands: BOTH, group: "TLS" },
  { name: "ssl-ca-certs", to: "tls.caFile", env: "SPRY_SSL_CA_CERTS", unit: "string", meta: "FILE", help: "CA certificates to trust in place of Node's own (PEM)", commands: BOTH, group: "TLS" },
  { name: "http2", to: "http2", unit: "boolean", help: "serve HTTP/2 too, over TLS; HTTP/1.1 clients still get HTTP/1.1 on the same port", commands: BOTH, group: "TLS" },
  { name: "proxy-headers", to: "proxyHeaders", unit: "boolean", help: "believe Forwarded and X-Forwarded-* from trusted peers (default; --no-proxy-headers to ignore them)", commands: BOTH, group: "Behind a proxy" },
  { name: "forwarded-allow-ips", to: "forwardedAllowIps", env: "FORWARDED_ALLOW_IPS", unit: "ips", meta: "IPS", help: "the trusted peers: addresses and networks, comma-separated, or * (default 127.0.0.1)", commands: BOTH, group: "Behind a proxy" },
  { name: "root-path", to: "env", env: ROOT_PATH_ENV, unit: "path", meta: "PATH", help: "the prefix the proxy serves the app under, e.g. /api/v1 (for links, redirects and OpenAPI)", commands: BOTH, group: "Behind a proxy" },
  { name: "workers", to: "cli", env: "WEB_CONCURRENCY", unit: "count", meta: "N", help: "serve from N processes; SIGHUP replaces them one at a time", commands: RUN, group: "Processes" },
  { name: "grace-period", to: "gracePeriod", env: "SPRY_GRACE_PERIOD", unit: "seconds", meta: "SECONDS", help: "how long in-flight requests may run on SIGTERM (default 10)", commands: RUN, group: "Processes" },
  { name: "limit-max-requests", to: "limitMaxRequests", env: "SPRY_LIMIT_MAX_REQUESTS", unit: "count", meta: "N", help: "restart a process gracefully after about N requests (none by default)", commands: RUN, group: "Processes" },
  { name: "limit-max-requests-jitter", to: "limitMaxRequestsJitter", env: "SPRY_LIMIT_MAX_REQUESTS_JITTER", unit: "count", meta: "N", help: "add 0 to N requests at random, so workers do not restart together (default: a tenth)", commands: RUN, min: 0, group: "Processes" },
  { name: "watch", to: "cli", unit: "string", meta: "DIR", help: "a directory to watch (repeatable; default: FILE's directory)", commands: ["dev"], multiple: true, group: "Processes" },
  { name: "access-log", to: "accessLog", unit: "boolean", help: "a line per request (default; --no-access-log turns it off)", commands: BOTH, group: "Logs" },
  { name: "log-flush", to: "env", env: LOG_FLUSH_ENV, unit: "seconds", meta: "SECONDS", help: "longest an access line waits to be written with others (default 0.1; 0: each at once)", commands: RUN, group: "Logs" },
  { name: "log-level", to: "env", env: "LOG_LEVEL", unit: "level", meta: "LEVEL", help: "fatal, error, warn, info (default), debug, trace or silent", commands: BOTH, group: "Logs" },
  { name: "max-header-size", to: "maxHeaderSize", env: "SPRY_MAX_HEADER_SIZE", unit: "size", meta: "BYTES", help: "largest request head; over it 431 (default 16k)", commands: BOTH, group: "Server limits" },
  { name: "max-headers", to: "maxHeadersCount", env: "SPRY_MAX_HEADERS", unit: "count", meta: "N", help: "most header lines; over it 431 (default 2000)", commands: BOTH, group: "Server limits" },
  { name: "timeout-head", to: "headersTimeout", env: "SPRY_TIMEOUT_HEAD", unit: "seconds", meta: "SECONDS", help: "time to receive the head; past it 408 (default 60)", commands: BOTH, group: "Server limits" },
  { name: "timeout-request", to: "requestTimeout", env: "SPRY_TIMEOUT_REQUEST", unit: "seconds", meta: "SECONDS", help: "time to receive the whole request; past it 408 (default 300)", commands: BOTH, group: "Server limits" },
  { name: "timeout-keep-alive", to: "keepAliveTimeout", env: "SPRY_TIMEOUT_KEEP_ALIVE", unit: "seconds", meta: "SECONDS", help: "idle keep-alive connections close after it (default 5)", commands: BOTH, group: "Server limits" },
  { name: "limit-connections", to: "maxConnections", env: "SPRY_LIMIT_CONNECTIONS", unit: "count", meta: "N", help: "most open connections (default: the fd limit less a tenth)", commands: BOTH, group: "Server limits" },
  { name: "limit-concurrency", to: "limitConcurrency", env: "SPRY_LIMIT_CONCURRENCY", unit: "count", meta: "N", help: "most requests in flight per process; one more gets 503 at once (none by default)", commands: BOTH, group: "Server limits" },
  { name: "body-limit", to: "env", env: LIMIT_ENV.bodyLimit.env, unit: "size", meta: "BYTES", help: "largest body, decoded; over it 413 (default 1M)", commands: BOTH, group: "App limits" },
  { name: "max-url-length", to: "env", env: LIMIT_ENV.maxUrlLength.env, unit: "count", meta: "N", help: "longest path and query; over it 414 (default 8192)", commands: BOTH, group: "App limits" },
  { name: "max-param-length", to: "env", env: LIMIT_ENV.maxParamLength.env, unit: "count", meta: "N", help: "longest path parameter; over it 404 (default 100)", commands: BOTH, group: "App limits" },
  { name: "max-query-keys", to: "env", env: LIMIT_ENV.maxQueryKeys.env, unit: "count", meta: "N", help: "most query parameters; over it 413 (default 1000)", commands: BOTH, group: "App limits" },
  { name: "max-json-depth", to: "env", env: LIMIT_ENV.maxJsonDepth.env, unit: "count", meta: "N", help: "deepest JSON body; deeper 400 (default 128)", commands: BOTH, group: "App limits" },
  { name: "max-form-fields", to: "env", env: LIMIT_ENV.maxFormFields.env, unit: "count", meta: "N", help: "most form fields; over it 413 (default 1000)", commands: BOTH, group: "App limits" },
  { name: "max-files", to: "env", env: LIMIT_ENV.maxFiles.env, unit: "count", meta: "N", help: "most files in a multipart body; over it 413 (default 100)", commands: BOTH, group: "App limits" },
  { name: "max-part-size", to: "env", env: LIMIT_ENV.maxPartSize.env, unit: "size", meta: "BYTES", help: "largest non-file multipart part; over it 413 (default 1M)", commands: BOTH, group: "App limits" },
  { name: "spool-threshold", to: "env", env: LIMIT_ENV.spoolThreshold.env, unit: "size", meta: "BYTES", help: "uploads larger than this go to a temporary file (default 1M)", commands: BOTH, group: "App limits" },
  { name: "timeout", to: "env", env: TIMEOUT_ENV, unit: "seconds", meta: "SECONDS", help: "every handler's deadline; past it 504 (none by default)", commands: BOTH, group: "App limits" },
];

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** What a flag's value became: seconds as milliseconds, sizes as bytes. */
export type FlagValue = string | number | boolean | string[];

export interface ParsedFlags {
  /** By flag name: the flag's value, else its environment variable's. */
  readonly values: Map<string, FlagValue>;
  readonly positionals: string[];
  /** The flags as given, for a process started with the same settings (a worker, dev's app process). */
  readonly argv: string[];
  /** The values given as flags (not from the environment), as written. */
  readonly given: Map<string, string>;
  readonly help: boolean;
}

/**
 * Reads the flags of `spry run` or `spry dev`: unknown flags, missing values and bad values
 * throw SettingError with a one-line message. Node's parseArgs only splits the words here
 * (strict: false), because its own messages would reach the user with quoting of its own.
 */
export function parseFlags(command: "run" | "dev", args: string[], env: NodeJS.ProcessEnv): ParsedFlags {
  const own = FLAGS.filter((flag) => flag.commands.includes(command));
  const byName = new Map(FLAGS.map((flag) => [flag.name, flag]));
  const { tokens } = parseArgs({ args, strict: false, allowPositionals: true, tokens: true, options: { help: { type: "boolean", short: "h" } } });
  const values = new Map<string, FlagValue>();
  const positionals: string[] = [];
  const argv: string[] = [];
  const given = new Map<string, string>();
  let help = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === "positional") {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === "option-terminator") continue;
    if (token.name === "help" || token.name === "h") {
      help = true;
      continue;
    }
    const shown = token.rawName;
    // --no-proxy-headers: the negation of a boolean flag.
    const negated = token.name.startsWith("no-") && byName.get(token.name.slice(3))?.unit === "boolean";
    const flag = byName.get(negated ? token.name.slice(3) : token.name);
    if (flag === undefined) throw new SettingError(`unknown option ${shown}`);
    if (!flag.commands.includes(command)) throw new SettingError(`${shown} is for spry ${flag.commands.join(" and spry ")} only`);
    let raw = token.value;
    if (flag.unit === "boolean") {
      if (raw !== undefined) throw new SettingError(`${shown} takes no value`);
      values.set(flag.name, !negated);
      argv.push(shown);
      continue;
    }
    // parseArgs, knowing no types, leaves `--port 8000` as a flag followed by a positional.
    if (raw === undefined) {
      const next = tokens[i + 1];
      if (next?.kind !== "positional") throw new SettingError(`${shown} needs a value: ${shown} ${flag.meta}`);
      raw = next.value;
      i++;
    }
    const value = read(flag, raw, shown);
    if (flag.multiple) values.set(flag.name, [...((values.get(flag.name) as string[] | undefined) ?? []), raw]);
    else values.set(flag.name, value);
    argv.push(shown, raw);
    given.set(flag.name, raw);
  }
  for (const flag of own) {
    if (values.has(flag.name) || flag.env === undefined) continue;
    const raw = fromEnv(flag.env, env);
    if (raw !== undefined) values.set(flag.name, read(flag, raw, flag.env));
  }
  return { values, positionals, argv, given, help };
}

function read(flag: Flag, raw: string, source: string): FlagValue {
  switch (flag.unit) {
    case "string":
      if (raw === "") throw new SettingError(`${source} must not be empty`);
      return raw;
    case "port": {
      const port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
      if (!(port <= 65535)) throw new SettingError(`${source} must be a port number from 0 to 65535, got ${JSON.stringify(raw)}`);
      return port;
    }
    case "count":
      return parseCount(raw, source, flag.min);
    case "size":
      return parseSize(raw, source);
    case "seconds":
      return parseSeconds(raw, source);
    case "level":
      if (!LEVELS.includes(raw)) throw new SettingError(`${source} must be one of ${LEVELS.join(", ")}, got ${JSON.stringify(raw)}`);
      return raw;
    case "boolean":
      return true;
    case "ips":
      try {
        new TrustedPeers(raw);
      } catch (error) {
        throw new SettingError(`${source}: ${(error as Error).message.replace(/^forwarded-allow-ips: /, "")}`);
      }
      return raw;
    case "path":
      return parseRootPath(raw, source);
  }
}

/**
 * What serve() gets from the flags (or their environment variables): each flag's value under
 * the option its row names. Where nothing sets them, host and port are the CLI's defaults.
 */
export function serveOptionsOf(flags: ParsedFlags): ServeOptions {
  const options: Record<string, unknown> = { host: "127.0.0.1", port: 8000 };
  const tls: Record<string, unknown> = {};
  for (const flag of FLAGS) {
    const value = flags.values.get(flag.name);
    if (value === undefined || flag.to === "env" || flag.to === "cli") continue;
    if (flag.to.startsWith("tls.")) tls[flag.to.slice("tls.".length)] = value;
    else options[flag.to] = value;
  }
  if (Object.keys(tls).length > 0) options.tls = tls;
  return options as ServeOptions;
}

/** The flags of one command as --help shows them, grouped, with their environment variables. */
export function flagsHelp(command: "run" | "dev"): string {
  const own = FLAGS.filter((flag) => flag.commands.includes(command));
  const lines: string[] = [];
  for (const group of [...new Set(own.map((flag) => flag.group))]) {
    lines.push(`${group}:`);
    for (const flag of own.filter((f) => f.group === group)) {
      const left = `  --${flag.name}${flag.meta === undefined ? "" : ` ${flag.meta}`}`;
      const env = flag.env === undefined ? "" : ` [${flag.env}]`;
      lines.push(`${left.padEnd(36)}${flag.help}${env}`);
    }
  }
  return lines.join("\n");
}

/** `argv` without the given flags and their values: what a supervisor keeps to itself. */
export function withoutFlags(argv: string[], names: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = FLAGS.find((f) => `--${f.name}` === argv[i]);
    const takesValue = flag !== undefined && flag.unit !== "boolean";
    if (flag !== undefined && names.includes(flag.name)) {
      if (takesValue) i++;
      continue;
    }
    out.push(argv[i]!);
    if (takesValue) out.push(argv[++i]!);
  }
  return out;
}
