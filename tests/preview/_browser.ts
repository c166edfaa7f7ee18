/** Chromium for the preview's tests, driven by playwright-core, and waits on its pages. */
import { chromium, type LaunchOptions, type Page } from "playwright-core";

/** Where the tests (and the bench) find Chromium. */
export const CHROMIUM: string = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** The page's uncaught errors and console errors, as they come. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/** The trimmed text of the first element `selector` finds. */
export async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).textContent()) ?? "").trim();
}

/** Waits until the page shows the link in `state`. */
export function waitForState(page: Page, state: string, timeout = 15_000): Promise<void> {
  return waitUntil(page, `document.getElementById('state').dataset.state === '${state}'`, timeout);
}

/**
 * Waits until `expression` is true in the page. (Playwright's waitForFunction
 * polls with eval, which the page's CSP forbids.)
 */
export async function waitUntil(page: Page, expression: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
    await page.waitForTimeout(50);
  }
}

/** Chromium, headless, with nothing of its own going on the network; `options` added. */
export function launch(options: LaunchOptions = {}) {
  return chromium.launch({
    ...options,
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
