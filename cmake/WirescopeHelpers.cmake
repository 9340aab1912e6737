# SPDX-License-Identifier: GPL-3.0-or-later
# wirescope_precompile(<target> <headers...>): precompiled headers for <target> (PRIVATE), when
# WIRESCOPE_PCH is on. wirescope_precompile(<target> REUSE_FROM <other>) shares <other>'s, for
# targets built with the same flags (the test suites of one kind).
function(wirescope_precompile target)
  if(NOT WIRESCOPE_PCH)
    return()
  endif()
  if(ARGV1 STREQUAL "REUSE_FROM")
    target_precompile_headers(${target} REUSE_FROM ${ARGV2})
  else()
    target_precompile_headers(${target} PRIVATE ${ARGN})
  endif()
endfunction()

# wirescope_embed_files(<out.cpp> <symbol> <base-dir> <relative files...>)
# Writes a C++ source that defines `<symbol>` as a table of {relative name, contents}
# so the program carries these files inside the binary instead of reading them at run time.
function(wirescope_embed_files out symbol)
  set(options)
  set(multi FILES)
  cmake_parse_arguments(ARG "${options}" "" "${multi}" ${ARGN})
  set(deps)
  set(specs)
  foreach(spec IN LISTS ARG_FILES)
    # each spec is "<name as seen by importers>=<absolute path>"
    string(REPLACE "=" ";" parts "${spec}")
    list(GET parts 1 path)
    list(APPEND deps "${path}")
    list(APPEND specs "${spec}")
  endforeach()
  string(REPLACE ";" "|" joined "${specs}")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} "-DOUT=${out}" "-DSYMBOL=${symbol}" "-DSPECS=${joined}"
            -P "${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake"
    DEPENDS ${deps} "${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake"
    COMMENT "Embedding ${symbol}"
    VERBATIM)
endfunction()

# wirescope_grpc_cpp(<target> <proto-root> <protos...>): generates C++ messages and gRPC
# services for protos that may live outside the source tree (protobuf_generate cannot).
function(wirescope_grpc_cpp target root)
  set(outdir "${CMAKE_CURRENT_BINARY_DIR}/gen")
  file(MAKE_DIRECTORY "${outdir}")
  set(srcs)
  foreach(proto IN LISTS ARGN)
    string(REGEX REPLACE "\\.proto$" "" stem "${proto}")
    set(gen "${outdir}/${stem}.pb.cc" "${outdir}/${stem}.pb.h"
            "${outdir}/${stem}.grpc.pb.cc" "${outdir}/${stem}.grpc.pb.h")
    add_custom_command(
      OUTPUT ${gen}
      COMMAND protobuf::protoc "--proto_path=${root}" "--cpp_out=${outdir}" "--grpc_out=${outdir}"
              "--plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>" "${root}/${proto}"
      DEPENDS "${root}/${proto}" protobuf::protoc gRPC::grpc_cpp_plugin
      VERBATIM)
    list(APPEND srcs ${gen})
  endforeach()
  target_sources(${target} PRIVATE ${srcs})
  target_include_directories(${target} PUBLIC "${outdir}")
endfunction()

# A layer's public headers (DIR/*.h, not its subfolders) linked into one include tree in the
# build folder, which TARGET offers its users instead of the source root: what is above rpc/
# can include "rpc/engine.h" but finds no "rpc/internal/…" (issue 19). Links of headers that
# are gone are removed; a new header reaches the tree at the next configure, which the glob
# triggers.
set(WIRESCOPE_PUBLIC_INCLUDE "${PROJECT_BINARY_DIR}/include")
function(wirescope_public_headers target dir)
  set(tree "${WIRESCOPE_PUBLIC_INCLUDE}/${dir}")
  file(GLOB stale LIST_DIRECTORIES false "${tree}/*.h")
  if(stale)
    file(REMOVE ${stale})
  endif()
  file(MAKE_DIRECTORY "${tree}")
  file(GLOB headers CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/${dir}/*.h")
  # NAME_p.h is private to the .cpp files next to it (Qt's convention): not offered to users.
  list(FILTER headers EXCLUDE REGEX "_p\\.h$")
  foreach(header IN LISTS headers)
    get_filename_component(name "${header}" NAME)
    file(CREATE_LINK "${header}" "${tree}/${name}" SYMBOLIC)
  endforeach()
  target_include_directories(${target} PUBLIC "${WIRESCOPE_PUBLIC_INCLUDE}")
endfunction()
