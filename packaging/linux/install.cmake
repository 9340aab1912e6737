# SPDX-License-Identifier: GPL-3.0-or-later
# Linux: the programs in bin, desktop integration (a .desktop file, SVG and PNG icons in the
# hicolor theme, AppStream metainfo), man pages, the Debian changelog and copyright, and the
# example workspace; CPack makes a .deb (dependencies from dpkg-shlibdeps) and a .tar.gz.
install(TARGETS wirescope wirescope-cli RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")

# Icons: the SVG, and PNGs rendered from it at build time by Qt's SVG renderer.
add_executable(wirescope-iconrender "${CMAKE_CURRENT_LIST_DIR}/../iconrender.cpp")
target_link_libraries(wirescope-iconrender PRIVATE Qt6::Gui Qt6::Svg)
set(icon_sizes 16 24 32 48 64 128 256)
set(icon_dir "${CMAKE_CURRENT_BINARY_DIR}/icons")
set(icon_pngs)
foreach(size IN LISTS icon_sizes)
  list(APPEND icon_pngs "${icon_dir}/${size}x${size}/apps/${WIRESCOPE_APP_ID}.png")
endforeach()
add_custom_command(OUTPUT ${icon_pngs}
  COMMAND "${CMAKE_COMMAND}" -E env QT_QPA_PLATFORM=offscreen $<TARGET_FILE:wirescope-iconrender>
          "${PROJECT_SOURCE_DIR}/resources/icons/wirescope.svg" "${icon_dir}" "${WIRESCOPE_APP_ID}" ${icon_sizes}
  DEPENDS wirescope-iconrender "${PROJECT_SOURCE_DIR}/resources/icons/wirescope.svg"
  COMMENT "Rendering the application icon")
install(FILES "${PROJECT_SOURCE_DIR}/resources/icons/wirescope.svg"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps" RENAME "${WIRESCOPE_APP_ID}.svg")
foreach(size IN LISTS icon_sizes)
  install(FILES "${icon_dir}/${size}x${size}/apps/${WIRESCOPE_APP_ID}.png"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps")
endforeach()

install(FILES "${CMAKE_CURRENT_LIST_DIR}/${WIRESCOPE_APP_ID}.desktop" DESTINATION "${CMAKE_INSTALL_DATADIR}/applications")

# AppStream metainfo: the release date is the day of the commit built (stable across rebuilds).
find_package(Git QUIET)
set(WIRESCOPE_RELEASE_DATE "")
set(release_epoch "")
if(GIT_FOUND)
  execute_process(COMMAND "${GIT_EXECUTABLE}" log -1 --format=%cs WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
                  OUTPUT_VARIABLE WIRESCOPE_RELEASE_DATE OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  execute_process(COMMAND "${GIT_EXECUTABLE}" log -1 --format=%ct WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
                  OUTPUT_VARIABLE release_epoch OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
if(NOT WIRESCOPE_RELEASE_DATE)
  string(TIMESTAMP WIRESCOPE_RELEASE_DATE "%Y-%m-%d" UTC)
  string(TIMESTAMP release_epoch "%s" UTC)
endif()
set(WIRESCOPE_METAINFO_URLS "")
if(WIRESCOPE_PUBLIC_URL)
  string(CONCAT WIRESCOPE_METAINFO_URLS
    "  <url type=\"homepage\">${WIRESCOPE_PUBLIC_URL}</url>\n"
    "  <screenshots>\n"
    "    <screenshot type=\"default\">\n"
    "      <caption>A saved request sent in its environment, with the response and the call's timeline</caption>\n"
    "      <image>${WIRESCOPE_PUBLIC_URL}/docs/screenshot.png</image>\n"
    "    </screenshot>\n"
    "  </screenshots>")
endif()
configure_file("${CMAKE_CURRENT_LIST_DIR}/${WIRESCOPE_APP_ID}.metainfo.xml.in"
               "${CMAKE_CURRENT_BINARY_DIR}/${WIRESCOPE_APP_ID}.metainfo.xml" @ONLY)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/${WIRESCOPE_APP_ID}.metainfo.xml"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/metainfo")

# Man pages and the Debian changelog, compressed without timestamps (reproducible, lintian).
find_program(WIRESCOPE_GZIP gzip REQUIRED)
set(CPACK_DEBIAN_PACKAGE_VERSION "${PROJECT_VERSION}")
execute_process(COMMAND date -R -u -d "@${release_epoch}" OUTPUT_VARIABLE WIRESCOPE_CHANGELOG_DATE
                OUTPUT_STRIP_TRAILING_WHITESPACE)
configure_file("${CMAKE_CURRENT_LIST_DIR}/changelog.in" "${CMAKE_CURRENT_BINARY_DIR}/changelog" @ONLY)
set(gz_outputs)
foreach(source IN ITEMS "${CMAKE_CURRENT_LIST_DIR}/wirescope.1" "${CMAKE_CURRENT_LIST_DIR}/wirescope-cli.1"
                        "${CMAKE_CURRENT_BINARY_DIR}/changelog")
  get_filename_component(name "${source}" NAME)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/gz/${name}.gz")
  add_custom_command(OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${CMAKE_CURRENT_BINARY_DIR}/gz"
    COMMAND "${WIRESCOPE_GZIP}" -9 -n -c "${source}" > "${out}"
    DEPENDS "${source}" VERBATIM)
  list(APPEND gz_outputs "${out}")
endforeach()
add_custom_target(wirescope-packaging-files ALL DEPENDS ${icon_pngs} ${gz_outputs})
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/gz/wirescope.1.gz" "${CMAKE_CURRENT_BINARY_DIR}/gz/wirescope-cli.1.gz"
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
install(FILES "${CMAKE_CURRENT_LIST_DIR}/copyright" "${CMAKE_CURRENT_BINARY_DIR}/gz/changelog.gz"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/wirescope")

# The example workspace that `wirescope-cli run` runs green against `wirescope-cli demo`.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/resources/examples/demo-workspace"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/wirescope/examples" PATTERN ".wirescope" EXCLUDE)

set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_WIRESCOPE_LICENSE_FILE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_PRE_BUILD_SCRIPTS "${CMAKE_CURRENT_LIST_DIR}/tarball-licence.cmake")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "devel")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${WIRESCOPE_PUBLIC_URL}")
# Secrets go to a Secret Service keychain when there is one (without, they stay in the session).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnome-keyring")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
