import assert from "node:assert/strict";
import {
  describeFfmpegBuild,
  type FfmpegBuild,
  FfmpegTooOldError,
  parseFfmpegBuild,
  passthroughArgs,
  probeFfmpegBuild,
} from "../../lib/ffmpeg/ffmpeg_build.ts";
import { ffmpegArgs } from "../../lib/capture/ffmpeg_args.ts";
import { FfmpegNotFoundError } from "../../lib/ffmpeg/ffmpeg_not_found_error.ts";
import { recordArgs } from "../../lib/record/record_args.ts";
import { SourceError } from "../../lib/ffmpeg/source_error.ts";
import { oldFfmpeg } from "../_old_ffmpeg.ts";

/** The first lines of `ffmpeg -hide_banner -version`, by build. */
const OUTPUTS = {
  // Debian 12's, as this machine prints it.
  debian12: "ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers\n" +
    "built with gcc 12 (Debian 12.2.0-14+deb12u1)\n" +
    "libavutil      57. 28.100 / 57. 28.100\n" +
    "libavformat    59. 27.100 / 59. 27.100\n",
  // The static 4.1 from npm, as it prints it.
  static41: "ffmpeg version N-47683-g0e8eb07980-static https://johnvansickle.com/ffmpeg/  " +
    "Copyright (c) 2000-2018 the FFmpeg developers\n" +
    "libavutil      56. 24.101 / 56. 24.101\n" +
    "libavformat    58. 24.100 / 58. 24.100\n",
  // Written by hand from Ubuntu 22.04's and a Windows build's release notes.
  ubuntu2204:
    "ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright (c) 2000-2021 the FFmpeg developers\n" +
    "libavformat    58. 76.100 / 58. 76.100\n",
  gyan:
    "ffmpeg version 2023-05-04-git-4006c71d19-full_build-www.gyan.dev Copyright (c) 2000-2023\n" +
    "libavformat    60.  5.100 / 60.  5.100\n",
  ubuntu1804: "ffmpeg version 3.4.11-0ubuntu0.1 Copyright (c) 2000-2022 the FFmpeg developers\n" +
    "libavformat    57. 83.100 / 57. 83.100\n",
};

Deno.test("parseFfmpegBuild() reads the version and libavformat's, and describeFfmpegBuild() names the release", () => {
  const cases: Array<[string, string, [number, number], string]> = [
    [OUTPUTS.debian12, "5.1.9-0+deb12u1", [59, 27], "5.1.9-0+deb12u1"],
    [
      OUTPUTS.static41,
      "N-47683-g0e8eb07980-static",
      [58, 24],
      "N-47683-g0e8eb07980-static (as ffmpeg 4.1)",
    ],
    [OUTPUTS.ubuntu2204, "4.4.2-0ubuntu0.22.04.1", [58, 76], "4.4.2-0ubuntu0.22.04.1"],
    [
      OUTPUTS.gyan,
      "2023-05-04-git-4006c71d19-full_build-www.gyan.dev",
      [60, 5],
      "2023-05-04-git-4006c71d19-full_build-www.gyan.dev (as ffmpeg 6.0)",
    ],
    [OUTPUTS.ubuntu1804, "3.4.11-0ubuntu0.1", [57, 83], "3.4.11-0ubuntu0.1"],
  ];
  for (const [output, version, libavformat, described] of cases) {
    const build = parseFfmpegBuild(output);
    assert.deepEqual(build, { version, libavformat });
    assert.equal(describeFfmpegBuild(build!), described);
  }
  assert.equal(parseFfmpegBuild(""), undefined);
  assert.equal(parseFfmpegBuild("ffmpeg version 6.0\n"), undefined, "no libavformat line");
});

Deno.test("passthroughArgs() gives -fps_mode from ffmpeg 5.1 on and -vsync before, and the args builders follow it", () => {
  const newest = parseFfmpegBuild(OUTPUTS.debian12)!;
  const old = parseFfmpegBuild(OUTPUTS.static41)!;
  const ubuntu = parseFfmpegBuild(OUTPUTS.ubuntu2204)!;
  assert.deepEqual(passthroughArgs(undefined), ["-fps_mode", "passthrough"]);
  assert.deepEqual(passthroughArgs(newest), ["-fps_mode", "passthrough"]);
  assert.deepEqual(passthroughArgs(parseFfmpegBuild(OUTPUTS.gyan)!), ["-fps_mode", "passthrough"]);
  assert.deepEqual(passthroughArgs(old), ["-vsync", "passthrough"]);
  assert.deepEqual(passthroughArgs(ubuntu), ["-vsync", "passthrough"]);
  const file = { kind: "file" as const, path: "clip.mp4" };
  const cases: Array<[FfmpegBuild, string, string]> = [
    [old, "-vsync", "-fps_mode"],
    [newest, "-fps_mode", "-vsync"],
  ];
  for (const [build, option, absent] of cases) {
    const sender = ffmpegArgs(file, { os: "linux", quality: 80, build });
    for (
      const args of [
        sender,
        recordArgs("cam.mkv", { build }),
        recordArgs("cam.mkv", { segments: true, build }),
      ]
    ) {
      assert.equal(args[args.indexOf(option) + 1], "passthrough");
      assert.ok(!args.includes(absent), `${absent} in ${args.join(" ")}`);
    }
  }
});

Deno.test("probeFfmpegBuild() asks the ffmpeg itself: this machine's and the 4.1 from npm", async () => {
  const system = await probeFfmpegBuild("ffmpeg");
  assert.ok(system !== undefined);
  assert.deepEqual(passthroughArgs(system), ["-fps_mode", "passthrough"]);
  const old = await probeFfmpegBuild(oldFfmpeg());
  assert.ok(old !== undefined);
  assert.deepEqual(old.libavformat, [58, 24]);
  assert.equal(describeFfmpegBuild(old), "N-47683-g0e8eb07980-static (as ffmpeg 4.1)");
  assert.deepEqual(passthroughArgs(old), ["-vsync", "passthrough"]);
});

Deno.test("probeFfmpegBuild() refuses an ffmpeg older than 4.1 in one line, and a missing one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A program that says what Ubuntu 18.04's ffmpeg 3.4 says.
    const old = `${dir}/ffmpeg`;
    await Deno.writeTextFile(old, `#!/bin/sh\nprintf '%s' '${OUTPUTS.ubuntu1804}'\n`);
    await Deno.chmod(old, 0o755);
    const error = await probeFfmpegBuild(old, "linux").then(() => undefined, (e) => e);
    assert.ok(error instanceof FfmpegTooOldError && error instanceof SourceError, String(error));
    assert.equal(
      error.message,
      `the ffmpeg at "${old}" is 3.4.11-0ubuntu0.1, and udpcam needs 4.1 or newer: install ` +
        "one with sudo apt install ffmpeg (or sudo dnf install ffmpeg, sudo pacman -S ffmpeg), " +
        "or pass a newer one with --ffmpeg PATH",
    );
    await assert.rejects(probeFfmpegBuild(`${dir}/none`), FfmpegNotFoundError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
