// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the HTTP/2 frame decoder, the HTTP/1.1 decoder and the gRPC message
// reassembler: any bytes, cut into chunks at places the input chooses, must give frames (or
// parts) or an error, never a crash, and an error must stick. Built and run by scripts/fuzz.sh
// (clang).
#include "rpc/http1wire.h"
#include "rpc/wire.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

// HTTP/1.1 as the wire tap reads it from a client or a server, then the connection's end.
void http1(bool client, std::size_t chunk, std::string_view rest)
{
    rpc::wire::Http1Decoder decoder(client ? rpc::wire::Http1Decoder::Side::Client
                                           : rpc::wire::Http1Decoder::Side::Server);
    bool failed = false;
    auto check = [&](const rpc::wire::Http1Decoder::Decoded &decoded) {
        if (failed && (!decoded.parts.empty() || decoded.error.empty()))
            std::abort(); // a failed decoder must stay failed
        failed = failed || !decoded.error.empty();
        for (const auto &p : decoded.parts) {
            if (p.exchange == 0)
                std::abort();
            for (const auto &m : p.messages) {
                if (m.streamId != p.exchange)
                    std::abort();
            }
            (void)rpc::wire::Http1Part::kindName(p.kind);
        }
    };
    while (!rest.empty()) {
        const auto piece = rest.substr(0, chunk);
        rest.remove_prefix(piece.size());
        check(decoder.feed(piece));
    }
    check(decoder.finish());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 2)
        return 0;
    if (data[0] & 2) { // the HTTP/1.1 decoder
        http1(data[0] & 1, std::size_t(data[1]) + 1,
              std::string_view(reinterpret_cast<const char *>(data + 2), size - 2));
        return 0;
    }
    // First byte: which side (bit 0) and HTTP/2 (bit 1 clear); second: the chunk size to feed
    // (1..256).
    rpc::wire::FrameDecoder decoder(data[0] & 1 ? rpc::wire::FrameDecoder::Side::Client
                                                : rpc::wire::FrameDecoder::Side::Server);
    const std::size_t chunk = std::size_t(data[1]) + 1;
    std::string_view rest(reinterpret_cast<const char *>(data + 2), size - 2);
    bool failed = false;
    while (!rest.empty()) {
        const auto piece = rest.substr(0, chunk);
        rest.remove_prefix(piece.size());
        auto frames = decoder.feed(piece);
        if (failed && frames.ok())
            std::abort(); // a failed decoder must stay failed
        if (!frames.ok()) {
            failed = true;
            continue;
        }
        for (const auto &f : *frames) {
            if (f.payload.size() != f.length)
                std::abort();
            (void)f.flagNames();
        }
        for (const auto &m : decoder.takeMessages()) {
            if (m.streamId == 0)
                std::abort();
        }
    }
    return 0;
}
