// SPDX-License-Identifier: GPL-3.0-or-later
// What rpc/internal/reflectiondb.cpp and rpc/internal/reflectiondb_link.cpp share: qualified
// names and the types of the built-in files. Private to those two files.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>

namespace rpc::internal {

// Unnamed as when it lived in reflectiondb.cpp, so each .cpp has its own; inline, so a file
// that includes this and does not use it is not warned about it.
namespace {

inline std::string qualified(const std::string &scope, const std::string &name)
{
    return scope.empty() ? name : scope + '.' + name;
}

} // namespace

// The built-in well-known and google.rpc files: their message and enum types by full name.
struct Builtins
{
    std::map<std::string, std::pair<std::string, bool>> types; // name -> (file, isEnum)
    std::set<std::string> files;
};

// Made on first use (in reflectiondb.cpp); one for the whole process.
const Builtins &builtins();

} // namespace rpc::internal
