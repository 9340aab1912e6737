// SPDX-License-Identifier: GPL-3.0-or-later
// The libraries under the engine, for the About box. Versions are asked of the libraries at run
// time where they offer a call (the packaged library may be newer than the headers built with);
// licences are those Debian's copyright files give for the libraries' own sources.
#include "rpc/types.h"

#include <absl/base/config.h>
#include <curl/curl.h>
#include <nghttp2/nghttp2.h>
#include <openssl/crypto.h>

#include <string_view>

namespace rpc {

namespace {
// OpenSSL_version(OPENSSL_VERSION) reads "OpenSSL 3.0.15 3 Sep 2024": the second word.
std::string openSslVersion()
{
    const std::string_view full = OpenSSL_version(OPENSSL_VERSION);
    const auto start = full.find(' ');
    if (start == std::string_view::npos)
        return std::string(full);
    const auto end = full.find(' ', start + 1);
    return std::string(full.substr(start + 1, end == std::string_view::npos ? end : end - start - 1));
}
} // namespace

std::vector<LibraryInfo> engineLibraries()
{
    const nghttp2_info *h2 = nghttp2_version(0);
    const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
    return {
        {"gRPC", grpcVersion(), "Apache-2.0", "calls, channels, TLS, reflection"},
        {"Protocol Buffers", protobufVersion(), "BSD-3-Clause",
         "schemas, messages, JSON; built-in well-known types"},
        {"Abseil", std::to_string(ABSL_LTS_RELEASE_VERSION), "Apache-2.0", "used by gRPC and protobuf"},
        {"c-ares", {}, "MIT", "name resolution, used by gRPC"},
        {"RE2", {}, "BSD-3-Clause", "used by gRPC"},
        {"zlib", {}, "Zlib", "gzip compression, used by gRPC"},
        {"nghttp2", h2 ? h2->version_str : "", "MIT", "the wire view's HTTP/2 frame decoder"},
        {"OpenSSL", openSslVersion(), "Apache-2.0", "TLS, in gRPC, libcurl and the wire tap"},
        {"libcurl", curl && curl->version ? curl->version : "", "curl",
         "gRPC-Web and Connect calls over HTTP/1.1 and HTTP/2"},
    };
}

} // namespace rpc
