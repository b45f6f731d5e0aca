// Debian's Chromium, driven by playwright-core, as the browser tests launch it. `npx playwright
// install` cannot fetch a browser here; .ci/run installs the apt package instead.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";

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

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: FLAGS, timeout: 60_000 });
}
