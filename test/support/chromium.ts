// Debian's Chromium, driven by playwright-core, as the browser tests launch it (browserServer:
// the apps served, then the browser). `npx playwright install` cannot fetch a browser here;
// .ci/run installs the apt package instead.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { serve, type Running, type Servable } from "spry/server";

// The flags this machine's Chromium needs as root with no network: without the background
// ones it keeps trying Google's hosts. Playwright adds --headless and a fresh --user-data-dir.
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Every wait on a page: far above what rendering takes here, even with both cores busy. */
export const WAIT_MS = 15_000;
export const TEST_TIMEOUT_MS = 120_000;
/** Overwritten on every run, so screenshots never pile up. */
export const SHOTS = join(tmpdir(), "spry-docs-screenshots");

function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: FLAGS, timeout: 60_000 });
}

/** Apps served on free ports of 127.0.0.1, and one Chromium to visit them. */
export interface BrowserServer {
  readonly browser: Browser;
  /** The first app's address. */
  readonly url: string;
  /** Every app's address, in the order given. */
  readonly urls: readonly string[];
  /** Closes the browser first, so that its keep-alive connections do not hold the servers' close. */
  close(): Promise<void>;
}

/**
 * Serves each app (no signal handling, a 2 s grace period) and launches Chromium: the setup of
 * every browser test. A server started before a launch that fails is closed again.
 *
 * @example
 * let session: BrowserServer;
 * before(async () => (session = await browserServer(app)));
 * after(() => session?.close());
 */
export async function browserServer(...apps: [Servable, ...Servable[]]): Promise<BrowserServer> {
  const servers: Running[] = [];
  const closeServers = () => Promise.all(servers.map((server) => server.close())).then(() => {});
  try {
    for (const app of apps) servers.push(await serve(app, { host: "127.0.0.1", port: 0, handleSignals: false, gracePeriod: 2000 }));
    const browser = await launchChromium();
    return {
      browser,
      url: servers[0]!.url,
      urls: servers.map((server) => server.url),
      close: async () => {
        await browser.close();
        await closeServers();
      },
    };
  } catch (error) {
    await closeServers();
    throw error;
  }
}
