import { FfmpegNotFoundError } from "./ffmpeg_not_found_error.ts";

/** A camera the sender can open. */
export interface Camera {
  /** What goes after `camera:` to pick this camera: an index on Linux and macOS, the name on Windows. */
  id: string;
  /** The name the system gives the camera. */
  name: string;
}

/** Options for {@linkcode listCameras}. */
export interface ListCamerasOptions {
  /** The ffmpeg program, used on Windows and macOS. */
  ffmpeg: string;
  /** The operating system to list cameras for. */
  os: typeof Deno.build.os;
  /**
   * Where Linux lists video devices with their names.
   *
   * @default {"/sys/class/video4linux"}
   */
  sysfsDir?: string;
  /**
   * Where Linux keeps device files, read when there is no sysfs.
   *
   * @default {"/dev"}
   */
  devDir?: string;
}

const VIDEO_NODE = /^video(\d+)$/;
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
 * On Linux it reads the device names from sysfs (`/sys/class/video4linux/videoN/name`), or lists
 * `/dev/videoN` without names, and needs no ffmpeg. A camera often has a second node for
 * metadata that cannot capture; both are listed. On Windows and macOS it asks ffmpeg
 * (`-list_devices true` with dshow or avfoundation) and parses its log.
 *
 * @param options The ffmpeg program and the operating system.
 * @returns The cameras in the system's order; empty if there are none.
 * @throws {FfmpegNotFoundError} On Windows and macOS, if ffmpeg cannot be found.
 */
export async function listCameras(options: ListCamerasOptions): Promise<Camera[]> {
  const { ffmpeg, os, sysfsDir = "/sys/class/video4linux", devDir = "/dev" } = options;
  switch (os) {
    case "windows": {
      const log = await ffmpegLog(ffmpeg, os, [
        "-list_devices",
        "true",
        "-f",
        "dshow",
        "-i",
        "dummy",
      ]);
      return parseDshowDevices(log).map((name) => ({ id: name, name }));
    }
    case "darwin": {
      const log = await ffmpegLog(ffmpeg, os, [
        "-list_devices",
        "true",
        "-f",
        "avfoundation",
        "-i",
        "",
      ]);
      return parseAvfoundationDevices(log).map((device) => {
        const [, id, name] = device.match(AVFOUNDATION_DEVICE)!;
        return { id, name };
      });
    }
    default:
      return await listVideo4LinuxDevices(sysfsDir, devDir);
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

/** The log's lines without ffmpeg's `[name @ address]` prefix. */
function logLines(log: string): string[] {
  return log.split(/\r?\n/).map((line) => line.replace(LOG_PREFIX, "").trimEnd());
}

async function ffmpegLog(ffmpeg: string, os: typeof Deno.build.os, args: string[]) {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(ffmpeg, {
      args: ["-hide_banner", "-nostdin", ...args],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new FfmpegNotFoundError(ffmpeg, { os, cause: error });
    }
    throw error;
  }
  // ffmpeg exits with an error after listing, since there is nothing to open.
  return new TextDecoder().decode(output.stderr);
}

async function listVideo4LinuxDevices(sysfsDir: string, devDir: string): Promise<Camera[]> {
  const fromSysfs = await videoNodes(sysfsDir);
  const nodes = fromSysfs ?? await videoNodes(devDir) ?? [];
  const cameras: Camera[] = [];
  for (const node of nodes.sort((a, b) => a - b)) {
    const path = `${devDir}/video${node}`;
    const name = fromSysfs === undefined ? path : await readName(`${sysfsDir}/video${node}/name`);
    cameras.push({ id: String(node), name: name ?? path });
  }
  return cameras;
}

/** The N of each `videoN` entry in a directory, or `undefined` if it cannot be read. */
async function videoNodes(dir: string): Promise<number[] | undefined> {
  const nodes: number[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const match = entry.name.match(VIDEO_NODE);
      if (match !== null) nodes.push(Number(match[1]));
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied) {
      return undefined;
    }
    throw error;
  }
  return nodes;
}

async function readName(path: string): Promise<string | undefined> {
  try {
    const name = (await Deno.readTextFile(path)).trim();
    return name === "" ? undefined : name;
  } catch {
    return undefined;
  }
}
