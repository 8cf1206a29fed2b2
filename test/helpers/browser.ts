import { existsSync } from "node:fs";
import { chromium as playwright, type Browser } from "playwright-core";
import { browserArgs } from "./browser-wallet.ts";

/** Debian's Chromium (apt), used when installed. */
export const systemChromium = "/usr/bin/chromium";

export type TestBrowser = {
  browser: Browser;
  /** "system": /usr/bin/chromium; "npm": the headless Chromium shipped in the @sparticuz/chromium package. */
  source: "system" | "npm";
  executablePath: string;
};

/**
 * Which Chromium the browser tests drive: the system's when installed, else the
 * one in the @sparticuz/chromium npm package, so `npm install && npm test` needs
 * nothing installed by hand. TREASURY_TEST_BROWSER=npm (or =system) picks one.
 * Browser tests are never skipped: with no Chromium at all, this throws.
 */
export function testBrowserSource(env: NodeJS.ProcessEnv = process.env): TestBrowser["source"] {
  const wanted = env.TREASURY_TEST_BROWSER?.trim();
  if (wanted === "npm" || wanted === "system") return wanted;
  if (wanted) throw new Error(`TREASURY_TEST_BROWSER="${wanted}": use "npm" or "system", or leave it unset.`);
  return existsSync(systemChromium) ? "system" : "npm";
}

/** Launches the test browser headless (see `testBrowserSource`). */
export async function launchTestBrowser(): Promise<TestBrowser> {
  const source = testBrowserSource();
  let executablePath = systemChromium;
  if (source === "npm") {
    const { default: packaged } = await import("@sparticuz/chromium");
    // Unpacks the brotli-packed binary into the temporary folder on first use (a few seconds), then reuses it.
    executablePath = await packaged.executablePath();
  }
  // Our own flags for both: the package's suggested ones are for serverless hosts (single process,
  // web security off) and would make the pages behave unlike a person's browser.
  const browser = await playwright.launch({ executablePath, args: browserArgs });
  return { browser, source, executablePath };
}
