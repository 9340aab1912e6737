# SPDX-License-Identifier: GPL-3.0-or-later
# CPack pre-build script: puts LICENSE at the top of the .tar.gz. The .deb does not get it: Debian
# keeps licence texts in /usr/share/common-licenses, which its copyright file points to.
if(CPACK_GENERATOR STREQUAL "TGZ")
  file(COPY "${CPACK_WIRESCOPE_LICENSE_FILE}" DESTINATION "${CPACK_TEMPORARY_DIRECTORY}")
endif()
