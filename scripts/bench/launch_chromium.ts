import type { Browser } from "playwright-core";
import { CHROMIUM, launch } from "../../tests/preview/_browser.ts";

/** Thrown when the Chromium the screen part drives is not installed. */
export class ChromiumMissingError extends Error {
  override name = "ChromiumMissingError";
}

/** @throws {ChromiumMissingError} If there is no Chromium where the preview's tests find it. */
export async function requireChromium(): Promise<void> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new ChromiumMissingError(
      `no Chromium at ${CHROMIUM}: install chromium, or set CHROMIUM_PATH`,
    );
  }
}

/**
 * Chromium, headless, with the flags of the preview's browser tests
 * (`tests/preview/_browser.ts`): nothing of its own on the network. Signals
 * are left to the bench: Playwright's own handlers would end this process
 * on SIGINT or SIGTERM before the bench stops its tools.
 * @throws {ChromiumMissingError} If there is no Chromium where the tests find it.
 */
export async function launchChromium(): Promise<Browser> {
  await requireChromium();
  return await launch({ handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
}
