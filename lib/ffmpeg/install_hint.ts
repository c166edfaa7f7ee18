/**
 * One line on how to install ffmpeg on an operating system, to follow "install it with".
 *
 * @param os The operating system, as in `Deno.build.os`.
 * @returns The install command, such as `brew install ffmpeg`.
 */
export function installHint(os: typeof Deno.build.os): string {
  switch (os) {
    case "linux":
      return "sudo apt install ffmpeg (or sudo dnf install ffmpeg, sudo pacman -S ffmpeg)";
    case "darwin":
      return "brew install ffmpeg";
    case "windows":
      return "winget install Gyan.FFmpeg";
    case "freebsd":
      return "sudo pkg install ffmpeg";
    default:
      return "the ffmpeg package of your system's package manager";
  }
}
