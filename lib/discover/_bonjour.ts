import { Bonjour } from "bonjour-service";
import { printableText } from "../util/printable_text.ts";

/**
 * A `Bonjour` whose mDNS socket's errors come to `onError`: bonjour-service
 * listens for none, and an `error` event with no listener (port 5353 taken,
 * or refused) would end the whole process.
 */
export function openBonjour(onError: (error: Error) => void): Bonjour {
  const bonjour = new Bonjour({}, () => {});
  const server = (bonjour as unknown as {
    server: { mdns: { on(event: "error", listener: (error: Error) => void): void } };
  }).server;
  server.mdns.on("error", onError);
  return bonjour;
}

/**
 * A name as the network gave it, made safe to print: no control or bidi
 * characters (an escape sequence could rewrite the terminal), at most 63
 * characters (a DNS label's most).
 */
export function printableName(name: unknown): string {
  const cut = typeof name === "string" ? printableText(name, 63) : "";
  return cut === "" ? "(no name)" : cut;
}

/**
 * A sender's name as one DNS label: dots (which would split it into labels)
 * as dashes, and at most 63 bytes of UTF-8, whole characters only.
 */
export function labelOf(name: string): string {
  const encoder = new TextEncoder();
  let label = "";
  for (const char of name.replaceAll(".", "-")) {
    if (encoder.encode(label + char).length > 63) break;
    label += char;
  }
  return label;
}
