import assert from "node:assert/strict";
import {
  listCameras,
  parseAvfoundationDevices,
  parseDshowDevices,
  parseV4l2Sources,
  resolveCamera,
} from "../../lib/capture/camera_list.ts";
import { ffmpegArgs } from "../../lib/capture/ffmpeg_args.ts";
import { FfmpegNotFoundError } from "../../lib/ffmpeg/ffmpeg_not_found_error.ts";
import { parseSourceSpec } from "../../lib/capture/source_spec.ts";

// `ffmpeg -hide_banner -list_devices true -f dshow -i dummy` with ffmpeg 4.3 (Windows line ends).
const DSHOW_4_3 = [
  "[dshow @ 000001f0e2a0b440] DirectShow video devices (some may be both video and audio devices)",
  '[dshow @ 000001f0e2a0b440]  "Integrated Camera"',
  '[dshow @ 000001f0e2a0b440]     Alternative name "@device_pnp_\\\\?\\usb#vid_04f2&pid_b6d9&mi_00#6&1f3fcd4&0&0000#{65e8773d-8f56-11d0-a3b9-00a0c9223196}\\global"',
  '[dshow @ 000001f0e2a0b440]  "OBS Virtual Camera"',
  '[dshow @ 000001f0e2a0b440]     Alternative name "@device_sw_{860BB310-5D01-11D0-BD3B-00A0C911CE86}\\{A3FCE0F5-3493-419F-958A-ABA1250EC20B}"',
  "[dshow @ 000001f0e2a0b440] DirectShow audio devices",
  '[dshow @ 000001f0e2a0b440]  "Microphone Array (Realtek(R) Audio)"',
  '[dshow @ 000001f0e2a0b440]     Alternative name "@device_cm_{33D9A762-90C8-11D0-BD43-00A0C911CE86}\\wave_{8E2D5D9A-3E1C-4E4B-9E0F-6C3B7E0E9F1A}"',
  "dummy: Immediate exit requested",
  "",
].join("\r\n");

// The same with ffmpeg 5.1 and 6.1: one line per device, its kinds at the end.
const DSHOW_5 = [
  '[dshow @ 0000020b1c3a8d40] "Integrated Camera" (video)',
  '[dshow @ 0000020b1c3a8d40]   Alternative name "@device_pnp_\\\\?\\usb#vid_04f2&pid_b6d9&mi_00#6&1f3fcd4&0&0000#{65e8773d-8f56-11d0-a3b9-00a0c9223196}\\global"',
  '[dshow @ 0000020b1c3a8d40] "OBS Virtual Camera" (none)',
  '[dshow @ 0000020b1c3a8d40]   Alternative name "@device_sw_{860BB310-5D01-11D0-BD3B-00A0C911CE86}\\{A3FCE0F5-3493-419F-958A-ABA1250EC20B}"',
  '[dshow @ 0000020b1c3a8d40] "Cam Link 4K" (audio, video)',
  '[dshow @ 0000020b1c3a8d40]   Alternative name "@device_pnp_\\\\?\\usb#vid_0fd9&pid_0066&mi_00#7&2a5e1f0&0&0000#{65e8773d-8f56-11d0-a3b9-00a0c9223196}\\global"',
  '[dshow @ 0000020b1c3a8d40] "Microphone Array (Realtek(R) Audio)" (audio)',
  '[dshow @ 0000020b1c3a8d40]   Alternative name "@device_cm_{33D9A762-90C8-11D0-BD43-00A0C911CE86}\\wave_{8E2D5D9A-3E1C-4E4B-9E0F-6C3B7E0E9F1A}"',
  "dummy: Immediate exit requested",
  "",
].join("\r\n");

