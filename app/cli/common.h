// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "flags.h"

#include "rpc/engine.h"
#include "rpc/schema.h"

#include <string>

namespace cli {

// Exit codes, as grpcurl: 0 OK, 1 a local error, 2 bad usage, 64 + code for an RPC error.
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kStatusCodeOffset = 64;

// A usage error as grpcurl reports one: the line that says what is wrong, then where the help is
// (`command` -help), not the whole usage text, on stderr. Returns kExitUsage.
int usageError(const std::string &message, const std::string &command = "wirescope-cli");

// Reports a connection to `address` (as the user typed it) that was never made, after `lead`
// ("Failed to dial target host ..."): one short line that says what happened (the cause told
// apart by rpc::classifyConnectProblem, or gRPC's last error without its preamble), a hint for
// the flag that would fix it, and with -v (`verbose`) the engine's own words. `message` is the
// engine's; `plaintext` whether the client spoke without TLS. Returns kExitError.
int connectFailed(const std::string &lead, const std::string &message, const std::string &address,
                  bool plaintext, bool verbose);

// The connection and schema flags shared by invoke, list, describe and bench.
void defineCommonFlags(Flags &flags);
// The channel for `address` as gRPC reaches it (calls over gRPC, reflection): a URL address
// ("https://host:port") becomes host:port, with TLS as its scheme says.
rpc::ChannelOptions channelOptions(const Flags &flags, const std::string &address);
// -protocol, -http-version and -codec (part of the common flags; `run` takes them alone).
void defineProtocolFlags(Flags &flags);
// Checks -protocol, -http-version and -codec and how they go with the address and -plaintext;
// false with a message for a usage error.
bool checkProtocolFlags(const Flags &flags, const std::string &address, std::string *error);
// Sets the request's protocol, HTTP version and codec from the flags; a web protocol takes a URL
// address as it is (its path is the prefix before the method).
void applyProtocolFlags(const Flags &flags, const std::string &address, rpc::CallRequest *request);
// Parses "-H 'name: value'" lines; "-bin" values are base64 as in grpcurl.
bool parseHeaders(const std::vector<std::string> &lines, rpc::Metadata *out, std::string *error);
bool parseSeconds(const std::string &text, double *seconds);
// Checks the proxy that -proxy or the environment chooses for `address`: 0 when it is fine (or
// there is none); otherwise it prints why, naming the proxy, and returns the exit code (usage
// for a bad -proxy, a local error for a bad environment variable).
int checkProxy(const Flags &flags, const std::string &address);
// Checks -connect-timeout, -keepalive-time, -max-time and -max-msg-sz; false with a message
// naming the flag when one is not a valid number.
bool checkNumericFlags(const Flags &flags, std::string *error);

} // namespace cli
