import { UsageError } from "../cli/cli_error.ts";

/** How many random bytes a generated token holds: 192 bits. */
const TOKEN_BYTES = 24;

/** The shortest and longest token `--http-token` takes. */
const MIN_LENGTH = 8;
const MAX_LENGTH = 256;

/**
 * A fresh token for the preview: {@linkcode TOKEN_BYTES} bytes from the
 * system's cryptographic random source, in base64url without padding
 * (32 characters, safe in a URL, a header and a cookie as they are).
 */
export function generateHttpToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/**
 * Reads a token given on the command line, or returns undefined when the flag
 * was not given. It must be 8 to 256 printable ASCII characters with no
 * spaces. Throws a {@linkcode UsageError} naming `flag` otherwise; the message
 * never repeats the token.
 */
export function parseHttpToken(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.length < MIN_LENGTH || value.length > MAX_LENGTH) {
    throw new UsageError(
      `${flag} needs ${MIN_LENGTH} to ${MAX_LENGTH} characters, got ${value.length}`,
    );
  }
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new UsageError(
      `${flag} takes printable ASCII only (letters, digits, punctuation), no spaces`,
    );
  }
  return value;
}
