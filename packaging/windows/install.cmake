# SPDX-License-Identifier: GPL-3.0-or-later
# Windows (a recipe: not built here; see packaging/README.md). Both programs go to bin with every
# DLL they load: Qt's deployment script (windeployqt underneath) brings the Qt DLLs and plugins,
# and CMake's runtime dependency scan brings the rest (gRPC, protobuf, abseil, OpenSSL, nghttp2,
# QScintilla, QtKeychain) from the folders in WIRESCOPE_RUNTIME_DLL_DIRS (vcpkg's bin folder,
# QScintilla's and QtKeychain's install folders). CPack makes an NSIS installer with a Start
# menu entry, and a .zip.
set(WIRESCOPE_RUNTIME_DLL_DIRS "" CACHE STRING "Folders holding the DLLs of gRPC, protobuf and the other libraries")
set_target_properties(wirescope PROPERTIES WIN32_EXECUTABLE ON)
install(TARGETS wirescope wirescope-cli RUNTIME_DEPENDENCY_SET wirescope_dlls RUNTIME DESTINATION bin)
install(RUNTIME_DEPENDENCY_SET wirescope_dlls
  DESTINATION bin
  PRE_EXCLUDE_REGEXES "^api-ms-" "^ext-ms-" "^Qt6"
  POST_EXCLUDE_REGEXES ".*[Ss]ystem32/.*"
  DIRECTORIES ${WIRESCOPE_RUNTIME_DLL_DIRS})
qt_generate_deploy_app_script(TARGET wirescope OUTPUT_SCRIPT wirescope_deploy_script NO_UNSUPPORTED_PLATFORM_ERROR)
install(SCRIPT "${wirescope_deploy_script}")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/resources/examples/demo-workspace" DESTINATION examples
        PATTERN ".wirescope" EXCLUDE)
install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION . RENAME LICENSE.txt)
set(CPACK_GENERATOR "NSIS;ZIP")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "Wirescope")
set(CPACK_PACKAGE_EXECUTABLES "wirescope;Wirescope")
set(CPACK_NSIS_DISPLAY_NAME "Wirescope ${PROJECT_VERSION}")
set(CPACK_NSIS_PACKAGE_NAME "Wirescope")
set(CPACK_NSIS_MODIFY_PATH ON) # offers to put bin (wirescope-cli) on PATH
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
