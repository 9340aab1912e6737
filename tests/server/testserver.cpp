// SPDX-License-Identifier: GPL-3.0-or-later
#include "testserver.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "wirescope/testing/test.grpc.pb.h"

#include <google/protobuf/stubs/strutil.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/support/server_interceptor.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace testing_server {

namespace wt = wirescope::testing;

namespace {

// libgrpc++_reflection registers its plugin from a static initializer when it is a shared
// library, and calling InitProtoReflectionServerBuilderPlugin() again adds a second copy that
// lists every service twice. This option leaves exactly one plugin, or none.
class ReflectionSwitch : public grpc::ServerBuilderOption
{
public:
    explicit ReflectionSwitch(bool on)
        : m_on(on)
    {}
    void UpdateArguments(grpc::ChannelArguments *) override {}
    void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>> *plugins) override
    {
        std::erase_if(*plugins, [](const auto &p) { return p->name() == "proto_server_reflection"; });
        if (m_on)
            plugins->push_back(std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>());
    }

private:
    bool m_on;
};

std::string readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Echoes request metadata whose key starts with "x-" back as response headers, and adds a
// trailer, so clients can check both directions.
void echoMetadata(grpc::ServerContext *ctx)
{
    for (const auto &[k, v] : ctx->client_metadata()) {
        const std::string key(k.data(), k.size());
        if (key.rfind("x-", 0) == 0)
            ctx->AddInitialMetadata(key, std::string(v.data(), v.size()));
    }
    ctx->AddTrailingMetadata("x-trailer", "done");
}

class Service final : public wt::TestService::Service
{
    grpc::Status Echo(grpc::ServerContext *ctx, const wt::EchoRequest *req, wt::EchoResponse *resp) override
    {
        echoMetadata(ctx);
        *resp->mutable_echo() = *req;
        for (const auto &[k, v] : ctx->client_metadata()) {
            const std::string key(k.data(), k.size());
            const std::string value(v.data(), v.size());
            const bool binary = key.size() > 4 && key.compare(key.size() - 4, 4, "-bin") == 0;
            std::string shown = value;
            if (binary)
                google::protobuf::Base64Escape(value, &shown);
            (*resp->mutable_metadata())[key] = shown;
        }
        const auto authority = ctx->ExperimentalGetAuthority();
        resp->set_authority(std::string(authority.data(), authority.size()));
        resp->set_peer(ctx->peer());
        return grpc::Status::OK;
    }

    grpc::Status ServerStream(grpc::ServerContext *ctx, const wt::StreamRequest *req,
                              grpc::ServerWriter<wt::StreamItem> *writer) override
    {
        echoMetadata(ctx);
        wt::StreamItem item;
        item.set_text(req->text());
        if (req->payload_size() > 0)
            item.set_payload(std::string(static_cast<std::size_t>(req->payload_size()), 'x'));
        for (int i = 0; i < req->count(); ++i) {
            if (ctx->IsCancelled())
                return grpc::Status::CANCELLED;
            if (req->interval_ms() > 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(req->interval_ms()));
            item.set_index(i);
            if (!writer->Write(item))
                return grpc::Status::CANCELLED;
        }
        return grpc::Status::OK;
    }

    grpc::Status ClientStream(grpc::ServerContext *ctx, grpc::ServerReader<wt::StreamItem> *reader,
                              wt::Summary *summary) override
    {
        echoMetadata(ctx);
        wt::StreamItem item;
        while (reader->Read(&item)) {
            summary->set_count(summary->count() + 1);
            summary->add_texts(item.text());
            summary->set_total_bytes(summary->total_bytes() + static_cast<std::int64_t>(item.ByteSizeLong()));
        }
        return grpc::Status::OK;
    }

    grpc::Status Chat(grpc::ServerContext *ctx,
                      grpc::ServerReaderWriter<wt::ChatMessage, wt::ChatMessage> *stream) override
    {
        echoMetadata(ctx);
        wt::ChatMessage msg;
        int seq = 0;
        while (stream->Read(&msg)) {
            wt::ChatMessage reply;
            reply.set_text("echo: " + msg.text());
            reply.set_seq(++seq);
            if (!stream->Write(reply))
                break;
        }
        return grpc::Status::OK;
    }

    grpc::Status Fail(grpc::ServerContext *ctx, const wt::FailRequest *req,
                      google::protobuf::Empty *) override
    {
        echoMetadata(ctx);
        const auto code = static_cast<grpc::StatusCode>(req->code() == 0 ? 3 : req->code());
        const std::string message = req->message().empty() ? "request failed" : req->message();
        if (!req->with_details())
            return grpc::Status(code, message);
        google::rpc::Status status;
        status.set_code(code);
        status.set_message(message);
        google::rpc::BadRequest bad;
        auto *v = bad.add_field_violations();
        v->set_field("name");
        v->set_description("must not be empty");
        status.add_details()->PackFrom(bad);
        google::rpc::ErrorInfo info;
        info.set_reason("TEST_FAILURE");
        info.set_domain("wirescope.test");
        (*info.mutable_metadata())["attempt"] = "1";
        status.add_details()->PackFrom(info);
        google::rpc::RetryInfo retry;
        retry.mutable_retry_delay()->set_seconds(2);
        status.add_details()->PackFrom(retry);
        google::rpc::LocalizedMessage localized;
        localized.set_locale("en-GB");
        localized.set_message("That did not work.");
        status.add_details()->PackFrom(localized);
        return grpc::Status(code, message, status.SerializeAsString());
    }

