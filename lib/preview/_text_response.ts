/** A plain-text response that no cache keeps: what the preview answers errors with. */
export function textResponse(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { "cache-control": "no-store", "content-type": "text/plain; charset=utf-8" },
  });
}
