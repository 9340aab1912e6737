#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the .deb and .tar.gz from a configured build folder, checks them, installs the .deb
# and tries the installed programs the way a user would. Exits non-zero on the first failure.
#   scripts/package.sh [BUILD_DIR]     (default: build; scripts/setup.sh test runs this)
# Checks: desktop-file-validate, appstreamcli validate, lintian (errors fail), the tarball's
# contents; then, installed: --version of both programs, wirescope-cli against the demo service
# served by the installed wirescope-cli, the example workspace run green, and the installed GUI
# started offscreen on its demo, sending a request. Every installed program runs under strace:
# a file opened from the source or build tree, or from /usr/include, fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
src=$PWD
buildAbs=$(cd "$build" && pwd)
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
work=$(mktemp -d)
demo_pid=""
gui_pid=""
stop() { # the program strace runs as $1 (strace itself waits for it), then strace
  pkill -TERM -P "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  [ -z "$demo_pid" ] || stop "$demo_pid"
  [ -z "$gui_pid" ] || stop "$gui_pid"
  rm -rf "$work"
}
trap cleanup EXIT
step() { echo "package: $*"; }
fail() { echo "package: FAILED: $*" >&2; exit 1; }

step "building the packages"
rm -f "$build"/wirescope_*.deb "$build"/wirescope-*.tar.gz
(cd "$build" && cpack >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$build"/wirescope_*_*.deb)
tgz=$(ls "$build"/wirescope-*.tar.gz)
step "made $(basename "$deb") and $(basename "$tgz")"

step "validating"
mkdir -p "$work/deb"
dpkg-deb -x "$deb" "$work/deb"
desktop-file-validate "$work"/deb/usr/share/applications/*.desktop || fail "desktop-file-validate"
appstreamcli validate --no-net "$work"/deb/usr/share/metainfo/*.metainfo.xml || fail "appstreamcli validate"
# lintian refuses nothing as root but says so; its errors (not warnings) fail the run.
lintian --fail-on error "$deb" 2>&1 | grep -v '^running with root privileges' || true
lintian --fail-on error "$deb" >/dev/null 2>&1 || fail "lintian reports errors"
tar -tzf "$tgz" >"$work/tgz.list"
for f in bin/wirescope bin/wirescope-cli share/applications/org.wirescope.Wirescope.desktop \
         share/man/man1/wirescope.1.gz share/metainfo/org.wirescope.Wirescope.metainfo.xml; do
  grep -q "/$f\$" "$work/tgz.list" || fail "the tarball has no $f"
done
tar -xzf "$tgz" -C "$work" --wildcards '*/LICENSE'
cmp -s "$work"/wirescope-*/LICENSE LICENSE || fail "the tarball's LICENSE is not the project's"

step "the licence: GPL-3.0-or-later in the copyright file and the metainfo"
copyright="$work/deb/usr/share/doc/wirescope/copyright"
grep -q '^License: GPL-3+$' "$copyright" && grep -q '/usr/share/common-licenses/GPL-3' "$copyright" ||
  fail "the .deb's copyright file does not give GPL-3+ with a pointer to the full text"
grep -q '<project_license>GPL-3.0-or-later</project_license>' "$work"/deb/usr/share/metainfo/*.metainfo.xml &&
  grep -q '<metadata_license>CC0-1.0</metadata_license>' "$work"/deb/usr/share/metainfo/*.metainfo.xml ||
  fail "the metainfo does not give the project and metadata licences"

step "installing $(basename "$deb")"
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  --reinstall "$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")" >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log"; fail "apt-get install"; }
[ "$(command -v wirescope)" = /usr/bin/wirescope ] || fail "wirescope is not /usr/bin/wirescope"
cd "$work" # nothing relative to the source tree either

traced() { # log-name, command... : runs it under strace, recording every file it touches
  local log="$work/strace.$1"; shift
  strace -f -qq -e trace=%file -o "$log" "$@"
}

step "versions"
traced version-cli /usr/bin/wirescope-cli --version | tee "$work/v1"
traced version-gui env -u DISPLAY -u WAYLAND_DISPLAY /usr/bin/wirescope --version | tee "$work/v2"
grep -q 'gRPC' "$work/v1" && grep -q 'Qt ' "$work/v2" || fail "--version does not name the libraries"

step "wirescope-cli against the demo service of the installed program"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# strace itself in the background (not a function's subshell): killing it ends the demo too.
strace -f -qq -e trace=%file -o "$work/strace.demo" /usr/bin/wirescope-cli demo --listen "127.0.0.1:$port" \
  >"$work/demo.out" 2>&1 &
demo_pid=$!
for _ in $(seq 100); do grep -q listening "$work/demo.out" && break; sleep 0.1; done
grep -q listening "$work/demo.out" || { cat "$work/demo.out"; fail "the demo service did not start"; }
traced list /usr/bin/wirescope-cli -plaintext "127.0.0.1:$port" list | tee "$work/list"
grep -q wirescope.demo.v1.WeatherService "$work/list" || fail "list"
traced call /usr/bin/wirescope-cli -plaintext -d '{"city": "Oslo", "days": 2}' "127.0.0.1:$port" \
  wirescope.demo.v1.WeatherService/GetForecast >"$work/call"
grep -q '"city": "Oslo"' "$work/call" || { cat "$work/call"; fail "the call"; }
cp -r /usr/share/wirescope/examples/demo-workspace "$work/ws"
traced run /usr/bin/wirescope-cli run "$work/ws" --env local --var "host=127.0.0.1:$port" \
  --junit "$work/junit.xml" || fail "the example workspace did not run green"

step "the installed GUI, offscreen, on its demo service"
home="$work/home"
mkdir -p "$home/runtime" && chmod 700 "$home/runtime"
HOME="$home" XDG_RUNTIME_DIR="$home/runtime" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" \
  QT_QPA_PLATFORM=offscreen DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent \
  strace -f -qq -e trace=%file -o "$work/strace.gui" /usr/bin/wirescope --demo --send >"$work/gui.out" 2>&1 &
gui_pid=$!
history="$home/data/Wirescope/Wirescope/history.jsonl"
for _ in $(seq 300); do
  grep -q '"status_name":"OK"' "$history" 2>/dev/null && break
  kill -0 "$gui_pid" 2>/dev/null || { cat "$work/gui.out"; fail "the GUI exited"; }
  sleep 0.1
done
grep -q 'GetForecast' "$history" 2>/dev/null && grep -q '"status_name":"OK"' "$history" ||
  { cat "$work/gui.out"; fail "the GUI did not record a successful demo call"; }
stop "$gui_pid"; gui_pid=""
stop "$demo_pid"; demo_pid=""

step "nothing read from the source or build tree, or from /usr/include"
if grep -h -E "\"($src|$buildAbs|/usr/include)[/\"]" "$work"/strace.* | grep -v ENOENT | head -5 | grep .; then
  fail "the installed programs opened the files above"
fi
if grep -h -E "\"($src|$buildAbs|/usr/include)[/\"]" "$work"/strace.* | head -5 | grep .; then
  fail "the installed programs looked for the files above"
fi

step "removing the package"
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q wirescope >"$work/apt.log" 2>&1 || true
step "all checks passed"
