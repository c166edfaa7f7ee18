/**
 * How a station starts: the senders named on the command line joined, and
 * with `--all` those announcing themselves on the LAN as they come and go.
 *
 * @module
 */
import { formatHostPort, type HostPort } from "../cli/host_port.ts";
import type { Logger } from "../cli/logger.ts";
import { watchSenders } from "../discover/watch_senders.ts";
import { openDatagramSocket } from "../net/open_datagram_socket.ts";
import { cameraName, uniqueCameraName } from "../preview/camera_name.ts";
import type { ReceiverGate } from "../receive/receiver_gate.ts";
import { UdpReceiver } from "../receive/udp_receiver.ts";
import type { StreamKey } from "../seal/stream_key.ts";
import type { ReceiverArgs } from "./receiver_args.ts";
import { logLinkEvent } from "./receiver_text.ts";
import { resolveHost } from "./resolve_host.ts";
import type { CameraSource, Station } from "./station.ts";
import { MAX_CAMERAS, StationRoster } from "./station_roster.ts";

/** What a station's start needs besides the flags. */
export interface StationStart {
  /** The key of the camera known by any of these names, else the key of `--key`, if any. */
  keyOf: (names: string[]) => StreamKey | undefined;
  /** Tells the lag meter the thread did work. */
  onWork: () => void;
}

/**
 * Joins the senders named, and with `--all` every one announcing itself on
 * the LAN as it comes (and drops it as it goes). Gives back how to stop
 * watching.
 */
export async function startStation(
  args: ReceiverArgs,
  { station, logger }: { station: Station; logger: Logger },
  { keyOf, onWork }: StationStart,
): Promise<() => void> {
  const named = await Promise.all(args.cameras.map(async (camera) => ({
    ...camera,
    ip: await resolveHost(camera.address.hostname),
  })));
  for (const camera of named) {
    const typed = formatHostPort(camera.address);
    const name = camera.name ??
      uniqueCameraName(cameraName(typed), (name) => station.has(name));
    await station.add(udpCamera(args, {
      name,
      sender: { hostname: camera.ip, port: camera.address.port },
      key: keyOf([name, typed, camera.address.hostname]),
      onWork,
      logger,
      several: true,
    }));
  }
  if (!args.all) return () => {};
  const roster = new StationRoster(
    named.map((camera) => `${camera.ip}:${camera.address.port}`),
    (name) => station.has(name),
  );
  const watch = watchSenders({
    onUp: (found) => {
      const where = `${found.address}:${found.port}`;
      const joining = roster.found(found);
      if (joining === undefined) return;
      if ("full" in joining) {
        if (!joining.full) return;
        logger.warn(
          `the station has its most cameras (${MAX_CAMERAS}): sender "${found.name}" at ${where} ` +
            "and any more are not joined; name the ones you want instead of --all",
        );
        return;
      }
      const name = joining.join;
      logger.event(
        "camera_found",
        `found sender "${found.name}" at ${where}: joining it as ${name}`,
        {
          camera: name,
          sender: where,
        },
      );
      station.add(udpCamera(args, {
        name,
        sender: { hostname: found.address, port: found.port },
        // By its address alone: a name is only what the sender says, and any host can say any.
        key: keyOf([where, found.address]),
        onWork,
        logger,
        several: true,
      })).catch((error) => {
        // Forgotten, so that its next announcement tries again.
        roster.gone(found);
        logger.warn(`cannot add camera ${name}: ${errorText(error)}`);
      });
    },
    onDown: (found) => {
      const name = roster.gone(found);
      if (name === undefined) return;
      const where = `${found.address}:${found.port}`;
      logger.event("camera_gone", `sender "${found.name}" at ${where} left: ${name} dropped`, {
        camera: name,
        sender: where,
      });
      station.remove(name).catch((error) =>
        logger.warn(`cannot drop camera ${name}: ${errorText(error)}`)
      );
    },
    onError: (error) =>
      logger.warn(
        `cannot listen for senders on the network (${error.message}): --all finds no more`,
      ),
  });
  return () => watch.stop();
}

/** A camera of udpcam's own protocol: its receiver, with its link's events in the log. */
export function udpCamera(
  args: Pick<ReceiverArgs, "latencyMs" | "nack">,
  options: {
    name: string;
    sender: HostPort;
    key: StreamKey | undefined;
    gate?: ReceiverGate;
    onWork: () => void;
    logger: Logger;
    /** Whether the camera is one of a station's, its name then leading its log lines. */
    several?: boolean;
  },
): CameraSource {
  const { name, sender, key, gate, onWork, logger, several = false } = options;
  const socket = openDatagramSocket({
    hostname: sender.hostname.includes(":") ? "::" : "0.0.0.0",
    port: 0,
  });
  const source = formatHostPort(sender);
  const receiver = new UdpReceiver({
    socket,
    sender: { transport: "udp", ...sender },
    latencyMs: args.latencyMs,
    nack: args.nack,
    key,
    gate,
    onWork,
    onEvent: (event) => logLinkEvent(logger, event, source, several ? name : undefined),
  });
  return { name, source, receiver };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
