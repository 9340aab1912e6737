// SPDX-License-Identifier: GPL-3.0-or-later
// The bytes of gRPC-Web and Connect without a network: envelopes split across reads, base64 in
// padded pieces, trailer blocks, Connect's error and end-of-stream JSON, timeouts and gzip.
#include "rpc/internal/webwire.h"
#include "rpc/jsonutil.h"
#include "support.h"

#include <gtest/gtest.h>

namespace web = rpc::internal::web;

TEST(WebWire, EnvelopesArriveWholeOrInPieces)
{
    std::string body;
    web::appendEnvelope(&body, 0, "hello");
    web::appendEnvelope(&body, web::kCompressed, "");
    web::appendEnvelope(&body, web::kGrpcWebTrailers, "grpc-status: 0\r\n");
    for (std::size_t step : {body.size(), std::size_t(1), std::size_t(3), std::size_t(7)}) {
        web::EnvelopeReader reader(1024);
        std::vector<web::EnvelopeReader::Frame> frames;
        for (std::size_t at = 0; at < body.size(); at += step)
            ASSERT_TRUE(reader.feed(std::string_view(body).substr(at, step), &frames));
        ASSERT_EQ(frames.size(), 3u) << "step " << step;
        EXPECT_EQ(frames[0].flags, 0);
        EXPECT_EQ(frames[0].payload, "hello");
        EXPECT_EQ(frames[1].flags, web::kCompressed);
        EXPECT_EQ(frames[1].payload, "");
        EXPECT_EQ(frames[2].flags, web::kGrpcWebTrailers);
        EXPECT_EQ(reader.pending(), 0u);
    }
}

TEST(WebWire, AnEnvelopeLongerThanTheLimitIsRefusedBeforeItsBytesArrive)
{
    web::EnvelopeReader reader(100);
    std::vector<web::EnvelopeReader::Frame> frames;
    const std::string prefix("\x00\x00\x10\x00\x00", 5); // 1 MiB declared
    EXPECT_FALSE(reader.feed(prefix, &frames));
    EXPECT_EQ(reader.declaredSize(), 1u << 20);
    EXPECT_TRUE(frames.empty());
}

TEST(WebWire, Base64InPaddedPiecesDecodesAsItComes)
{
    // Each piece encoded on its own, as a gRPC-Web text server encodes each chunk.
    std::string text;
    for (std::string piece : {"a", "bc", "def", "ghij"})
        text += rpc::base64Encode(piece);
    for (std::size_t step : {text.size(), std::size_t(1), std::size_t(5)}) {
        web::Base64Stream stream;
        std::string out;
        for (std::size_t at = 0; at < text.size(); at += step)
            ASSERT_TRUE(stream.feed(std::string_view(text).substr(at, step), &out)) << text;
        EXPECT_EQ(out, "abcdefghij");
        EXPECT_TRUE(stream.complete());
    }
    web::Base64Stream bad;
    std::string out;
    EXPECT_FALSE(bad.feed("YWJj*", &out));
    EXPECT_EQ(bad.errorAt(), 4u);
    web::Base64Stream cut;
    ASSERT_TRUE(cut.feed("YWJ", &out));
    EXPECT_FALSE(cut.complete());
}

TEST(WebWire, TrailerBlocksAndGrpcMessages)
{
    const auto md = web::parseTrailerBlock("Grpc-Status: 5\r\ngrpc-message: not%20found%3A%20%E2%9C%93\r\nx-t:  a b \r\n");
    ASSERT_EQ(md.size(), 3u);
    EXPECT_EQ(md[0], (std::pair<std::string, std::string>("grpc-status", "5")));
    EXPECT_EQ(web::decodeGrpcMessage(md[1].second), "not found: \xE2\x9C\x93");
    EXPECT_EQ(md[2].second, "a b");
    EXPECT_EQ(web::decodeGrpcMessage("100%"), "100%"); // a broken escape stays
}

TEST(WebWire, TimeoutsHaveAtMostEightDigits)
{
    EXPECT_EQ(web::grpcTimeout(250), "250m");
    EXPECT_EQ(web::grpcTimeout(99999999), "99999999m");
    EXPECT_EQ(web::grpcTimeout(100000000), "100000S");
    EXPECT_EQ(web::grpcTimeout(0), "1m");
}

TEST(WebWire, ConnectErrorsBecomeGoogleRpcStatus)
{
    auto e = web::parseConnectError(
        R"({"code":"not_found","message":"no such thing","details":[{"type":"google.rpc.RetryInfo","value":"CgIIAg"}]})",
        2);
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_EQ(e->code, 5);
    EXPECT_EQ(e->message, "no such thing");
    // Protobuf reads the status bytes as a google.rpc.Status whose detail is the RetryInfo.
    const rpc::RpcStatus status = testsupport::testSchema()->decodeStatus(e->code, e->message, e->statusBytes);
    ASSERT_EQ(status.details.size(), 1u);
    EXPECT_NE(status.details[0].find("\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\""), std::string::npos)
        << status.details[0];
    EXPECT_NE(status.details[0].find("\"retryDelay\": \"2s\""), std::string::npos) << status.details[0];
    auto unknownCode = web::parseConnectError(R"({"code":"teapot"})", 14);
    ASSERT_TRUE(unknownCode);
    EXPECT_EQ(unknownCode->code, 14);
    EXPECT_FALSE(web::parseConnectError("<html>", 2));
    EXPECT_FALSE(web::parseConnectError(R"({"code":"internal","details":[{"type":"x","value":"***"}]})", 2));
}

TEST(WebWire, EndOfStreamCarriesTrailersAndTheError)
{
    auto ok = web::parseEndStream(R"({"metadata":{"x-trailer":["done"],"x-b-bin":["AAE"]}})");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_FALSE(ok->error);
    ASSERT_EQ(ok->trailers.size(), 2u);
    EXPECT_EQ(ok->trailers[1].second, std::string("\x00\x01", 2));
    auto failed = web::parseEndStream(R"({"error":{"code":"unavailable","message":"down"}})");
    ASSERT_TRUE(failed);
    ASSERT_TRUE(failed->error);
    EXPECT_EQ(failed->error->code, 14);
    EXPECT_FALSE(web::parseEndStream(R"({"metadata":{"x":"not a list"}})"));
    EXPECT_FALSE(web::parseEndStream("[]"));
}

TEST(WebWire, GzipRoundTripsAndStopsAtTheLimit)
{
    const std::string text(100000, 'z');
    const std::string packed = web::gzipCompress(text);
    ASSERT_FALSE(packed.empty());
    EXPECT_LT(packed.size(), 1000u);
    bool tooLarge = false;
    auto back = web::gzipDecompress(packed, text.size(), &tooLarge);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, text);
    auto bomb = web::gzipDecompress(packed, 4096, &tooLarge);
    EXPECT_FALSE(bomb);
    EXPECT_TRUE(tooLarge);
    EXPECT_FALSE(web::gzipDecompress("not gzip at all", 4096, &tooLarge));
    EXPECT_FALSE(web::gzipDecompress(packed.substr(0, packed.size() / 2), text.size(), &tooLarge));
}
