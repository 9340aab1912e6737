#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages Wirescope needs to build, test and run.
# Only packages that are missing are installed; safe to run again.
set -euo pipefail

packages=(
  cmake g++ clang pkg-config ninja-build
  qt6-base-dev qt6-base-dev-tools qt6-svg-dev libqscintilla2-qt6-dev qtkeychain-qt6-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev libprotoc-dev protobuf-compiler grpc-proto
  libnghttp2-dev libssl-dev libgtest-dev
  libcurl4-openssl-dev  # gRPC-Web and Connect calls: libcurl with HTTP/2 through nghttp2
  xvfb xauth fonts-dejavu-core
  openbox  # a window manager on xvfb, for the first-paint benchmark (scripts/bench.sh)
  python3-grpcio python3-protobuf
  # tests/goserver: grpc-go built offline in GOPATH mode (protobuf's Go API v2 and its v1 shim)
  golang-go golang-google-grpc-dev golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev
  openssl
  curl  # Copy as curl: the copied command is run by the tests (webrequest_test)
  dbus gnome-keyring  # the keychain test: a private Secret Service under dbus-run-session
  dpkg-dev lintian desktop-file-utils appstream strace file  # building and checking the packages
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# The test servers from other implementations (tests/node) run on Node.js; Debian's own is
# taken only where the machine has none.
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && { echo "install-deps: all ${#packages[@]} packages present"; exit 0; }

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
