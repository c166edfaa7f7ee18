import { type Browser, chromium } from "playwright-core";

/** Thrown when the Chromium the screen part drives is not installed. */
export class ChromiumMissingError extends Error {
  override name = "ChromiumMissingError";
}

/** Where the preview's browser tests, and so the bench, find Chromium. */
export const CHROMIUM_PATH: string = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** @throws {ChromiumMissingError} If there is no Chromium at {@linkcode CHROMIUM_PATH}. */
export async function requireChromium(): Promise<void> {
  try {
    await Deno.stat(CHROMIUM_PATH);
  } catch {
    throw new ChromiumMissingError(
      `no Chromium at ${CHROMIUM_PATH}: install chromium, or set CHROMIUM_PATH`,
    );
  }
}

/**
 * Chromium, headless, with the flags of the preview's browser tests
 * (`tests/preview/_browser.ts`): nothing of its own on the network. Signals
 * are left to the bench: Playwright's own handlers would end this process
 * on SIGINT or SIGTERM before the bench stops its tools.
 * @throws {ChromiumMissingError} If there is no Chromium at {@linkcode CHROMIUM_PATH}.
 */
export async function launchChromium(): Promise<Browser> {
  await requireChromium();
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
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
