#!/usr/bin/env bash
# Sets up what tests/windows_wine_test.ts needs to run the Windows build of Deno under Wine,
# skipping what is there already (`source scripts/setup.sh all` runs it):
#   bash scripts/setup_wine.sh DENO_VERSION
# - Wine (64-bit only) and a MinGW-w64 C compiler for x86_64, from apt, without recommends
# - deno.exe (@deno/win32-x64@DENO_VERSION) and ffmpeg.exe 4.1 (@ffmpeg-installer/win32-x64), from
#   npm, into .tools/wine/deno/ and .tools/wine/ffmpeg/
# - bcryptprimitives.dll beside deno.exe, built from scripts/wine/ (what it is for: its .c file)
# - a Wine prefix in .tools/wine/prefix/, made with no display and no Mono or Gecko
# - deno.exe's cache of the tools' npm packages, in .tools/wine/deno-dir/
# tests/_wine.ts finds them at these paths and runs Wine with the same environment.
set -euo pipefail
deno_version=${1:?usage: setup_wine.sh DENO_VERSION}
FFMPEG_PACKAGE=@ffmpeg-installer/win32-x64@4.1.0
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools=$root/.tools/wine
started=$(date +%s)

# What tests/_wine.ts sets too.
export WINEPREFIX=$tools/prefix
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe,explorer.exe,winealsa.drv,winepulse.drv=d"
export DENO_DIR="Z:${tools//\//\\}\\deno-dir"
export DENO_NO_UPDATE_CHECK=1

missing=()
{ command -v wine && command -v wineserver; } >/dev/null 2>&1 || missing+=(wine wine64)
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || missing+=(gcc-mingw-w64-x86-64-win32)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} from apt" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  install() {
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >&2
  }
  # setup.sh has just updated apt's lists when it installed something itself.
  if ! apt-cache show "${missing[@]}" >/dev/null 2>&1 || ! install; then
    $sudo apt-get update -qq >&2
    install
  fi
fi

# An npm package's files, unpacked from its tarball: npm install refuses packages for another OS.
unpack() {
  local package=$1 into=$2 tarball
  echo "Downloading ${package} from npm into ${into#"$root"/}/" >&2
  rm -rf "$into"
  mkdir -p "$into"
  tarball=$(cd "$into" && npm pack --silent "$package")
  tar -xzf "$into/$tarball" -C "$into" --strip-components=1
  rm "$into/$tarball"
}
grep -qs "\"version\": \"${deno_version}\"" "$tools/deno/package.json" ||
  unpack "@deno/win32-x64@${deno_version}" "$tools/deno"
[ -f "$tools/ffmpeg/ffmpeg.exe" ] || unpack "$FFMPEG_PACKAGE" "$tools/ffmpeg"

dll=$tools/deno/bcryptprimitives.dll
source_dir=$root/scripts/wine
if [ ! -f "$dll" ] || [ "$source_dir/bcryptprimitives.c" -nt "$dll" ] ||
  [ "$source_dir/bcryptprimitives.def" -nt "$dll" ]; then
  echo "Building bcryptprimitives.dll, the stand-in deno.exe needs under Wine 8" >&2
  x86_64-w64-mingw32-gcc -O2 -s -shared -o "$dll" \
    "$source_dir/bcryptprimitives.c" "$source_dir/bcryptprimitives.def" -lbcrypt
fi

if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "Making a Wine prefix in ${WINEPREFIX#"$root"/}/" >&2
  mkdir -p "$WINEPREFIX"
  wine wineboot --init >/dev/null 2>&1
  wineserver -w
fi

# Fetched again whenever the lock file changes.
stamp=$tools/deno-dir/cached.sha256
lock=$(sha256sum "$root/deno.lock" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock" ]; then
  echo "Caching the tools' npm packages for deno.exe" >&2
  mkdir -p "$tools/deno-dir"
  (cd "$root" && wine "$tools/deno/deno.exe" cache --quiet sender.ts receiver.ts)
  wineserver -w
  echo "$lock" >"$stamp"
fi
echo "Wine is set up in .tools/wine/ ($(($(date +%s) - started)) s)" >&2
