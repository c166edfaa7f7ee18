#!/usr/bin/env bash
# Installs what udpcam needs and is missing, then puts Deno on PATH:
#   source scripts/setup.sh [deno|all]
#   deno: Deno from npm, into .deno/ (the demo needs nothing else)
#   all:  also ffmpeg and Chromium from apt (the tests need them)
set -euo pipefail
DENO_VERSION=2.9.6
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
what=${1:-deno}

if ! command -v deno >/dev/null 2>&1 || ! deno --version | grep -q "^deno ${DENO_VERSION} "; then
  if [ ! -x "$root/.deno/bin/deno" ] || ! "$root/.deno/bin/deno" --version | grep -q "^deno ${DENO_VERSION} "; then
    echo "Installing Deno ${DENO_VERSION} from npm into .deno/" >&2
    npm install --global --prefix "$root/.deno" --no-audit --no-fund --loglevel=error "deno@${DENO_VERSION}" >&2
  fi
  export PATH="$root/.deno/bin:$PATH"
fi

if [ "$what" = all ]; then
  missing=()
  command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
  command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} from apt" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
fi
