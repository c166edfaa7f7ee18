/** A session id as people read it: eight hex digits. */
export function formatSession(session: number): string {
  return session.toString(16).padStart(8, "0");
}
