import { ffmpegOutput } from "../ffmpeg/ffmpeg_process.ts";

/** A camera the sender can open. */
export interface Camera {
  /**
   * What goes after `camera:` to pick this camera: the N of `/dev/videoN` on Linux, an index on
   * macOS, the name on Windows.
   */
  id: string;
  /** The name the system gives the camera. */
  name: string;
}

/** Options for {@linkcode listCameras}. */
export interface ListCamerasOptions {
  /** The ffmpeg program that lists the cameras. */
  ffmpeg: string;
  /** The operating system to list cameras for. */
  os: typeof Deno.build.os;
}

/** The header of ffmpeg's v4l2 listing; the input format's name is `video4linux2,v4l2`. */
const V4L2_HEADER = /^Auto-detected sources for [^:]*\bv4l2:$/;
/** What ffmpeg prints when the listing failed: `Cannot list sources.` or `Cannot list sources: …`. */
const V4L2_CANNOT_LIST = /^Cannot list sources\b[.:]?\s*(.*?)\.?$/;
/**
 * A source line: a `*` for the default or a space, the device, its name in brackets, and since
 * ffmpeg 5.0 its media types in parentheses: `  /dev/video0 [Integrated Camera: Integrated C] (none)`.
 */
const V4L2_SOURCE = /^[* ] (\S+) \[(.*)\](?: \([^()]*\))?$/;
/** A capture device node; ffmpeg also lists radio, vbi and v4l-subdev nodes. */
const VIDEO_NODE = /^\/dev\/video(\d+)$/;
/** ffmpeg's log prefix, such as `[dshow @ 000001f0e2a0b440] `. */
const LOG_PREFIX = /^\[[^\]]* @ [^\]]*\]\s?/;
/** A dshow device line from ffmpeg 4.4 on: `"Integrated Camera" (video)`. */
const DSHOW_TYPED_DEVICE = /^\s*"(.*)"\s+\(([^()]*)\)\s*$/;
/** A dshow device line before ffmpeg 4.4, under a "DirectShow video devices" header. */
const DSHOW_DEVICE = /^\s*"(.*)"\s*$/;
/** An avfoundation device line: `[0] FaceTime HD Camera`. */
const AVFOUNDATION_DEVICE = /^\[(\d+)\] (.+)$/;

/**
 * Lists the cameras of this machine.
 *
 * It asks ffmpeg: on Linux for its v4l2 sources (`-sources v4l2`), on Windows and macOS for the
 * devices of dshow or avfoundation (`-list_devices true`). Linux needs ffmpeg too: under the
 * tools' permissions Deno may not read `/sys`, list `/dev` or even stat `/dev/videoN` (that takes
 * `--allow-all`). A Linux camera often has a second node for metadata that cannot capture; both
 * are listed.
 *
 * @param options The ffmpeg program and the operating system.
 * @returns The cameras in the system's order (on Linux, by device number); empty if there are none.
 * @throws {FfmpegNotFoundError} If ffmpeg cannot be found.
 * @throws {Error} On Linux, if ffmpeg cannot list v4l2 devices; see {@linkcode parseV4l2Sources}.
 */
export async function listCameras(options: ListCamerasOptions): Promise<Camera[]> {
  const { ffmpeg, os } = options;
  switch (os) {
    case "windows": {
      const { stderr: log } = await ffmpegOutput(ffmpeg, [
        "-list_devices",
        "true",
        "-f",
        "dshow",
        "-i",
        "dummy",
      ], os);
      return parseDshowDevices(log).map((name) => ({ id: name, name }));
    }
    case "darwin": {
      const { stderr: log } = await ffmpegOutput(ffmpeg, [
        "-list_devices",
        "true",
        "-f",
        "avfoundation",
        "-i",
        "",
      ], os);
      return parseAvfoundationDevices(log).map((device) => {
        const [, id, name] = device.match(AVFOUNDATION_DEVICE)!;
        return { id, name };
      });
    }
    default: {
      const { stdout } = await ffmpegOutput(ffmpeg, ["-sources", "v4l2"], os);
      return parseV4l2Sources(stdout);
    }
  }
}

/**
 * Picks a camera by what followed `camera:`: nothing for the first camera, an index into the
 * list, or an id or name.
 *
 * @param cameras The cameras from {@linkcode listCameras}.
 * @param device What followed `camera:`, if anything.
 * @returns The camera.
 * @throws {RangeError} If there is no such camera; the message lists the cameras there are.
 */
