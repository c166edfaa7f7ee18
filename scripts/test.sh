#!/usr/bin/env bash
# The whole gate on a fresh Debian/Ubuntu machine with Node.js and npm:
# installs Deno (npm), ffmpeg, Chromium and GStreamer (apt) when missing, then runs
# format check, lint, type check and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh all
deno task test