    grpc::Status Slow(grpc::ServerContext *ctx, const wt::SlowRequest *req,
                      google::protobuf::Empty *) override
    {
        echoMetadata(ctx);
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(req->delay_ms());
        while (std::chrono::steady_clock::now() < until) {
            if (ctx->IsCancelled())
                return grpc::Status::CANCELLED;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return grpc::Status::OK;
    }

    grpc::Status Large(grpc::ServerContext *ctx, const wt::LargeRequest *req,
                       wt::LargeResponse *resp) override
    {
        echoMetadata(ctx);
        resp->set_data(std::string(static_cast<std::size_t>(std::max(0, req->size())), 'L'));
        return grpc::Status::OK;
    }
};
// Keeps the request headers of the latest server-reflection call, so tests can check what a
// client sends on reflection requests (-reflect-header).
struct ReflectionHeaders
{
    std::mutex mutex;
    std::vector<std::pair<std::string, std::string>> latest;
};

class RecordingInterceptor final : public grpc::experimental::Interceptor
{
public:
    RecordingInterceptor(ReflectionHeaders *sink, bool reflection)
        : m_sink(sink)
        , m_reflection(reflection)
    {}
    void Intercept(grpc::experimental::InterceptorBatchMethods *methods) override
    {
        if (m_reflection && methods->QueryInterceptionHookPoint(
                                grpc::experimental::InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
            std::vector<std::pair<std::string, std::string>> md;
            for (const auto &[k, v] : *methods->GetRecvInitialMetadata())
                md.emplace_back(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
            std::lock_guard lock(m_sink->mutex);
            m_sink->latest = std::move(md);
        }
        methods->Proceed();
    }

private:
    ReflectionHeaders *m_sink;
    bool m_reflection;
};

class RecordingFactory final : public grpc::experimental::ServerInterceptorFactoryInterface
{
public:
    explicit RecordingFactory(ReflectionHeaders *sink)
        : m_sink(sink)
    {}
    grpc::experimental::Interceptor *CreateServerInterceptor(grpc::experimental::ServerRpcInfo *info) override
    {
        const std::string method = info->method() ? info->method() : "";
        return new RecordingInterceptor(m_sink, method.rfind("/grpc.reflection.", 0) == 0);
    }

private:
    ReflectionHeaders *m_sink;
};

} // namespace

struct TestServer::Impl
{
    ReflectionHeaders reflectionHeaders;
    ServerOptions options;
    Service service;
    std::unique_ptr<grpc::Service> reflectionV1;
    std::unique_ptr<grpc::Server> server;
    int port = 0;
};

TestServer::TestServer(ServerOptions options)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->options = std::move(options);
}

TestServer::~TestServer()
{
    stop();
}

bool TestServer::start(std::string *error)
{
    grpc::ServerBuilder builder;
    builder.SetOption(reflectionSwitch(m_impl->options.reflection));
    std::shared_ptr<grpc::ServerCredentials> creds;
    if (m_impl->options.certFile.empty()) {
        creds = grpc::InsecureServerCredentials();
    } else {
        grpc::SslServerCredentialsOptions ssl(
            m_impl->options.clientCaFile.empty()
                ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
        ssl.pem_key_cert_pairs.push_back(
            {readFile(m_impl->options.keyFile), readFile(m_impl->options.certFile)});
        if (!m_impl->options.clientCaFile.empty())
            ssl.pem_root_certs = readFile(m_impl->options.clientCaFile);
        creds = grpc::SslServerCredentials(ssl);
    }
    builder.AddListeningPort(m_impl->options.address, creds, &m_impl->port);
    builder.RegisterService(&m_impl->service);
    if (m_impl->options.reflectionV1) {
        m_impl->reflectionV1 = makeReflectionV1(m_impl->options.reflectionV1Quirk);
        builder.RegisterService(m_impl->reflectionV1.get());
    }
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
    interceptors.push_back(std::make_unique<RecordingFactory>(&m_impl->reflectionHeaders));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
    builder.SetMaxReceiveMessageSize(64 * 1024 * 1024);
    builder.SetMaxSendMessageSize(64 * 1024 * 1024);
    m_impl->server = builder.BuildAndStart();
    // A unix socket (unix:PATH, unix-abstract:NAME) has no port.
    if (!m_impl->server || (m_impl->port == 0 && m_impl->options.address.rfind("unix", 0) != 0)) {
        if (error)
            *error = "cannot listen on " + m_impl->options.address;
        m_impl->server.reset();
        return false;
    }
    return true;
}

ServerOptions listeningOn(const std::string &address)
{
    ServerOptions options;
    options.address = address;
    return options;
}

ServerOptions withTls(const std::string &certFile, const std::string &keyFile,
                      const std::string &clientCaFile)
{
    ServerOptions options;
    options.certFile = certFile;
    options.keyFile = keyFile;
    options.clientCaFile = clientCaFile;
    return options;
}

std::unique_ptr<TestServer> TestServer::started(ServerOptions options, std::string *error)
{
    auto server = std::make_unique<TestServer>(std::move(options));
    return server->start(error) ? std::move(server) : nullptr;
}

void TestServer::stop()
{
    if (m_impl->server) {
        m_impl->server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
        m_impl->server->Wait();
        m_impl->server.reset();
    }
}

int TestServer::port() const
{
    return m_impl->port;
}

std::vector<std::pair<std::string, std::string>> TestServer::lastReflectionHeaders() const
{
    std::lock_guard lock(m_impl->reflectionHeaders.mutex);
    return m_impl->reflectionHeaders.latest;
}

std::string TestServer::address() const
{
    return "127.0.0.1:" + std::to_string(m_impl->port);
}

std::unique_ptr<grpc::ServerBuilderOption> reflectionSwitch(bool on)
{
    return std::make_unique<ReflectionSwitch>(on);
}

} // namespace testing_server