// ffmpeg 7.1 adds its own lines after the list.
const DSHOW_7 = [
  '[dshow @ 000002a41f6e5c80] "HD Pro Webcam C920" (video)',
  '[dshow @ 000002a41f6e5c80]   Alternative name "@device_pnp_\\\\?\\usb#vid_046d&pid_082d&mi_00#8&1b5b3c6&0&0000#{65e8773d-8f56-11d0-a3b9-00a0c9223196}\\global"',
  '[dshow @ 000002a41f6e5c80] "Microphone (HD Pro Webcam C920)" (audio)',
  '[dshow @ 000002a41f6e5c80]   Alternative name "@device_cm_{33D9A762-90C8-11D0-BD43-00A0C911CE86}\\wave_{5B1D0C2E-3F6A-4C2B-8E1D-9A7F6B3C2D1E}"',
  "[in#0 @ 000002a41f6d1a00] Error opening input: Immediate exit requested",
  "Error opening input file dummy.",
  "Error opening input files: Immediate exit requested",
  "",
].join("\r\n");

// `ffmpeg -hide_banner -f avfoundation -list_devices true -i ""` with ffmpeg 6.0 on a MacBook.
const AVFOUNDATION_6 = `\
[AVFoundation indev @ 0x7f8b4a704a40] AVFoundation video devices:
[AVFoundation indev @ 0x7f8b4a704a40] [0] FaceTime HD Camera
[AVFoundation indev @ 0x7f8b4a704a40] [1] Jane's iPhone Camera
[AVFoundation indev @ 0x7f8b4a704a40] [2] Capture screen 0
[AVFoundation indev @ 0x7f8b4a704a40] AVFoundation audio devices:
[AVFoundation indev @ 0x7f8b4a704a40] [0] MacBook Pro Microphone
[AVFoundation indev @ 0x7f8b4a704a40] [1] Jane's iPhone Microphone
: Input/output error
`;

// ffmpeg 7.1 on Apple silicon, with a virtual camera and the error lines of the new CLI.
const AVFOUNDATION_7 = `\
[AVFoundation indev @ 0x13de04b40] AVFoundation video devices:
[AVFoundation indev @ 0x13de04b40] [0] MacBook Air Camera
[AVFoundation indev @ 0x13de04b40] [1] OBS Virtual Camera
[AVFoundation indev @ 0x13de04b40] [2] Capture screen 0
[AVFoundation indev @ 0x13de04b40] AVFoundation audio devices:
[AVFoundation indev @ 0x13de04b40] [0] MacBook Air Microphone
[in#0 @ 0x13de047c0] Error opening input: Input/output error
Error opening input file .
Error opening input files: Input/output error
`;

Deno.test("parseDshowDevices() reads video devices under the header of ffmpeg 4.3", () => {
  assert.deepEqual(parseDshowDevices(DSHOW_4_3), ["Integrated Camera", "OBS Virtual Camera"]);
});

Deno.test("parseDshowDevices() reads devices marked (video) in ffmpeg 5 and 6", () => {
  assert.deepEqual(parseDshowDevices(DSHOW_5), ["Integrated Camera", "Cam Link 4K"]);
});

Deno.test("parseDshowDevices() reads the list of ffmpeg 7 and skips its error lines", () => {
  assert.deepEqual(parseDshowDevices(DSHOW_7), ["HD Pro Webcam C920"]);
});

Deno.test("parseDshowDevices() finds nothing in a log without devices", () => {
  assert.deepEqual(parseDshowDevices("dummy: Immediate exit requested\r\n"), []);
  assert.deepEqual(parseDshowDevices(""), []);
});

Deno.test("parseAvfoundationDevices() reads the video devices of ffmpeg 6", () => {
  assert.deepEqual(parseAvfoundationDevices(AVFOUNDATION_6), [
    "[0] FaceTime HD Camera",
    "[1] Jane's iPhone Camera",
    "[2] Capture screen 0",
  ]);
});

Deno.test("parseAvfoundationDevices() reads the video devices of ffmpeg 7", () => {
  assert.deepEqual(parseAvfoundationDevices(AVFOUNDATION_7), [
    "[0] MacBook Air Camera",
    "[1] OBS Virtual Camera",
    "[2] Capture screen 0",
  ]);
});

// `ffmpeg -hide_banner -sources v4l2` on stdout. ffmpeg 4.x prints `%s %s [%s]`: a `*` for the
// default device (v4l2 names none) or a space, the device, its card name; in /dev's order.
const V4L2_4 = "Auto-detected sources for video4linux2,v4l2:\n" +
  "  /dev/video1 [Integrated Camera: Integrated C]\n" +
  "  /dev/video10 [Cam Link 4K: Cam Link 4K]\n" +
  "  /dev/video0 [Integrated Camera: Integrated C]\n";

