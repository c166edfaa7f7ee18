import { createHash, timingSafeEqual } from "node:crypto";
import { isLoopbackHost } from "../cli/host_port.ts";
import { textResponse } from "./_text_response.ts";

/** Options for {@linkcode guardPreview}. */
export interface PreviewGuardOptions {
  /** The port the preview listens on: a loopback Host must name it. */
  port: number;
  /**
   * Whether the preview listens on a loopback address. Then a request must name
   * a loopback host with {@linkcode port} (against DNS rebinding); otherwise any
   * Host is taken, and the token is what keeps strangers out.
   */
  loopback: boolean;
  /**
   * The token every request must carry, as `?token=` or `Authorization:
   * Bearer`; undefined asks for none. Never a cookie: a browser sends a
   * host's cookies to every port of it, whatever else listens there, so the
   * page passes its own `?token=` on to the requests it makes instead.
   * @default {undefined}
   */
  token?: string;
  /**
   * Let pages of other origins embed `/stream.mjpg` and `/snapshot.jpg`
   * (`<img src>` on a dashboard): `Cross-Origin-Resource-Policy:
   * cross-origin` on those two alone, still behind the token. @default {false}
   */
  allowEmbed?: boolean;
}

/** What other origins may embed with `allowEmbed`: the first camera's, and each camera's under `/cam/NAME/`. */
const EMBEDDABLE = /^(?:\/cam\/[^/]+)?\/(?:stream\.mjpg|snapshot\.jpg)$/;

/** The headers every response gets: nothing may frame, embed, sniff or read it from elsewhere. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // The page has one inline <style> and one inline <script>, and loads only
  // stream.mjpg (img) and stats (fetch) from its own origin.
  "content-security-policy": "default-src 'none'; img-src 'self'; connect-src 'self'; " +
    "script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'; " +
    "base-uri 'none'; form-action 'none'",
  "cross-origin-resource-policy": "same-origin",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};

/**
 * Wraps the preview's handler, still a plain `Request => Response` function:
 * refuses a request for a host that is not this loopback preview (403), one
 * without the token (401) or with a wrong one (403), before `handler` sees it,
 * and adds {@linkcode SECURITY_HEADERS} to every response.
 */
export function guardPreview(
  handler: (request: Request) => Response,
  options: PreviewGuardOptions,
): (request: Request) => Response {
  const { port, loopback, token, allowEmbed = false } = options;
  const expected = token === undefined ? undefined : sha256(token);

  /** The answer to a request that may not pass, or undefined for one that may. */
  function refuse(request: Request, url: URL): Response | undefined {
    if (loopback) {
      const hosts = [url.host, request.headers.get("host") ?? url.host];
      if (!hosts.every((host) => isLoopbackAuthority(host, port))) {
        return textResponse(
          403,
          `Refused: this preview answers only as localhost:${port}, 127.0.0.1:${port} or ` +
            `[::1]:${port}; open http://localhost:${port}/\n`,
        );
      }
    }
    if (expected === undefined) return undefined;
    const given = presentedToken(request, url);
    if (given === undefined) {
      if (wantsPage(request, url)) {
        return tokenPage(401, "This preview needs its token.", url.pathname);
      }
      const response = textResponse(
        401,
        "Token needed: open the preview URL with ?token=... from the receiver's log, " +
          "or send Authorization: Bearer TOKEN\n",
      );
      response.headers.set("www-authenticate", 'Bearer realm="udpcam"');
      return response;
    }
    // Digests of equal length, compared in constant time: no hint of the token, not even its length.
    if (!timingSafeEqual(sha256(given), expected)) {
      if (wantsPage(request, url)) {
        return tokenPage(403, "That is not this preview's token.", url.pathname);
      }
      return textResponse(
        403,
        "Wrong token: use the ?token=... of the preview URL in the receiver's log " +
          "(kept in its config folder, udpcam/http-token, unless --http-token is given)\n",
      );
    }
    return undefined;
  }

  return (request: Request): Response => {
    const response = refuse(request, new URL(request.url)) ?? handler(request);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      response.headers.set(name, value);
    }
    if (allowEmbed && response.ok && EMBEDDABLE.test(new URL(request.url).pathname)) {
      response.headers.set("cross-origin-resource-policy", "cross-origin");
    }
    return response;
  };
}

