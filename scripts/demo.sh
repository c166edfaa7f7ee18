#!/usr/bin/env bash
# The demo on a machine with Node.js and npm: installs Deno from npm when
# missing, then runs a sender on the built-in test pattern and a receiver, and
# prints the preview's address. Needs no ffmpeg and no camera.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh deno
exec deno task demo
