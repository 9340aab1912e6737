// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the engine's direct wire-to-JSON decoder (rpc/internal/wirecodec_read.cpp),
// which reads whatever bytes a server sends. First input byte: which test type and which print
// options; the rest: the message bytes. Whatever the decoder accepts, protobuf's own parser
// must accept too, and the JSON it printed must encode back (through the direct encoder) to a
// message equal to protobuf's reading of the original bytes. Built and run by scripts/fuzz.sh.
#include "rpc/internal/jsondom.h"
#include "rpc/internal/wirecodec.h"

#include "wirescope/testing/test.pb.h"

#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace {

namespace pb = google::protobuf;

void treatMapsAsMaps(const pb::Descriptor *d, pb::util::MessageDifferencer *differ, int depth = 0)
{
    if (depth > 4)
        return;
    for (int i = 0; i < d->field_count(); ++i) {
        const pb::FieldDescriptor *f = d->field(i);
        if (f->is_map())
            differ->TreatAsMap(f, f->message_type()->map_key());
        else if (f->message_type() && f->message_type() != d)
            treatMapsAsMaps(f->message_type(), differ, depth + 1);
    }
}

[[noreturn]] void fail(const char *what, const std::string &json)
{
    std::fprintf(stderr, "%s\nJSON: %s\n", what, json.c_str());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    static rpc::internal::WirePlans plans;
    const pb::Message &prototype =
        data[0] & 1 ? static_cast<const pb::Message &>(wirescope::testing::EchoRequest::default_instance())
                    : wirescope::testing::PlainRecord::default_instance();
    const bool emitDefaults = data[0] & 2;
    const bool originalNames = data[0] & 4;
    const std::string bytes(reinterpret_cast<const char *>(data + 1), size - 1);
    const auto *plan = plans.plan(prototype.GetDescriptor());

    std::string json;
    if (!rpc::internal::wireToJson(*plan, bytes, emitDefaults, originalNames, &json))
        return 0; // left to protobuf's own path
    std::unique_ptr<pb::Message> parsed(prototype.New());
    if (!parsed->ParseFromString(bytes))
        fail("the direct decoder accepted bytes protobuf refuses", json);
    parsed->DiscardUnknownFields(); // JSON does not show them

    auto dom = rpc::json::parseDocument(json);
    if (!dom)
        fail("the direct decoder printed invalid JSON", json);
    std::string again;
    if (!rpc::internal::jsonToWire(*plan, *dom, &again))
        fail("the direct encoder refused the decoder's own JSON", json);
    std::unique_ptr<pb::Message> back(prototype.New());
    if (!back->ParseFromString(again))
        fail("the direct encoder wrote bytes protobuf refuses", json);

    pb::util::DefaultFieldComparator comparator;
    comparator.set_treat_nan_as_equal(true);
    pb::util::MessageDifferencer differ;
    differ.set_field_comparator(&comparator);
    treatMapsAsMaps(prototype.GetDescriptor(), &differ);
    if (!differ.Compare(*parsed, *back))
        fail("JSON and back gave another message than protobuf read", json);
    return 0;
}