/** Whether a Host (`name[:port]`, `[v6][:port]`) names a loopback host with `port`. */
function isLoopbackAuthority(authority: string, port: number): boolean {
  const match = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+))(?::(\d{1,5}))?$/i.exec(authority);
  if (match === null) return false;
  const [, ipv6, name, given] = match;
  // No port in the Host means the scheme's: 80 for http.
  return Number(given ?? 80) === port && isLoopbackHost(ipv6 ?? name);
}

/** The token a request carries: `?token=`, or else a bearer token. */
function presentedToken(request: Request, url: URL): string | undefined {
  const query = url.searchParams.get("token");
  if (query !== null) return query;
  const bearer = /^Bearer +(\S+) *$/i.exec(request.headers.get("authorization") ?? "");
  return bearer === null ? undefined : bearer[1];
}

function sha256(text: string): Uint8Array {
  return createHash("sha256").update(text).digest();
}

/**
 * The pages a browser opens itself: `/`, `/grid.html` and a camera's
 * `/cam/NAME/`, exactly (the token page sends the browser back to the same
 * path, and `//evil.example/` would be another site).
 */
const PAGE_PATH = /^\/(?:grid\.html|cam\/[A-Za-z0-9][A-Za-z0-9._-]{0,39}\/)?$/;

/** Whether a browser is opening a page itself (not a stream, not a script): it gets a page back. */
function wantsPage(request: Request, url: URL): boolean {
  return PAGE_PATH.test(url.pathname) && request.method === "GET" &&
    (request.headers.get("accept") ?? "").includes("text/html");
}

/**
 * The page a browser gets for the preview without its token (401) or with a
 * wrong one (403): a field to paste the token or the whole preview URL in.
 * A token this browser kept for this origin (the preview page keeps the one
 * it was opened with, in `localStorage`, which no other port can read, unlike
 * a cookie) is tried at once, so a bookmark without the token works; a wrong
 * one is forgotten. Never holds the token.
 */
function tokenPage(status: 401 | 403, why: string, path: string): Response {
  // The path back, written by the server (one of PAGE_PATH's), never read from the address bar.
  const back = JSON.stringify(path);
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark"><title>udpcam: token needed</title>
<style>body{font:16px/1.5 system-ui,sans-serif;background:#0b0d10;color:#e3e7ec;margin:0;
display:grid;place-items:center;min-height:100vh}main{max-width:32rem;padding:1.5rem}
input{width:100%;font:inherit;padding:.5em;margin:.5em 0;box-sizing:border-box}
button{font:inherit;padding:.4em 1em}code{overflow-wrap:anywhere}</style></head>
<body><main><h1>udpcam</h1><p>${why} Paste the preview URL the receiver printed (it ends in
<code>?token=...</code>), or the token alone:</p>
<form id="form"><input id="token" name="token" autocomplete="off" autofocus required
aria-label="Preview URL or token"><button type="submit">Open</button></form></main>
<script>
document.getElementById("form").addEventListener("submit", (event) => {
  event.preventDefault();
  let value = document.getElementById("token").value.trim();
  try { value = new URL(value).searchParams.get("token") || value; } catch {}
  location.assign(${back} + "?token=" + encodeURIComponent(value));
});
try {
  const KEY = "udpcam-token";
  if (${status === 403}) localStorage.removeItem(KEY);
  else if (localStorage.getItem(KEY)) location.replace(${back} + "?token=" + encodeURIComponent(localStorage.getItem(KEY)));
} catch {
  // Storage refused (blocked cookies, say): the field still works.
}
</script></body></html>
`;
  const response = new Response(page, {
    status,
    headers: { "cache-control": "no-store", "content-type": "text/html; charset=utf-8" },
  });
  if (status === 401) response.headers.set("www-authenticate", 'Bearer realm="udpcam"');
  return response;
}
