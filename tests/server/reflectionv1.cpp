// SPDX-License-Identifier: GPL-3.0-or-later
#include "reflectionv1.h"

#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "wirescope/testing/test.pb.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <set>

namespace testing_server {

namespace {

namespace pb = google::protobuf;
namespace rv1 = grpc::reflection::v1;

const char kMerged[] = "google/protobuf/all.proto";

bool isWellKnown(const std::string &file)
{
    return file.rfind("google/protobuf/", 0) == 0;
}

class ReflectionV1 final : public rv1::ServerReflection::Service
{
public:
    explicit ReflectionV1(ReflectionQuirk quirk)
        : m_quirk(quirk)
    {
        // Link the test service's descriptors into the generated pool.
        (void)wirescope::testing::EchoRequest::descriptor();
        if (m_quirk == ReflectionQuirk::MergedImports) {
            m_merged.set_name(kMerged);
            m_merged.set_package("google.protobuf");
            m_merged.set_syntax("proto3");
            const auto *test = pool()->FindFileByName("wirescope/testing/test.proto");
            for (int i = 0; i < test->dependency_count(); ++i) {
                pb::FileDescriptorProto part;
                test->dependency(i)->CopyTo(&part);
                for (const auto &m : part.message_type())
                    *m_merged.add_message_type() = m;
                for (const auto &e : part.enum_type())
                    *m_merged.add_enum_type() = e;
            }
        }
    }

    grpc::Status ServerReflectionInfo(grpc::ServerContext *,
                                      grpc::ServerReaderWriter<rv1::ServerReflectionResponse,
                                                               rv1::ServerReflectionRequest> *stream) override
    {
        rv1::ServerReflectionRequest request;
        while (stream->Read(&request)) {
            rv1::ServerReflectionResponse response;
            *response.mutable_original_request() = request;
            answer(request, &response);
            stream->Write(response);
        }
        return grpc::Status::OK;
    }

private:
    static const pb::DescriptorPool *pool() { return pb::DescriptorPool::generated_pool(); }

    void answer(const rv1::ServerReflectionRequest &request, rv1::ServerReflectionResponse *response)
    {
        using R = rv1::ServerReflectionRequest;
        switch (request.message_request_case()) {
        case R::kListServices:
            response->mutable_list_services_response()->add_service()->set_name(
                "grpc.reflection.v1.ServerReflection");
            response->mutable_list_services_response()->add_service()->set_name(
                "wirescope.testing.TestService");
            return;
        case R::kFileByFilename: {
            const std::string &name = request.file_by_filename();
            const pb::FileDescriptor *file = nullptr;
            if (m_quirk == ReflectionQuirk::MergedImports && name == kMerged)
                return sendMerged(response);
            if (!(m_quirk == ReflectionQuirk::MergedImports && isWellKnown(name)))
                file = pool()->FindFileByName(name);
            return send(file, response, "file not found: " + name);
        }
        case R::kFileContainingSymbol: {
            const std::string &symbol = request.file_containing_symbol();
            const pb::FileDescriptor *file = pool()->FindFileContainingSymbol(symbol);
            if (file && m_quirk == ReflectionQuirk::MergedImports && isWellKnown(file->name()))
                return sendMerged(response);
            return send(file, response, "symbol not found: " + symbol);
        }
        default:
            response->mutable_error_response()->set_error_code(grpc::StatusCode::UNIMPLEMENTED);
            response->mutable_error_response()->set_error_message("not offered by this test server");
            return;
        }
    }

    void sendMerged(rv1::ServerReflectionResponse *response)
    {
        response->mutable_file_descriptor_response()->add_file_descriptor_proto(m_merged.SerializeAsString());
    }

    void send(const pb::FileDescriptor *file, rv1::ServerReflectionResponse *response,
              const std::string &error)
    {
        if (!file) {
            response->mutable_error_response()->set_error_code(grpc::StatusCode::NOT_FOUND);
            response->mutable_error_response()->set_error_message(error);
            return;
        }
        std::set<const pb::FileDescriptor *> seen;
        addFile(file, &seen, response->mutable_file_descriptor_response());
    }

    void addFile(const pb::FileDescriptor *file, std::set<const pb::FileDescriptor *> *seen,
                 rv1::FileDescriptorResponse *out)
    {
        if (!seen->insert(file).second)
            return;
        pb::FileDescriptorProto proto;
        file->CopyTo(&proto);
        if (m_quirk == ReflectionQuirk::NoDependencies)
            proto.clear_dependency();
        out->add_file_descriptor_proto(proto.SerializeAsString());
        if (m_quirk != ReflectionQuirk::None)
            return;
        for (int i = 0; i < file->dependency_count(); ++i)
            addFile(file->dependency(i), seen, out);
    }

    ReflectionQuirk m_quirk;
    pb::FileDescriptorProto m_merged;
};

} // namespace

std::unique_ptr<grpc::Service> makeReflectionV1(ReflectionQuirk quirk)
{
    return std::make_unique<ReflectionV1>(quirk);
}

} // namespace testing_server
