// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for .proto text through the real schema loader (rpc::SchemaLoader, with its
// nesting and import-depth guards before libprotobuf's recursive parser). The input is up to four
// files, f0.proto … f3.proto, separated by lines holding only "%%"; they are written to a folder
// of their own and loaded as -import-path and -proto would load them. Any input must end in a
// schema or an error that says where, never a crash, a hang or a stack overflow (scripts/fuzz.sh
// runs this target with a small stack). When a schema loads, what the window does with it is
// done too: every message's example request (messageTemplate) must be valid JSON for that
// message (validateJson), encode, and decode again. Built and run by scripts/fuzz.sh.
#include "rpc/schema.h"

#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxFiles = 4;
constexpr std::size_t kMaxMessagesChecked = 32;

[[noreturn]] void fail(const char *what, const std::string &detail)
{
    std::fprintf(stderr, "%s\n%s\n", what, detail.c_str());
    std::abort();
}

const fs::path &folder()
{
    static const fs::path dir = [] {
        const char *tmp = std::getenv("TMPDIR");
        fs::path base = tmp && *tmp ? fs::path(tmp) : fs::path("/tmp");
        fs::path d = base / ("wirescope-proto-fuzz-" + std::to_string(::getpid()));
        fs::create_directories(d);
        std::atexit([] { std::error_code ec; fs::remove_all(folder(), ec); });
        return d;
    }();
    return dir;
}

std::vector<std::string_view> splitFiles(std::string_view text)
{
    std::vector<std::string_view> files;
    constexpr std::string_view kSeparator = "\n%%\n";
    while (files.size() + 1 < kMaxFiles) {
        const auto at = text.find(kSeparator);
        if (at == std::string_view::npos)
            break;
        files.push_back(text.substr(0, at));
        text.remove_prefix(at + kSeparator.size());
    }
    files.push_back(text);
    return files;
}

void checkSchema(const rpc::Schema &schema)
{
    if (auto services = schema.serviceNames()) {
        for (const auto &name : *services) {
            auto service = schema.service(name);
            if (!service)
                fail("a listed service cannot be found", name);
            for (const auto &m : service->methods) {
                if (!schema.findMethod(m.fullName))
                    fail("a listed method cannot be found", m.fullName);
                (void)schema.describe(m.fullName);
            }
        }
    }
    const auto messages = schema.messageNames();
    for (std::size_t i = 0; i < messages.size() && i < kMaxMessagesChecked; ++i) {
        const std::string &type = messages[i];
        (void)schema.describe(type);
        (void)schema.messageShape(type);
        auto example = schema.messageTemplate(type);
        if (!example)
            continue;
        (void)schema.complete(type, *example, example->size() / 2);
        rpc::CodecOptions options;
        const auto problems = schema.validateJson(type, *example, options);
        if (!problems.empty())
            fail("validateJson refuses the example request of", type + "\n" + *example + "\n" + problems.front().toString());
        auto bytes = schema.encode(type, *example, options);
        if (!bytes)
            fail("the example request does not encode", type + "\n" + *example + "\n" + bytes.error().toString());
        options.emitDefaults = true;
        auto back = schema.decode(type, *bytes, options);
        if (!back)
            fail("the example request does not decode again", type + "\n" + *example + "\n" + back.error().toString());
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    // libprotobuf's warnings ("No syntax specified") on every input would slow the runs down.
    google::protobuf::SetLogHandler(nullptr);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const auto files = splitFiles(std::string_view(reinterpret_cast<const char *>(data), size));
    rpc::SchemaSpec spec;
    spec.importPaths.push_back(folder().string());
    for (std::size_t i = 0; i < kMaxFiles; ++i) {
        const std::string name = "f" + std::to_string(i) + ".proto";
        const fs::path path = folder() / name;
        if (i >= files.size()) {
            std::error_code ec;
            fs::remove(path, ec);
            continue;
        }
        std::ofstream(path, std::ios::binary | std::ios::trunc).write(files[i].data(),
                                                                      static_cast<std::streamsize>(files[i].size()));
        spec.protoFiles.push_back(name);
    }
    // A loader of its own each time: a loader keeps its last schema while the files' stamps are
    // unchanged, and these files are rewritten within the same clock tick.
    rpc::SchemaLoader loader;
    auto schema = loader.load(spec);
    static const bool verbose = std::getenv("WIRESCOPE_FUZZ_VERBOSE") != nullptr; // to check seeds
    if (verbose)
        std::fprintf(stderr, "%s\n", schema ? "loaded" : schema.error().toString().c_str());
    if (!schema) {
        if (schema.error().message.empty())
            fail("the loader failed without saying why", std::string(reinterpret_cast<const char *>(data), size));
        return 0;
    }
    checkSchema(**schema);
    return 0;
}
