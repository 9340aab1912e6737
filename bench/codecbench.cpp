// SPDX-License-Identifier: GPL-3.0-or-later
// The engine's payload codec against protobuf's own JSON converter and against compiled
// message classes, on the messages of the call benchmark, in the same run, alternating rounds.
// Each measure is the time of one encode (JSON text to wire bytes) or one decode (wire bytes to
// compact JSON) averaged over a loop.
//
// usage: wirescope-codecbench [--rounds N] [--iterations N]
#include "rpc/schema.h"

#include "echo.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace pb = google::protobuf;
namespace wt = wirescope::testing;

// What the test server answers to it: the request, the request headers it saw, authority, peer.
std::string echoResponseBytes()
{
    wt::EchoResponse r;
    *r.mutable_echo() = bench::echoMessage();
    (*r.mutable_metadata())["user-agent"] = "grpc-c++/1.51.1 grpc-c/29.0.0 (linux; chttp2)";
    (*r.mutable_metadata())["content-type"] = "application/grpc";
    r.set_authority("127.0.0.1:50051");
    r.set_peer("ipv4:127.0.0.1:41234");
    return r.SerializeAsString();
}

// Microseconds per call of `fn` over `n` calls.
double timeIt(int n, const std::function<bool()> &fn)
{
    int good = 0;
    const auto start = rpc::monotonicNs();
    for (int i = 0; i < n; ++i)
        good += fn();
    const double us = static_cast<double>(rpc::monotonicNs() - start) / 1e3 / n;
    if (good != n) {
        std::fprintf(stderr, "%d of %d calls failed\n", n - good, n);
        std::exit(1);
    }
    return us;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    int rounds = 5, iterations = 50000;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--rounds" && i + 1 < argc)
            rounds = std::atoi(argv[++i]);
        else if (a == "--iterations" && i + 1 < argc)
            iterations = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: wirescope-codecbench [--rounds N] [--iterations N]\n");
            return 2;
        }
    }
    if (rounds < 1 || iterations < 1)
        return 2;

    rpc::SchemaSpec spec;
    spec.importPaths = {WIRESCOPE_TEST_PROTO_DIR};
    spec.protoFiles = {"wirescope/testing/test.proto"};
    auto schema = rpc::SchemaLoader().load(spec);
    if (!schema) {
        std::fprintf(stderr, "schema: %s\n", schema.error().toString().c_str());
        return 1;
    }
    const std::string responseBytes = echoResponseBytes();
    rpc::CodecOptions options;
    options.pretty = false;

    // protobuf's converter, as grpcurl-like tools built on it use it: one resolver, reused.
    std::unique_ptr<pb::util::TypeResolver> resolver(pb::util::NewTypeResolverForDescriptorPool(
        "type.googleapis.com", pb::DescriptorPool::generated_pool()));
    const std::string requestUrl = "type.googleapis.com/wirescope.testing.EchoRequest";
    const std::string responseUrl = "type.googleapis.com/wirescope.testing.EchoResponse";

    // Every path must give the same wire bytes and equal JSON before anything is timed.
    auto engineRequest = (*schema)->encode("wirescope.testing.EchoRequest", bench::kEchoJson, options);
    std::string converterRequest;
    if (!engineRequest ||
        !pb::util::JsonToBinaryString(resolver.get(), requestUrl, bench::kEchoJson, &converterRequest).ok()) {
        std::fprintf(stderr, "encode failed\n");
        return 1;
    }
    wt::EchoRequest a, b;
    if (!a.ParseFromString(*engineRequest) || !b.ParseFromString(converterRequest) ||
        a.SerializeAsString() != b.SerializeAsString()) {
        std::fprintf(stderr, "the engine's request bytes differ from the converter's\n");
        return 1;
    }

    auto engineEncode = [&] {
        auto r = (*schema)->encode("wirescope.testing.EchoRequest", bench::kEchoJson, options);
        return r && !r->empty();
    };
    auto converterEncode = [&] {
        std::string out;
        return pb::util::JsonToBinaryString(resolver.get(), requestUrl, bench::kEchoJson, &out).ok() &&
               !out.empty();
    };
    auto compiledEncode = [&] { // the stub's share: build the message and serialize it
        return !bench::echoMessage().SerializeAsString().empty();
    };
    auto engineDecode = [&] {
        auto r = (*schema)->decode("wirescope.testing.EchoResponse", responseBytes, options);
        return r && !r->empty();
    };
    auto converterDecode = [&] {
        std::string out;
        return pb::util::BinaryToJsonString(resolver.get(), responseUrl, responseBytes, &out).ok() &&
               !out.empty();
    };
    auto compiledDecode = [&] {
        wt::EchoResponse r;
        return r.ParseFromString(responseBytes) && r.echo().i64() == 1234567890123;
    };

    std::vector<double> ee, ce, pe, ed, cd, pd;
    for (int round = 0; round < rounds; ++round) {
        ee.push_back(timeIt(iterations, engineEncode));
        ce.push_back(timeIt(iterations, converterEncode));
        pe.push_back(timeIt(iterations, compiledEncode));
        ed.push_back(timeIt(iterations, engineDecode));
        cd.push_back(timeIt(iterations, converterDecode));
        pd.push_back(timeIt(iterations, compiledDecode));
        std::printf("{\"round\":%d,\"engine_encode_us\":%.2f,\"converter_encode_us\":%.2f,\"compiled_encode_"
                    "us\":%.2f,"
                    "\"engine_decode_us\":%.2f,\"converter_decode_us\":%.2f,\"compiled_decode_us\":%.2f}\n",
                    round + 1, ee.back(), ce.back(), pe.back(), ed.back(), cd.back(), pd.back());
        std::fflush(stdout);
    }
    std::printf("\n| measure (median of %d rounds, %d calls each) | Wirescope | protobuf JSON converter | "
                "Wirescope / converter | compiled classes (no JSON) |\n"
                "|---|---|---|---|---|\n"
                "| encode EchoRequest, JSON to bytes (us) | %.2f | %.2f | %.2f | %.2f |\n"
                "| decode EchoResponse (%zu bytes), bytes to JSON (us) | %.2f | %.2f | %.2f | %.2f |\n",
                rounds, iterations, median(ee), median(ce), median(ee) / median(ce), median(pe),
                responseBytes.size(), median(ed), median(cd), median(ed) / median(cd), median(pd));
    return 0;
}
