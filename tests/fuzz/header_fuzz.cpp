// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the checks that stand between what a user types as a header, authority or
// target and gRPC core, which aborts the process on metadata it finds invalid:
// - whatever rpc::headerProblem accepts, gRPC core's own validators accept too (the property
//   that keeps a call from aborting), and the same for rpc::authorityProblem (the :authority
//   value);
// - wirescope-cli's -H parsing (cli::parseHeaders) gives headers that, written back as
//   "name: value" lines (-bin values in base64), parse to the same headers;
// - a header typed in the window or a request file (models::metadataEntry) becomes the same bytes
//   as the same header given to wirescope-cli -H, or both refuse it;
// - base64 is decoded only when it is base64 (see checkBase64).
// Built and run by scripts/fuzz.sh.
#include "common.h"

#include "models/callrequest.h"
#include "rpc/jsonutil.h"
#include "rpc/types.h"

#include <fuzzer/FuzzedDataProvider.h>
#include <grpc/grpc.h>
#include <grpc/slice.h>

#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const char *what, const std::string &a, const std::string &b = {})
{
    std::fprintf(stderr, "%s\n  [%s]\n  [%s]\n", what, a.c_str(), b.c_str());
    std::abort();
}

bool grpcAccepts(int (*check)(grpc_slice), const std::string &text)
{
    const grpc_slice slice = grpc_slice_from_copied_buffer(text.data(), text.size());
    const bool ok = check(slice) != 0;
    grpc_slice_unref(slice);
    return ok;
}

bool isBinaryForGrpc(const std::string &name)
{
    const grpc_slice slice = grpc_slice_from_copied_buffer(name.data(), name.size());
    const bool binary = grpc_is_binary_header(slice) != 0;
    grpc_slice_unref(slice);
    return binary;
}

void checkHeader(const std::string &name, const std::string &value)
{
    if (!rpc::headerProblem(name, value).empty())
        return;
    if (!grpcAccepts(grpc_header_key_is_legal, name))
        fail("headerProblem accepted a name gRPC core refuses", name);
    if (!isBinaryForGrpc(name) && !grpcAccepts(grpc_header_nonbin_value_is_legal, value))
        fail("headerProblem accepted a value gRPC core refuses", name, value);
}

std::string trimmed(const std::string &s)
{
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

bool isBinaryName(const std::string &name)
{
    return name.size() > 4 && name.compare(name.size() - 4, 4, "-bin") == 0;
}

// A "-bin" value (and a JSON bytes field) is read only when it is base64: what the decoder
// accepts must encode back to text of the same length, the same but for the alphabet (standard
// or URL-safe), the padding and the unused low bits of the last character. Trailing text or a
// lone last character read as nothing sent other bytes than the user typed, where grpcurl
// refuses the value.
void checkBase64(const std::string &text)
{
    std::string bytes;
    if (!rpc::base64Decode(text, &bytes))
        return;
    std::string canonical = text;
    for (char &c : canonical)
        c = c == '-' ? '+' : c == '_' ? '/' : c;
    while (!canonical.empty() && canonical.back() == '=')
        canonical.pop_back();
    std::string again = rpc::base64Encode(bytes);
    while (!again.empty() && again.back() == '=')
        again.pop_back();
    if (again.size() != canonical.size() ||
        (!again.empty() && again.compare(0, again.size() - 1, canonical, 0, again.size() - 1) != 0))
        fail("base64Decode accepted text that is not base64", text, again);
}

// -H lines through the CLI, then written back and parsed again.
void checkCliHeaders(const std::vector<std::string> &lines)
{
    rpc::Metadata parsed;
    std::string error;
    if (!cli::parseHeaders(lines, &parsed, &error)) {
        if (error.empty())
            fail("parseHeaders refused without saying why", lines.empty() ? std::string() : lines.front());
        return;
    }
    std::vector<std::string> again;
    for (const auto &[name, value] : parsed) {
        checkHeader(name, value);
        again.push_back(name + ": " + (isBinaryName(name) ? rpc::base64Encode(value) : value));
    }
    rpc::Metadata reparsed;
    if (!cli::parseHeaders(again, &reparsed, &error))
        fail("a header parseHeaders gave does not parse again", again.front(), error);
    if (reparsed != parsed)
        fail("a header parseHeaders gave parses again to another header", again.front());
}

// The same name and value as a window or request-file entry and as a -H line.
void checkSameAsCli(const std::string &name, const std::string &value)
{
    // A -H line splits at the first ':' and trims: only names and values it can carry compare.
    if (name.empty() || name.find(':') != std::string::npos || name.find('\n') != std::string::npos ||
        value.find('\n') != std::string::npos || trimmed(name) != name || trimmed(value) != value)
        return;
    const QString qName = QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
    const QString qValue = QString::fromUtf8(value.data(), static_cast<qsizetype>(value.size()));
    if (qName.toStdString() != name || qValue.toStdString() != value)
        return; // not UTF-8: a QString cannot hold these bytes
    const auto header = models::metadataEntry(qName, qValue);
    std::string modelsProblem =
        header ? rpc::headerProblem(header->first, header->second) : header.errorMessage().toStdString();

    rpc::Metadata cli;
    std::string cliProblem;
    cli::parseHeaders({name + ": " + value}, &cli, &cliProblem);
    if (modelsProblem.empty() != cliProblem.empty())
        fail(modelsProblem.empty() ? "the window sends a header wirescope-cli -H refuses"
                                   : "wirescope-cli -H sends a header the window refuses",
             name + ": " + value, modelsProblem.empty() ? cliProblem : modelsProblem);
    if (modelsProblem.empty() && (cli.size() != 1 || cli.front() != *header))
        fail("the window and wirescope-cli -H send different bytes for one header", name + ": " + value);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    FuzzedDataProvider input(data, size);
    const std::string name = input.ConsumeRandomLengthString(64);
    const std::string value = input.ConsumeRandomLengthString(256);
    const std::string rest = input.ConsumeRemainingBytesAsString();

    checkHeader(name, value);
    checkSameAsCli(name, value);
    checkBase64(value);
    for (const std::string &text : {name, value, rest}) {
        if (rpc::authorityProblem(text).empty() && !grpcAccepts(grpc_header_nonbin_value_is_legal, text))
            fail("authorityProblem accepted an authority gRPC core refuses", text);
        (void)rpc::targetProblem(text);
    }
    rpc::Metadata metadata{{name, value}};
    if (rpc::metadataProblem(metadata).empty() != rpc::headerProblem(name, value).empty())
        fail("metadataProblem and headerProblem disagree", name, value);

    // The rest: -H lines, one per line.
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= rest.size() && lines.size() < 16) {
        const auto end = rest.find('\n', start);
        lines.push_back(rest.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    checkCliHeaders(lines);
    return 0;
}