export function resolveCamera(cameras: Camera[], device?: string): Camera {
  const found = device === undefined
    ? cameras[0]
    : cameras.find((camera) => camera.id === device || camera.name === device) ??
      (/^\d+$/.test(device) ? cameras[Number(device)] : undefined);
  if (found !== undefined) return found;
  const wanted = device === undefined ? "No camera found" : `No camera "${device}"`;
  const known = cameras.length === 0
    ? "there are none"
    : `there are ${cameras.map((camera) => `${camera.id} (${camera.name})`).join(", ")}`;
  throw new RangeError(`${wanted}: ${known}`);
}

/**
 * Reads the video device names from the log of
 * `ffmpeg -list_devices true -f dshow -i dummy`. Knows both layouts: since ffmpeg 4.4 each device
 * line ends with its kinds, `"Integrated Camera" (video)`; before, devices follow a
 * "DirectShow video devices" or "DirectShow audio devices" header. Alternative names are skipped.
 *
 * @param log ffmpeg's stderr.
 * @returns The names of the devices that give video, in order.
 */
export function parseDshowDevices(log: string): string[] {
  const names: string[] = [];
  let section: "video" | "audio" | undefined;
  for (const line of logLines(log)) {
    if (/DirectShow video devices/i.test(line)) {
      section = "video";
      continue;
    }
    if (/DirectShow audio devices/i.test(line)) {
      section = "audio";
      continue;
    }
    const typed = line.match(DSHOW_TYPED_DEVICE);
    if (typed !== null) {
      const kinds = typed[2].split(",").map((kind) => kind.trim());
      if (kinds.includes("video")) names.push(typed[1]);
      continue;
    }
    const plain = line.match(DSHOW_DEVICE);
    if (plain !== null && section === "video") names.push(plain[1]);
  }
  return names;
}

/**
 * Reads the video devices from the log of `ffmpeg -f avfoundation -list_devices true -i ""`.
 * Screens that can be captured are video devices too.
 *
 * @param log ffmpeg's stderr.
 * @returns The video devices as ffmpeg prints them, such as `[0] FaceTime HD Camera`.
 */
export function parseAvfoundationDevices(log: string): string[] {
  const devices: string[] = [];
  let inVideo = false;
  for (const line of logLines(log)) {
    if (/AVFoundation video devices:/i.test(line)) {
      inVideo = true;
    } else if (/AVFoundation audio devices:/i.test(line)) {
      inVideo = false;
    } else if (inVideo && AVFOUNDATION_DEVICE.test(line)) {
      devices.push(line);
    }
  }
  return devices;
}

/**
 * Reads the cameras from the standard output of `ffmpeg -sources v4l2`: a header,
 * `Auto-detected sources for video4linux2,v4l2:`, then a line per device that ffmpeg could open,
 * in directory order, such as `  /dev/video0 [Integrated Camera: Integrated C]`; since ffmpeg 5.0
 * the line ends with the media types, ` (none)` for v4l2. Only `/dev/videoN` nodes are cameras:
 * radio, vbi and v4l-subdev nodes are left out.
 *
 * @param output ffmpeg's stdout.
 * @returns The cameras by device number, each with that number as its id; a camera without a
 * name is named by its device.
 * @throws {Error} If the output has no v4l2 listing (an ffmpeg built without v4l2), or ffmpeg says
 * it cannot list the devices.
 */
export function parseV4l2Sources(output: string): Camera[] {
  const lines = output.split(/\r?\n/);
  const header = lines.findIndex((line) => V4L2_HEADER.test(line));
  if (header === -1) throw new Error("ffmpeg has no v4l2 input to list the cameras with");
  const cameras: Array<Camera & { node: number }> = [];
  for (const line of lines.slice(header + 1)) {
    const failed = line.match(V4L2_CANNOT_LIST);
    if (failed !== null) {
      const reason = failed[1] === "" ? "" : `: ${failed[1]}`;
      throw new Error(`ffmpeg cannot list the v4l2 devices${reason}`);
    }
    const source = line.match(V4L2_SOURCE);
    if (source === null) break;
    const [, device, name] = source;
    const node = device.match(VIDEO_NODE);
    if (node === null) continue;
    cameras.push({ node: Number(node[1]), id: node[1], name: name.trim() || device });
  }
  return cameras.sort((a, b) => a.node - b.node).map(({ id, name }) => ({ id, name }));
}

/** The log's lines without ffmpeg's `[name @ address]` prefix. */
function logLines(log: string): string[] {
  return log.split(/\r?\n/).map((line) => line.replace(LOG_PREFIX, "").trimEnd());
}
