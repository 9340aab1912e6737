#pragma once

#include <google/protobuf/type.pb.h>
#include <google/protobuf/util/type_resolver.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace rpc::internal {

// protobuf's pool resolver rebuilds a google.protobuf.Type from the descriptor on every
// lookup, and the JSON converters look types up for every message. A generation's types never
// change, so each answer is kept. Thread-safe.
class CachingTypeResolver final : public google::protobuf::util::TypeResolver
{
public:
    explicit CachingTypeResolver(google::protobuf::util::TypeResolver *inner) : m_inner(inner) {}

    google::protobuf::util::Status ResolveMessageType(const std::string &url,
                                                      google::protobuf::Type *type) override
    {
        {
            std::lock_guard lock(m_mutex);
            if (auto it = m_types.find(url); it != m_types.end()) {
                *type = it->second;
                return {};
            }
        }
        auto status = m_inner->ResolveMessageType(url, type);
        if (status.ok()) {
            std::lock_guard lock(m_mutex);
            m_types.emplace(url, *type);
        }
        return status;
    }

    google::protobuf::util::Status ResolveEnumType(const std::string &url,
                                                   google::protobuf::Enum *enumType) override
    {
        {
            std::lock_guard lock(m_mutex);
            if (auto it = m_enums.find(url); it != m_enums.end()) {
                *enumType = it->second;
                return {};
            }
        }
        auto status = m_inner->ResolveEnumType(url, enumType);
        if (status.ok()) {
            std::lock_guard lock(m_mutex);
            m_enums.emplace(url, *enumType);
        }
        return status;
    }

private:
    std::unique_ptr<google::protobuf::util::TypeResolver> m_inner;
    std::mutex m_mutex;
    std::map<std::string, google::protobuf::Type> m_types;
    std::map<std::string, google::protobuf::Enum> m_enums;
};

} // namespace rpc::internal
