import { createHash } from "node:crypto";

/** What a server asks for in a `WWW-Authenticate` header. */
export interface AuthChallenge {
  scheme: "basic" | "digest";
  realm: string;
  nonce?: string;
  opaque?: string;
  /** Digest's `qop` options, such as "auth". */
  qop?: string;
  /** Digest's hash: only MD5 (or none named) is spoken. */
  algorithm?: string;
}

/** The credentials, and the request they are for. */
export interface AuthRequest {
  username: string;
  password: string;
  method: string;
  uri: string;
  /** Digest with `qop`: the client's nonce. @default random */
  cnonce?: string;
  /** Digest with `qop`: how many requests used this nonce. @default {1} */
  nc?: number;
}

/** Reads a `WWW-Authenticate` header's challenges, one a line (as `RtspReader` joins them). */
export function parseAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  for (const line of header.split("\n")) {
    const match = /^\s*(\w+)\s*(.*)$/.exec(line);
    if (match === null) continue;
    const scheme = match[1].toLowerCase();
    if (scheme !== "basic" && scheme !== "digest") continue;
    const params: Record<string, string> = {};
    for (
      const [, name, quoted, bare] of match[2].matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g)
    ) {
      params[name.toLowerCase()] = quoted ?? bare;
    }
    challenges.push({
      scheme,
      realm: params.realm ?? "",
      nonce: params.nonce,
      opaque: params.opaque,
      qop: params.qop,
      algorithm: params.algorithm,
    });
  }
  return challenges;
}

/**
 * The `Authorization` header answering the best challenge: Digest with MD5
 * when offered (the password never crosses the network), else Basic.
 *
 * @throws {RangeError} When no challenge is one that can be answered.
 */
export function authorization(challenges: readonly AuthChallenge[], request: AuthRequest): string {
  const digest = challenges.find((challenge) =>
    challenge.scheme === "digest" && challenge.nonce !== undefined &&
    (challenge.algorithm === undefined || challenge.algorithm.toUpperCase() === "MD5")
  );
  if (digest !== undefined) return digestAuthorization(digest, request);
  // Never the password in the clear to a server that offered Digest: one in
  // the middle could have stripped the challenge it can answer.
  const offeredDigest = challenges.some((challenge) => challenge.scheme === "digest");
  if (!offeredDigest && challenges.some((challenge) => challenge.scheme === "basic")) {
    const token = new TextEncoder().encode(`${request.username}:${request.password}`).toBase64();
    return `Basic ${token}`;
  }
  const offered = challenges.map((c) => `${c.scheme} ${c.algorithm ?? ""}`.trim()).join(", ");
  throw new RangeError(`the server asks for an authentication not spoken (${offered || "none"})`);
}

/** RFC 2617 Digest with MD5, with `qop=auth` when the server offers it. */
function digestAuthorization(challenge: AuthChallenge, request: AuthRequest): string {
  const md5 = (text: string) => createHash("md5").update(text).digest("hex");
  const { username, password, method, uri } = request;
  const ha1 = md5(`${username}:${challenge.realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const qop = challenge.qop?.split(",").map((option) => option.trim()).includes("auth")
    ? "auth"
    : undefined;
  const fields = [
    `username="${username}"`,
    `realm="${challenge.realm}"`,
    `nonce="${challenge.nonce}"`,
    `uri="${uri}"`,
  ];
  if (qop === undefined) {
    fields.push(`response="${md5(`${ha1}:${challenge.nonce}:${ha2}`)}"`);
  } else {
    const nc = (request.nc ?? 1).toString(16).padStart(8, "0");
    const cnonce = request.cnonce ?? crypto.getRandomValues(new Uint8Array(8)).toHex();
    fields.push(
      `response="${md5(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)}"`,
      `qop=${qop}`,
      `nc=${nc}`,
      `cnonce="${cnonce}"`,
    );
  }
  if (challenge.opaque !== undefined) fields.push(`opaque="${challenge.opaque}"`);
  if (challenge.algorithm !== undefined) fields.push(`algorithm=${challenge.algorithm}`);
  return `Digest ${fields.join(", ")}`;
}
