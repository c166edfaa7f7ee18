import QRCode from "qrcode";

/**
 * `text` as a QR code to print on a terminal, two modules a character
 * (`qrcode`'s small terminal form: black on white whatever the terminal's
 * colours, so that a phone's camera reads it on a dark theme too).
 */
export async function terminalQr(text: string): Promise<string> {
  return await QRCode.toString(text, { type: "terminal", small: true, errorCorrectionLevel: "L" });
}
