// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"
#include "rpc/types.h"

#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace rpc {

// Where a schema comes from. Any mix is allowed; with reflection on, symbols resolve from the
// server first and then from the local files, so local files can supply Any or detail types.
struct SchemaSpec
{
    std::vector<std::string> importPaths;   // protoc -I roots, searched in order
    std::vector<std::string> protoFiles;    // named relative to a root (or a path under one)
    std::vector<std::string> protosetFiles; // FileDescriptorSet files
    bool useReflection = false;
    ChannelOptions reflectionChannel; // its connectTimeoutMs bounds the wait for the connection
    Metadata reflectionHeaders;
    int reflectionTimeoutMs = 20000; // for each reflection request once connected
};

struct LoadProgress
{
    int done = 0;
    int total = 0;
};

// What Wirescope changed in the files a reflection server sent so that they link the way the
// same .proto files compiled by protoc do. Servers of other stacks name files after packages,
// leave out imports, send relative type names, name map entries their own way, mark proto3
// `optional` fields only by a oneof, or serve their own copies of the well-known types.
struct ReflectionRepairs
{
    int missingImports = 0;  // imports the server left out of a file, added
    int renamedImports = 0;  // imports naming a file the server serves under another name
    int mapEntries = 0;      // map entry messages renamed to protoc's names
    int optionalFields = 0;  // proto3 optional fields whose marker was missing
    int wellKnownFiles = 0;  // server files whose well-known or google.rpc types gave way to
                             // the built-in files
    std::vector<std::string> details; // one line per repair: "file: what was done"

    bool empty() const;
    // "repaired: 2 missing imports, 3 map entries", or "" when nothing was repaired.
    std::string summary() const;
};

// What `describe` found.
struct SymbolDescription
{
    enum class Kind { Service, Method, Message, Enum, EnumValue, Field, Extension, File };
    Kind kind = Kind::Message;
    std::string fullName;
    std::string kindName; // "service", "method", "message", ...
    std::string text;     // the declaration in .proto syntax
};

// What may be typed at a place in a JSON request (Schema::complete).
struct Completion
{
    enum class Kind { None, FieldName, Value };
    struct Item
    {
        std::string text;   // field: its JSON name; value: the literal to insert ("\"RED\"", true)
        std::string detail; // the field's type, or the enum and number
    };
    Kind kind = Kind::None;
    std::string path;              // where the cursor is: "days[0].condition"
    std::string prefix;            // what is typed already of the name or value
    std::int64_t replaceFrom = -1; // byte offset where `prefix` starts
    bool inString = false;         // the cursor is inside an open quote
    std::vector<Item> items;       // fields not yet set, or values that fit
};

// A message type's fields, as a form needs them (Schema::messageShape).
struct FieldShape
{
    enum class Type { Double, Float, Int64, UInt64, Int32, UInt32, Bool, String, Bytes, Enum, Message };
    std::string name;     // proto name
    std::string jsonName; // lowerCamelCase
    int number = 0;
    Type type = Type::String;
    bool repeated = false; // also true for maps
    bool map = false;      // then mapKey and mapValue describe the entries
    bool presence = false; // has explicit presence (message, optional, oneof member)
    std::string typeName;  // message or enum full name
    std::string oneof;     // the real oneof this field belongs to, or empty
    std::vector<std::string> enumValues;
    std::vector<int> enumNumbers;     // the numbers of enumValues, in the same order
    std::vector<FieldShape> mapEntry; // [key, value] when map
};

struct MessageShape
{
    std::string fullName;
    // Well-known types with their own JSON form: "google.protobuf.Timestamp", ...; empty for
    // ordinary messages.
    std::string wellKnown;
    std::vector<FieldShape> fields;
    std::vector<std::string> oneofs; // real oneofs, in declaration order
};

// One schema generation: the descriptor pool, the databases under it and the message factory,
// created together and destroyed together. Reading is thread-safe. Reloading makes a new one.
class Schema
{
public:
    struct Impl;
    explicit Schema(std::unique_ptr<Impl> impl);
    ~Schema();
    Schema(const Schema &) = delete;
    Schema &operator=(const Schema &) = delete;

