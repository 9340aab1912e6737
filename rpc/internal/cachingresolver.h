// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <google/protobuf/type.pb.h>
#include <google/protobuf/util/type_resolver.h>

#include <functional>
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
    // `load` is asked to bring a type into the pool (by full name) when the pool lacks it.
    using LoadFn = std::function<bool(const std::string &typeName)>;

    CachingTypeResolver(google::protobuf::util::TypeResolver *inner, LoadFn load)
        : m_inner(inner)
        , m_load(std::move(load))
    {}

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
        if (!status.ok() && m_load && m_load(typeName(url)))
            status = m_inner->ResolveMessageType(url, type);
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
        if (!status.ok() && m_load && m_load(typeName(url)))
            status = m_inner->ResolveEnumType(url, enumType);
        if (status.ok()) {
            std::lock_guard lock(m_mutex);
            m_enums.emplace(url, *enumType);
        }
        return status;
    }

private:
    static std::string typeName(const std::string &url)
    {
        const auto slash = url.rfind('/');
        return slash == std::string::npos ? url : url.substr(slash + 1);
    }

    std::unique_ptr<google::protobuf::util::TypeResolver> m_inner;
    LoadFn m_load;
    std::mutex m_mutex;
    std::map<std::string, google::protobuf::Type> m_types;
    std::map<std::string, google::protobuf::Enum> m_enums;
};

} // namespace rpc::internal
