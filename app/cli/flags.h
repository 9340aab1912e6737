// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <map>
#include <string>
#include <vector>

namespace cli {

// Go-style flags as grpcurl takes them: "-name value", "-name=value", "--name value"; boolean
// flags take no value unless written "-name=true|false". Flags may appear anywhere before "--".
class Flags
{
public:
    enum class Kind { Bool, Value, List };

    void define(const std::string &name, Kind kind, std::string help);
    // Parses argv; on error returns false and sets `error`.
    bool parse(const std::vector<std::string> &args, std::string *error);

    bool isSet(const std::string &name) const { return m_set.count(name) > 0; }
    bool boolean(const std::string &name) const;
    std::string value(const std::string &name, const std::string &fallback = {}) const;
    std::vector<std::string> list(const std::string &name) const;
    const std::vector<std::string> &positional() const { return m_positional; }

    std::string helpText() const;

private:
    struct Def
    {
        Kind kind;
        std::string help;
    };
    std::map<std::string, Def> m_defs;
    std::map<std::string, std::vector<std::string>> m_set;
    std::vector<std::string> m_positional;
};

} // namespace cli