// ffmpeg 5.0 and on add the media types, `(none)` for v4l2, and list radio and vbi nodes too.
const V4L2_5 = "Auto-detected sources for video4linux2,v4l2:\n" +
  "  /dev/video2 [Cam Link 4K: Cam Link 4K] (none)\n" +
  "  /dev/radio0 [BCM2048 FM Radio] (none)\n" +
  "  /dev/video0 [Integrated Camera: Integrated C] (none)\n" +
  "  /dev/vbi0 [Hauppauge WinTV-HVR-1975] (none)\n" +
  "  /dev/video1 [Integrated Camera: Integrated C] (none)\n";

const V4L2_CASES: Array<[string, string, Array<{ id: string; name: string }>]> = [
  ["no devices (ffmpeg 5.1 on this machine)", "Auto-detected sources for video4linux2,v4l2:\n", []],
  ["ffmpeg 4.x, sorted by device number", V4L2_4, [
    { id: "0", name: "Integrated Camera: Integrated C" },
    { id: "1", name: "Integrated Camera: Integrated C" },
    { id: "10", name: "Cam Link 4K: Cam Link 4K" },
  ]],
  ["ffmpeg 5.x and 6.x, radio and vbi left out", V4L2_5, [
    { id: "0", name: "Integrated Camera: Integrated C" },
    { id: "1", name: "Integrated Camera: Integrated C" },
    { id: "2", name: "Cam Link 4K: Cam Link 4K" },
  ]],
  [
    "a name with brackets, in both formats",
    "Auto-detected sources for video4linux2,v4l2:\n" +
    "  /dev/video3 [USB Camera [HD]: USB Camera [HD]] (none)\n" +
    "  /dev/video4 [Webcam [rev 2]]\n",
    [
      { id: "3", name: "USB Camera [HD]: USB Camera [HD]" },
      { id: "4", name: "Webcam [rev 2]" },
    ],
  ],
  [
    "a default device, a name ending in parentheses, an empty name",
    "Auto-detected sources for video4linux2,v4l2:\n" +
    "* /dev/video0 [Camera (front)] (none)\n" +
    "  /dev/video5 [Capture (rear)]\n" +
    "  /dev/video6 [] (none)\n",
    [
      { id: "0", name: "Camera (front)" },
      { id: "5", name: "Capture (rear)" },
      { id: "6", name: "/dev/video6" },
    ],
  ],
  ["Windows line ends", V4L2_5.replaceAll("\n", "\r\n"), [
    { id: "0", name: "Integrated Camera: Integrated C" },
    { id: "1", name: "Integrated Camera: Integrated C" },
    { id: "2", name: "Cam Link 4K: Cam Link 4K" },
  ]],
];

for (const [what, output, cameras] of V4L2_CASES) {
  Deno.test(`parseV4l2Sources() reads ${what}`, () => {
    assert.deepEqual(parseV4l2Sources(output), cameras);
  });
}

Deno.test("parseV4l2Sources() throws when ffmpeg cannot list v4l2 devices", () => {
  const header = "Auto-detected sources for video4linux2,v4l2:\n";
  const cases: Array<[string, string]> = [
    // An ffmpeg built without v4l2 prints nothing for -sources v4l2 and exits 0.
    ["", "ffmpeg has no v4l2 input to list the cameras with"],
    // ffmpeg 4.x, then 5.x and on, when a device fails VIDIOC_QUERYCAP.
    [`${header}Cannot list sources.\n`, "ffmpeg cannot list the v4l2 devices"],
    [
      `${header}Cannot list sources: Inappropriate ioctl for device\n`,
      "ffmpeg cannot list the v4l2 devices: Inappropriate ioctl for device",
    ],
    [
      `${header}Cannot list sources. Not implemented.\n`,
      "ffmpeg cannot list the v4l2 devices: Not implemented",
    ],
  ];
  for (const [output, message] of cases) {
    assert.throws(() => parseV4l2Sources(output), { message }, JSON.stringify(output));
  }
});