    // Full names of the services, sorted.
    Result<std::vector<std::string>> serviceNames() const;
    Result<ServiceInfo> service(std::string_view fullName) const;
    // Accepts "pkg.Svc/Method", "pkg.Svc.Method" and "/pkg.Svc/Method".
    Result<MethodInfo> findMethod(std::string_view name) const;
    Result<SymbolDescription> describe(std::string_view symbol) const;
    bool hasMessage(std::string_view typeName) const;
    // "v1" or "v1alpha" once the server's reflection has answered; empty without reflection.
    std::string reflectionVersion() const;
    // What was repaired in the reflection server's files so far (files are fetched as they are
    // needed, so this grows as more of the schema is used).
    ReflectionRepairs reflectionRepairs() const;

    // A JSON request for `typeName` with every field set to an example value.
    Result<std::string> messageTemplate(std::string_view typeName) const;

    // Request text (JSON or text format) to wire bytes. JSON errors carry path, offset,
    // line and column.
    Result<std::string> encode(std::string_view typeName, std::string_view input,
                               const CodecOptions &options) const;
    // Wire bytes to JSON or text format.
    Result<std::string> decode(std::string_view typeName, std::string_view bytes,
                               const CodecOptions &options) const;
    // Whether `bytes` are a message of `typeName` that protobuf would parse, found without making
    // text of it (a load generator checks replies this way); the error says why not.
    Status check(std::string_view typeName, std::string_view bytes) const;
    // Every problem in a JSON request (syntax and schema), without encoding it.
    std::vector<Diagnostic> validateJson(std::string_view typeName, std::string_view json,
                                         const CodecOptions &options) const;

    Result<MessageShape> messageShape(std::string_view typeName) const;
    // Full names of every message type the schema knows (for choosing an Any's type), sorted.
    std::vector<std::string> messageNames() const;

    // Completion at byte `offset` of a (possibly unfinished) JSON request for `typeName`.
    Completion complete(std::string_view typeName, std::string_view json, std::size_t offset) const;

    // Decodes grpc-status-details-bin; details whose type is unknown keep their bytes.
    RpcStatus decodeStatus(int code, std::string message, std::string rawDetails) const;

    // A serialized FileDescriptorSet holding the files that define `symbols`, with their
    // dependencies (protoc --include_imports order).
    Result<std::string> fileDescriptorSet(const std::vector<std::string> &symbols) const;

    // Files read from disk for this generation, with their modification stamps.
    struct SourceStamp
    {
        std::string path;
        std::int64_t mtimeNs = 0;
        std::int64_t size = 0;
    };
    const std::vector<SourceStamp> &sources() const;

    Impl &impl() const { return *m_impl; }

private:
    std::unique_ptr<Impl> m_impl;
};

using SchemaPtr = std::shared_ptr<const Schema>;

// Builds schema generations. Loading runs on the calling thread; use SchemaLoadJob to run it
// elsewhere. A loader remembers its last result so that reloading an unchanged workspace
// returns it at the cost of a stat per file.
class SchemaLoader
{
public:
    using ProgressFn = std::function<void(const LoadProgress &)>;

    Result<SchemaPtr> load(const SchemaSpec &spec, const std::stop_token &stop = {},
                           const ProgressFn &progress = {});

private:
    SchemaPtr m_last;
    std::string m_lastKey;
};

// Runs a load on its own thread. `finished` is called on that thread exactly once (also when
// cancelled, with an error saying so); destroying the job cancels it and waits.
class SchemaLoadJob
{
public:
    using FinishedFn = std::function<void(Result<SchemaPtr>)>;
    SchemaLoadJob(SchemaSpec spec, SchemaLoader::ProgressFn progress, FinishedFn finished,
                  std::shared_ptr<SchemaLoader> loader = {});
    ~SchemaLoadJob();
    void cancel();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace rpc
