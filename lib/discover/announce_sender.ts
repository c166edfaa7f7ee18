import { labelOf, openBonjour } from "./_bonjour.ts";

/** The DNS-SD service type senders announce: `_udpcam._udp`. */
export const SERVICE_TYPE = "udpcam";

/** What a sender says of itself on the LAN. */
export interface SenderAnnouncement {
  /** Its name, as receivers show it (`--name`). */
  name: string;
  /** Its UDP port. */
  port: number;
  /** The version of udpcam's protocol it speaks. */
  version: number;
  /** Whether receivers need a key (never the key itself). */
  keyed: boolean;
  /** Told once if the announcement cannot go on (port 5353 taken or refused). */
  onError?: (error: Error) => void;
}

/** An announcement going on, until stopped. */
export interface Announcing {
  /** Says goodbye on the LAN (a record with no lifetime) and stops answering. */
  stop(): Promise<void>;
}

/**
 * Announces a sender on every interface by DNS-SD over mDNS, answering
 * receivers that browse for `_udpcam._udp`, until stopped. Errors of the
 * network (no multicast route, say) are let go: the sender works without.
 */
export function announceSender(announcement: SenderAnnouncement): Announcing {
  let told = false;
  const bonjour = openBonjour((error) => {
    if (!told) announcement.onError?.(error);
    told = true;
  });
  const service = bonjour.publish({
    name: labelOf(announcement.name),
    type: SERVICE_TYPE,
    protocol: "udp",
    port: announcement.port,
    txt: { v: String(announcement.version), key: announcement.keyed ? "yes" : "no" },
  });
  service.on("error", () => {});
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          bonjour.destroy();
          resolve();
        };
        const timer = setTimeout(done, 1000);
        service.stop?.(() => {
          clearTimeout(timer);
          done();
        });
      }),
  };
}
