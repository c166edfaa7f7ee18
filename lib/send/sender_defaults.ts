/** The sender's defaults, shared with its flags and help. */
export const SENDER_DEFAULTS = {
  /** The largest datagram: small enough never to be IP-fragmented on a real network. */
  mtu: 1200,
  /** The peak send rate, in Mbit/s. */
  paceMbps: 400,
  /** Datagrams sent back to back at most at the peak rate. */
  burstPackets: 32,
  /** A frame's datagrams are spread over this many ms, at most half the frame interval. */
  spreadMs: 2,
  /** The most receivers at once. */
  maxReceivers: 32,
} as const;
