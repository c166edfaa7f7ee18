/**
 * The largest UDP payload over IPv4 (65,535 less the IP and UDP headers):
 * the tutorial sends each frame whole in one datagram, so its base64 must fit.
 */
export const TUTORIAL_MAX_DATAGRAM = 65_507;

/**
 * The largest JPEG whose base64 fits {@linkcode TUTORIAL_MAX_DATAGRAM}:
 * base64 writes 4 characters for each 3 bytes, padding the last group.
 */
export const TUTORIAL_MAX_JPEG = Math.floor(TUTORIAL_MAX_DATAGRAM / 4) * 3;

/** What the tutorial's client sends to be served (`b'Conectado'`); any datagram does. */
export const TUTORIAL_GREETING: Uint8Array<ArrayBuffer> = new TextEncoder().encode("Conectado");

/**
 * One frame as the tutorial's server sends it: the JPEG's bytes in base64,
 * as ASCII, nothing else.
 *
 * @throws {RangeError} If the datagram would be over {@linkcode TUTORIAL_MAX_DATAGRAM}.
 */
export function encodeTutorialFrame(jpeg: Uint8Array): Uint8Array<ArrayBuffer> {
  if (jpeg.length > TUTORIAL_MAX_JPEG) {
    throw new RangeError(
      `a JPEG of ${jpeg.length} bytes is over the ${TUTORIAL_MAX_JPEG} that fit one datagram`,
    );
  }
  const text = jpeg.toBase64();
  const datagram = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) datagram[i] = text.charCodeAt(i);
  return datagram;
}

/**
 * Reads one of the tutorial server's datagrams back into its JPEG, or
 * `undefined` for anything that is not base64 of a JPEG (it must begin with
 * the JPEG start marker; whether it decodes is the viewer's to find).
 */
export function decodeTutorialFrame(datagram: Uint8Array): Uint8Array<ArrayBuffer> | undefined {
  // Base64 of a JPEG begins "/9j/" (FF D8 FF): anything else is not a frame.
  if (datagram.length < 8 || datagram[0] !== 0x2f || datagram[1] !== 0x39) return undefined;
  let jpeg: Uint8Array<ArrayBuffer>;
  try {
    jpeg = Uint8Array.fromBase64(new TextDecoder("latin1").decode(datagram));
  } catch {
    return undefined;
  }
  return jpeg[0] === 0xff && jpeg[1] === 0xd8 ? jpeg : undefined;
}
