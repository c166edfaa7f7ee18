import { type RequestHead, RequestHeadError } from "./http_request_head.ts";

/**
 * The Request for a head read by `HttpServer`, its URL made from
 * the target and the Host (or the address it was received on).
 *
 * @throws {RequestHeadError} For a head no handler should see (400).
 */
export function requestFromHead(head: RequestHead, local: Deno.Addr): Request {
  const hosts = head.headers.filter(([name]) => name === "host").map(([, value]) => value);
  if (hosts.length > 1) throw new RequestHeadError(400, "More than one Host");
  const [host] = hosts;
  if (host !== undefined && !/^[^\s/?#@\\]+$/.test(host)) {
    throw new RequestHeadError(400, "The Host is not a host and port");
  }
  if (host === undefined && head.version === "HTTP/1.1") {
    throw new RequestHeadError(400, "HTTP/1.1 needs a Host");
  }
  let url: string;
  if (head.target.startsWith("/")) {
    // Joined as text: a target like //example.com/ stays a path on this host.
    const { hostname, port } = local as Deno.NetAddr;
    const authority = host ??
      (hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`);
    url = `http://${authority}${head.target}`;
  } else if (/^http:\/\//i.test(head.target)) {
    url = head.target;
  } else {
    throw new RequestHeadError(400, "The target is neither a path nor an http: URL");
  }
  const headers = new Headers();
  for (const [name, value] of head.headers) headers.append(name, value);
  return new Request(url, { method: head.method, headers });
}