Deno.test("listCameras() throws FfmpegNotFoundError without ffmpeg", async () => {
  for (const os of ["linux", "windows", "darwin"] as const) {
    await assert.rejects(listCameras({ ffmpeg: "/nonexistent/ffmpeg", os }), (error) => {
      assert.ok(error instanceof FfmpegNotFoundError);
      assert.match(
        error.message,
        /^ffmpeg not found at "\/nonexistent\/ffmpeg": correct that path/,
      );
      return true;
    });
  }
});

Deno.test("listCameras() asks ffmpeg for the device list on Windows and macOS", async () => {
  // A stand-in ffmpeg that prints a device list for the input format it is given, then fails.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/dshow.txt`, DSHOW_5);
    await Deno.writeTextFile(`${dir}/avfoundation.txt`, AVFOUNDATION_6);
    const ffmpeg = `${dir}/ffmpeg`;
    await Deno.writeTextFile(
      ffmpeg,
      `#!/bin/sh\nwhile [ "$1" != "-f" ]; do shift; done\ncat "${dir}/$2.txt" >&2\nexit 1\n`,
    );
    await Deno.chmod(ffmpeg, 0o755);
    assert.deepEqual(await listCameras({ ffmpeg, os: "windows" }), [
      { id: "Integrated Camera", name: "Integrated Camera" },
      { id: "Cam Link 4K", name: "Cam Link 4K" },
    ]);
    assert.deepEqual(await listCameras({ ffmpeg, os: "darwin" }), [
      { id: "0", name: "FaceTime HD Camera" },
      { id: "1", name: "Jane's iPhone Camera" },
      { id: "2", name: "Capture screen 0" },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listCameras() asks ffmpeg for its v4l2 sources on Linux, for --source camera:ID", async () => {
  // A stand-in ffmpeg that lists on stdout only when asked exactly that, with noise on stderr.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/v4l2.txt`, V4L2_5);
    const ffmpeg = `${dir}/ffmpeg`;
    await Deno.writeTextFile(
      ffmpeg,
      `#!/bin/sh\necho "[video4linux2,v4l2 @ 0x55d0] warning" >&2\n` +
        `[ "$*" = "-hide_banner -nostdin -sources v4l2" ] || exit 9\ncat "${dir}/v4l2.txt"\n`,
    );
    await Deno.chmod(ffmpeg, 0o755);
    const cameras = await listCameras({ ffmpeg, os: "linux" });
    assert.deepEqual(cameras.map((camera) => camera.id), ["0", "1", "2"]);
    for (const camera of cameras) {
      const args = ffmpegArgs(parseSourceSpec(`camera:${camera.id}`), {
        os: "linux",
        quality: 80,
      });
      assert.equal(args[args.indexOf("-i") + 1], `/dev/video${camera.id}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listCameras() says so when ffmpeg cannot list v4l2 devices", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ffmpeg = `${dir}/ffmpeg`;
    await Deno.writeTextFile(ffmpeg, "#!/bin/sh\nexit 0\n");
    await Deno.chmod(ffmpeg, 0o755);
    await assert.rejects(listCameras({ ffmpeg, os: "linux" }), {
      message: "ffmpeg has no v4l2 input to list the cameras with",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resolveCamera() picks by id, name or index, or the first", () => {
  const cameras = [
    { id: "Integrated Camera", name: "Integrated Camera" },
    { id: "Cam Link 4K", name: "Cam Link 4K" },
  ];
  assert.equal(resolveCamera(cameras).name, "Integrated Camera");
  assert.equal(resolveCamera(cameras, "1").name, "Cam Link 4K");
  assert.equal(resolveCamera(cameras, "Cam Link 4K").name, "Cam Link 4K");
  assert.throws(() => resolveCamera(cameras, "2"), {
    name: "RangeError",
    message:
      'No camera "2": there are Integrated Camera (Integrated Camera), Cam Link 4K (Cam Link 4K)',
  });
  assert.throws(() => resolveCamera([]), {
    name: "RangeError",
    message: "No camera found: there are none",
  });
});
