# SPDX-License-Identifier: GPL-3.0-or-later
# macOS (a recipe: not built here; see packaging/README.md). wirescope becomes Wirescope.app
# with an Info.plist; Qt's deployment script (macdeployqt underneath) copies the Qt frameworks
# and plugins into the bundle; wirescope-cli goes inside the bundle next to the GUI; CPack's
# DragNDrop generator makes the .dmg. Libraries outside Qt (gRPC, protobuf, abseil, OpenSSL,
# nghttp2, QScintilla, QtKeychain) are copied by the same script's dependency scan.
set_target_properties(wirescope PROPERTIES
  MACOSX_BUNDLE ON
  OUTPUT_NAME Wirescope
  MACOSX_BUNDLE_INFO_PLIST "${CMAKE_CURRENT_LIST_DIR}/Info.plist.in"
  MACOSX_BUNDLE_BUNDLE_NAME Wirescope
  MACOSX_BUNDLE_GUI_IDENTIFIER "${WIRESCOPE_APP_ID}"
  MACOSX_BUNDLE_BUNDLE_VERSION "${PROJECT_VERSION}"
  MACOSX_BUNDLE_SHORT_VERSION_STRING "${PROJECT_VERSION}")
install(TARGETS wirescope BUNDLE DESTINATION .)
install(TARGETS wirescope-cli RUNTIME DESTINATION Wirescope.app/Contents/MacOS)
qt_generate_deploy_app_script(TARGET wirescope OUTPUT_SCRIPT wirescope_deploy_script NO_UNSUPPORTED_PLATFORM_ERROR)
install(SCRIPT "${wirescope_deploy_script}")
install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION .)
set(CPACK_GENERATOR "DragNDrop")
set(CPACK_DMG_VOLUME_NAME "Wirescope ${PROJECT_VERSION}")
