/**
 * The smallest live Matroska stream that carries JPEG frames with their
 * timestamps: what the recorder writes into ffmpeg's stdin, so every frame
 * keeps the time it was captured instead of the time ffmpeg happened to read it.
 *
 * ```
 * EBML header                      DocType "matroska"
 * Segment (size unknown: live)
 * ├─ Info                          TimestampScale 1 000 000 ns: timestamps in ms
 * ├─ Tracks
 * │  └─ TrackEntry                 track 1, video, V_MJPEG, PixelWidth x PixelHeight
 * ├─ Cluster                       one per frame
 * │  ├─ Timestamp                  the frame's time in ms
 * │  └─ SimpleBlock                0x81 (track 1) | int16 0 (offset) | 0x80 (keyframe) | JPEG
 * └─ Cluster ...
 * ```
 *
 * Every element is ID | size | body. IDs keep their length marker bits, as
 * the specification writes them; sizes are written as 8-byte variable-length
 * integers (`0x01` then 7 bytes), which every reader accepts.
 *
 * @module
 */
import { concatBytes } from "../util/concat_bytes.ts";

const EBML = 0x1a45dfa3;
const EBML_VERSION = 0x4286;
const EBML_READ_VERSION = 0x42f7;
const EBML_MAX_ID_LENGTH = 0x42f2;
const EBML_MAX_SIZE_LENGTH = 0x42f3;
const DOC_TYPE = 0x4282;
const DOC_TYPE_VERSION = 0x4287;
const DOC_TYPE_READ_VERSION = 0x4285;
const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const TIMESTAMP_SCALE = 0x2ad7b1;
const MUXING_APP = 0x4d80;
const WRITING_APP = 0x5741;
const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const TRACK_NUMBER = 0xd7;
const TRACK_UID = 0x73c5;
const TRACK_TYPE = 0x83;
const CODEC_ID = 0x86;
const VIDEO = 0xe0;
const PIXEL_WIDTH = 0xb0;
const PIXEL_HEIGHT = 0xba;
const CLUSTER = 0x1f43b675;
const CLUSTER_TIMESTAMP = 0xe7;
const SIMPLE_BLOCK = 0xa3;

/** An 8-byte size whose value bits are all 1: "unknown", for a live segment. */
const UNKNOWN_SIZE = [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
/** The largest size an 8-byte variable-length integer holds (all 1s is reserved). */
const MAX_SIZE = 2 ** 56 - 2;
const TRACK_TYPE_VIDEO = 1;
/** SimpleBlock: track number 1 as a 1-byte variable-length integer. */
const BLOCK_TRACK_1 = 0x81;
/** SimpleBlock flags: a keyframe; every JPEG is one. */
const BLOCK_KEYFRAME = 0x80;
/** SimpleBlock header: track, 16-bit relative timestamp, flags. */
const BLOCK_HEADER_BYTES = 4;

const encoder = new TextEncoder();

/** What {@linkcode matroskaHeader} describes. */
export interface MatroskaHeaderOptions {
  /** The frames' width in pixels, from the first JPEG. */
  width: number;
  /** The frames' height in pixels, from the first JPEG. */
  height: number;
}

/**
 * The start of a live Matroska stream with one MJPEG video track: the EBML
 * header, the opening of a segment of unknown size, its Info and its Tracks.
 * Clusters from {@linkcode matroskaCluster} follow.
 */
export function matroskaHeader(options: MatroskaHeaderOptions): Uint8Array<ArrayBuffer> {
  const { width, height } = options;
  const app = encoder.encode("udpcam");
  const header = element(EBML, [
    element(EBML_VERSION, uint(1)),
    element(EBML_READ_VERSION, uint(1)),
    element(EBML_MAX_ID_LENGTH, uint(4)),
    element(EBML_MAX_SIZE_LENGTH, uint(8)),
    element(DOC_TYPE, encoder.encode("matroska")),
    element(DOC_TYPE_VERSION, uint(2)),
    element(DOC_TYPE_READ_VERSION, uint(2)),
  ]);
  const info = element(INFO, [
    element(TIMESTAMP_SCALE, uint(1_000_000)),
    element(MUXING_APP, app),
    element(WRITING_APP, app),
  ]);
  const tracks = element(TRACKS, [
    element(TRACK_ENTRY, [
      element(TRACK_NUMBER, uint(1)),
      element(TRACK_UID, uint(1)),
      element(TRACK_TYPE, uint(TRACK_TYPE_VIDEO)),
      element(CODEC_ID, encoder.encode("V_MJPEG")),
      element(VIDEO, [element(PIXEL_WIDTH, uint(width)), element(PIXEL_HEIGHT, uint(height))]),
    ]),
  ]);
  return concatBytes([header, id(SEGMENT), new Uint8Array(UNKNOWN_SIZE), info, tracks]);
}

/**
 * One frame as a Matroska cluster holding one keyframe SimpleBlock, at
 * `timestampMs` milliseconds from the start of the stream.
 *
 * @throws {RangeError} If the timestamp is not a whole number of 0 or more.
 */
export function matroskaCluster(timestampMs: number, jpeg: Uint8Array): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(timestampMs) || timestampMs < 0) {
    throw new RangeError(`Cluster timestamp must be a whole number of ms, got ${timestampMs}`);
  }
  const timestamp = element(CLUSTER_TIMESTAMP, uint(timestampMs));
  const blockSize = BLOCK_HEADER_BYTES + jpeg.length;
  const simpleBlock = id(SIMPLE_BLOCK);
  return concatBytes([
    id(CLUSTER),
    size(timestamp.length + simpleBlock.length + 8 + blockSize),
    timestamp,
    simpleBlock,
    size(blockSize),
    new Uint8Array([BLOCK_TRACK_1, 0, 0, BLOCK_KEYFRAME]),
    jpeg,
  ]);
}

/** ID | size | body. */
function element(elementId: number, body: Uint8Array | Uint8Array[]): Uint8Array {
  const content = body instanceof Uint8Array ? body : concatBytes(body);
  return concatBytes([id(elementId), size(content.length), content]);
}

/** An element ID, big-endian in as few bytes as it needs (its marker bits included). */
function id(value: number): Uint8Array {
  return uint(value);
}

/** A size as an 8-byte variable-length integer: `0x01` then 7 bytes, big-endian. */
function size(value: number): Uint8Array {
  if (!(value >= 0 && value <= MAX_SIZE)) throw new RangeError(`Element too large: ${value}`);
  const bytes = new Uint8Array(8);
  bytes[0] = 0x01;
  let rest = value;
  for (let i = 7; i >= 1; i--) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return bytes;
}

/** An unsigned integer, big-endian in as few bytes as it needs (at least one). */
function uint(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest % 256);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  return new Uint8Array(bytes);
}
