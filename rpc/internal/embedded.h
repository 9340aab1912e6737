// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

// Files compiled into the binary (see cmake/EmbedFiles.cmake), so the program never needs
// the well-known .proto files or reflection schemas on disk at run time.
namespace wirescope::embedded {

struct File
{
    std::string name;     // import path, e.g. "google/protobuf/any.proto"
    std::string contents; // the .proto source text
};

// google/protobuf/*.proto and google/rpc/{status,code,error_details}.proto
std::vector<File> wellKnownProtos();

} // namespace wirescope::embedded
