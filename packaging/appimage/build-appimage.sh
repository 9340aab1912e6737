#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds Wirescope-<version>-x86_64.AppImage from a configured Linux build folder, with
# linuxdeploy and its Qt plugin (a recipe: the tools are not part of the project and are not
# fetched by it; see packaging/README.md for where they come from and what was checked).
#   LINUXDEPLOY=/path/to/linuxdeploy-x86_64.AppImage \
#   LINUXDEPLOY_PLUGIN_QT=/path/to/linuxdeploy-plugin-qt-x86_64.AppImage \
#   packaging/appimage/build-appimage.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
: "${LINUXDEPLOY:?set LINUXDEPLOY to the linuxdeploy AppImage}"
: "${LINUXDEPLOY_PLUGIN_QT:?set LINUXDEPLOY_PLUGIN_QT to the linuxdeploy Qt plugin AppImage}"

appdir=$(mktemp -d)/AppDir
trap 'rm -rf "$(dirname "$appdir")"' EXIT
cmake --build "$build"
# The same install tree as the .deb, under AppDir/usr.
DESTDIR="$appdir" cmake --install "$build" --prefix /usr --strip

# linuxdeploy finds its plugins on PATH by name.
plugins=$(mktemp -d)
ln -s "$(realpath "$LINUXDEPLOY_PLUGIN_QT")" "$plugins/linuxdeploy-plugin-qt"
export PATH="$plugins:$PATH"
export QMAKE=${QMAKE:-/usr/lib/qt6/bin/qmake}
# QtSvg is linked, so its plugins (the SVG icon engine) follow; Wayland as well as xcb.
export EXTRA_QT_MODULES="svg;"
export EXTRA_PLATFORM_PLUGINS="libqwayland-generic.so;"
export OUTPUT="Wirescope-$(sed -n 's/^project(Wirescope VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)-x86_64.AppImage"

"$LINUXDEPLOY" --appdir "$appdir" \
  --executable "$appdir/usr/bin/wirescope" --executable "$appdir/usr/bin/wirescope-cli" \
  --desktop-file "$appdir/usr/share/applications/org.wirescope.Wirescope.desktop" \
  --icon-file "$appdir/usr/share/icons/hicolor/256x256/apps/org.wirescope.Wirescope.png" \
  --plugin qt --output appimage
echo "made $OUTPUT"
