// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/internal/channels.h"

#include "rpc/proxy.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <grpcpp/support/channel_arguments.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

namespace rpc::internal {

namespace {

Result<std::string> readPem(const std::string &path, const char *what)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Error(std::string("cannot read ") + what + " file " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (ss.str().find("-----BEGIN") == std::string::npos)
        return Error(std::string(what) + " file " + path + " holds no PEM data");
    return ss.str();
}

// gRPC takes certificates and keys as text and reports one that does not parse, or a key that
// is not the certificate's, only as "empty address list" when the first call fails. OpenSSL
// tells now, naming the file.
std::optional<Error> checkClientPair(const std::string &cert, const std::string &certPath, const std::string &key,
                             const std::string &keyPath)
{
    using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
    Bio certBio(BIO_new_mem_buf(cert.data(), static_cast<int>(cert.size())), &BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> x509(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr),
                                                     &X509_free);
    if (!x509)
        return Error("client certificate file " + certPath + " holds no certificate OpenSSL can read");
    Bio keyBio(BIO_new_mem_buf(key.data(), static_cast<int>(key.size())), &BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
        PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    if (!pkey)
        return Error("client key file " + keyPath + " holds no private key OpenSSL can read (an encrypted "
                                                  "key needs its passphrase removed)");
    if (X509_check_private_key(x509.get(), pkey.get()) != 1) {
        ERR_clear_error();
        return Error("client key " + keyPath + " does not belong to the certificate " + certPath);
    }
    return std::nullopt;
}

bool holdsCertificate(const std::string &pem)
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                  &BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> x509(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                                     &X509_free);
    ERR_clear_error();
    return x509 != nullptr;
}

} // namespace

Result<std::shared_ptr<grpc::Channel>> makeChannel(const ChannelOptions &o, int minReceiveBytes)
{
    if (o.target.empty())
        return Error("no target address given");

    grpc::ChannelArguments args;
    int receive = o.maxReceiveBytes;
    if (minReceiveBytes > 0 && (receive == 0 || receive < minReceiveBytes) && receive >= 0)
        receive = std::max(receive, minReceiveBytes);
    if (receive != 0)
        args.SetMaxReceiveMessageSize(receive);
    if (o.maxSendBytes != 0)
        args.SetMaxSendMessageSize(o.maxSendBytes);
    if (!o.authority.empty())
        args.SetString(GRPC_ARG_DEFAULT_AUTHORITY, o.authority);
    if (o.keepaliveTimeMs > 0) {
        args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, o.keepaliveTimeMs);
        args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    }
    if (o.gzip)
        args.SetCompressionAlgorithm(GRPC_COMPRESS_GZIP);
    // A private subchannel pool: two Wirescope channels never share a connection, so one
    // call's connection problems (or a tap, later) stay with its own channel.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    if (!o.userAgent.empty())
        args.SetString(GRPC_ARG_PRIMARY_USER_AGENT_STRING, o.userAgent);

    // Wirescope decides about the proxy itself (the wire tap needs the same decision) and
    // hands gRPC the outcome, so gRPC's own reading of the environment is switched off: the
    // channel connects to the proxy and its HTTP CONNECT handshake asks for the server. The
    // two argument names are gRPC core's (http_connect_handshaker.h), not in its public headers.
    auto proxy = proxyFor(o);
    if (!proxy)
        return proxy.error();
    args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
    std::string target = o.target;
    if (const auto &route = proxy.value()) {
        args.SetString("grpc.http_connect_server", route->connectTo);
        if (!route->authorization.empty())
            args.SetString("grpc.http_connect_headers", "Proxy-Authorization:" + route->authorization);
        // The server's name, not the proxy's, is the :authority and the name TLS checks.
        if (o.authority.empty())
            args.SetString(GRPC_ARG_DEFAULT_AUTHORITY, parseTarget(o.target)->authority);
        target = route->address;
    }

    std::shared_ptr<grpc::ChannelCredentials> creds;
    if (o.plaintext) {
        creds = grpc::InsecureChannelCredentials();
    } else {
        if (!o.serverName.empty())
            args.SetSslTargetNameOverride(o.serverName);
        std::string ca, cert, key;
        if (!o.caFile.empty()) {
            auto r = readPem(o.caFile, "CA certificate");
            if (!r)
                return r.error();
            if (!holdsCertificate(*r))
                return Error("CA certificate file " + o.caFile + " holds no certificate OpenSSL can read");
            ca = *r;
        }
        if (o.certFile.empty() != o.keyFile.empty())
            return Error("a client certificate needs both a certificate file and a key file");
        if (!o.certFile.empty()) {
            auto c = readPem(o.certFile, "client certificate");
            if (!c)
                return c.error();
            auto k = readPem(o.keyFile, "client key");
            if (!k)
                return k.error();
            if (auto problem = checkClientPair(*c, o.certFile, *k, o.keyFile))
                return *problem;
            cert = *c;
            key = *k;
        }
        if (o.skipVerify) {
            grpc::experimental::TlsChannelCredentialsOptions tls;
            tls.set_verify_server_certs(false);
            tls.set_check_call_host(false);
            tls.set_certificate_verifier(std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
            if (!cert.empty()) {
                std::vector<grpc::experimental::IdentityKeyCertPair> pairs{{key, cert}};
                tls.set_certificate_provider(
                    std::make_shared<grpc::experimental::StaticDataCertificateProvider>(pairs));
                tls.watch_identity_key_cert_pairs();
            }
            creds = grpc::experimental::TlsCredentials(tls);
        } else {
            grpc::SslCredentialsOptions ssl;
            ssl.pem_root_certs = ca;
            ssl.pem_cert_chain = cert;
            ssl.pem_private_key = key;
            creds = grpc::SslCredentials(ssl);
        }
        if (!creds)
            return Error("could not set up TLS credentials");
    }
    return grpc::CreateCustomChannel(target, creds, args);
}

std::string_view bufferView(const grpc::ByteBuffer &buffer, grpc::Slice *single, std::string *joined)
{
    if (buffer.TrySingleSlice(single).ok())
        return {reinterpret_cast<const char *>(single->begin()), single->size()};
    *joined = bufferBytes(buffer);
    return *joined;
}

std::string bufferBytes(const grpc::ByteBuffer &buffer)
{
    std::string out;
    grpc::Slice single;
    if (buffer.TrySingleSlice(&single).ok()) {
        out.assign(reinterpret_cast<const char *>(single.begin()), single.size());
        return out;
    }
    std::vector<grpc::Slice> slices;
    if (!buffer.Dump(&slices).ok())
        return out;
    out.reserve(buffer.Length());
    for (const auto &s : slices)
        out.append(reinterpret_cast<const char *>(s.begin()), s.size());
    return out;
}

} // namespace rpc::internal
