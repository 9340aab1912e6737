// SPDX-License-Identifier: GPL-3.0-or-later
// What Wirescope checks before handing anything to gRPC (which aborts on some of it, and quietly
// does something else with the rest): header names and values, targets, the :authority.
#include "rpc/types.h"

#include <gtest/gtest.h>

namespace {

struct Case
{
    std::string input;
    std::string problem; // "" when fine; else a part of the message
};

void expectProblem(const std::string &got, const Case &c)
{
    if (c.problem.empty())
        EXPECT_EQ(got, "") << c.input;
    else
        EXPECT_NE(got.find(c.problem), std::string::npos) << c.input << " -> " << got;
}

TEST(Validation, TargetsAreCheckedBeforeGrpcGuesses)
{
    const Case cases[] = {
        {"127.0.0.1:50051", ""},
        {"localhost:1", ""},
        {"localhost:65535", ""},
        {"localhost", ""}, // gRPC's default port
        {"[::1]:50051", ""},
        {"[::1]", ""},
        {"dns:///localhost:50051", ""},
        {"dns://8.8.8.8/example.com:443", ""},
        {"dns:localhost:50051", ""},
        {"ipv4:127.0.0.1:1,127.0.0.2:2", ""},
        {"ipv6:[::1]:50051", ""},
        {"unix:/run/app.sock", ""},
        {"unix:relative.sock", ""},
        {"unix:///run/app.sock", ""},
        {"unix-abstract:name", ""},
        {"xds:///service", ""},
        {"", "no target"},
        {"127.0.0.1:99999", "port 99999 is out of range (1-65535)"},
        {"127.0.0.1:0", "port 0 is out of range"},
        {"127.0.0.1:123456789012345678901234567890", "is out of range"},
        {"localhost:", "no port after ':'"},
        {"localhost:abc", "the port \"abc\" is not a number"},
        {":50051", "no host before the port"},
        {"::1:50051", "an IPv6 address goes in brackets"},
        {"[::1", "'[' without ']'"},
        {"[::1]x", "expected ':' and a port after ']'"},
        {"unix:", "no socket path after unix:"},
        {"unix-abstract:", "no socket path after unix-abstract:"},
        {"dns:///", "no host after dns:"},
        {"dns://x", "expected dns:///host:port"},
        {"ipv4:", "no address after ipv4:"},
        {"ipv4:127.0.0.1", "needs a port"},
        {"ipv4:127.0.0.1:1,127.0.0.1:99999", "127.0.0.1:99999: port 99999 is out of range"},
        {"Z\xC3\xBCrich:50051", "byte 2 (0xC3) is not allowed"},
        {"a b:1", "byte 2 (0x20)"},
        {"a\nb:1", "byte 2 (0x0A)"},
    };
    for (const auto &c : cases)
        expectProblem(rpc::targetProblem(c.input), c);
}

TEST(Validation, HeaderNamesAndValues)
{
    struct HeaderCase
    {
        std::string name, value, problem;
    };
    const HeaderCase cases[] = {
        {"x-ok", "printable ascii ~!@#$%^&*()", ""},
        {"authorization", "Bearer abc.def", ""},
        {"user-agent", "mine/1.0", ""},
        {"a.b_c-d0", "", ""},
        {"x-raw-bin", std::string("\0\xff\r\n", 4), ""},
        {"", "v", "empty name"},
        {"X-Upper", "v", "byte 1 (0x58) of the name"},
        {"x y", "v", "byte 2 (0x20) of the name"},
        {"x:y", "v", "byte 2 (0x3A) of the name"},
        {":authority", "v", "pseudo-headers are set by gRPC"},
        {"grpc-timeout", "1S", "reserved for gRPC"},
        {"grpc-trace-bin", "x", "reserved for gRPC"},
        {"content-type", "application/json", "set by gRPC or not allowed in HTTP/2"},
        {"te", "trailers", "set by gRPC"},
        {"connection", "close", "not allowed in HTTP/2"},
        {"transfer-encoding", "chunked", "not allowed in HTTP/2"},
        {"x-v", "Z\xC3\xBCrich", "byte 2 (0xC3) of the value is not printable ASCII"},
        {"x-v", "tab\there", "byte 4 (0x09)"},
        {"x-v", "a\x7f", "byte 2 (0x7F)"},
        {"x-v", "line\r\nbreak", "byte 5 (0x0D)"},
    };
    for (const auto &c : cases)
        expectProblem(rpc::headerProblem(c.name, c.value), {c.name + ": " + c.value, c.problem});
    EXPECT_EQ(rpc::metadataProblem({{"x-a", "1"}, {"x-b", "2"}}), "");
    EXPECT_NE(rpc::metadataProblem({{"x-a", "1"}, {"x b", "2"}}).find("\"x b\""), std::string::npos);
}

TEST(Validation, Authority)
{
    EXPECT_EQ(rpc::authorityProblem(""), "");
    EXPECT_EQ(rpc::authorityProblem("api.example.com:443"), "");
    EXPECT_NE(rpc::authorityProblem("a b").find("byte 2 (0x20)"), std::string::npos);
    EXPECT_NE(rpc::authorityProblem("a\r\nHost: evil").find("byte 2 (0x0D)"), std::string::npos);
    EXPECT_EQ(rpc::authorityProblem("[::1]:50051"), "");
    EXPECT_EQ(rpc::authorityProblem("xn--bcher-kva.example:8443"), "");
    // No user, and nothing a URL's host cannot hold (found by the grpcurl fuzz target: a Host
    // header of a pasted curl command, exported again in a URL, read back as a user name).
    EXPECT_NE(rpc::authorityProblem("user@api.example").find("names no user"), std::string::npos);
    EXPECT_NE(rpc::authorityProblem("or\"i\"}").find("byte 3 (0x22)"), std::string::npos);
    EXPECT_NE(rpc::authorityProblem("a/b").find("byte 2 (0x2F)"), std::string::npos);
}

} // namespace
