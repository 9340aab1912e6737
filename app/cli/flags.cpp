// SPDX-License-Identifier: GPL-3.0-or-later
#include "flags.h"

namespace cli {

void Flags::define(const std::string &name, Kind kind, std::string help)
{
    m_defs[name] = {kind, std::move(help)};
}

bool Flags::parse(const std::vector<std::string> &args, std::string *error)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (arg == "--") {
            m_positional.insert(m_positional.end(), args.begin() + static_cast<long>(i) + 1, args.end());
            break;
        }
        if (arg.size() < 2 || arg[0] != '-') {
            m_positional.push_back(arg);
            continue;
        }
        std::string name = arg.substr(arg[1] == '-' ? 2 : 1);
        std::string value;
        bool hasValue = false;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name.resize(eq);
            hasValue = true;
        }
        auto def = m_defs.find(name);
        if (def == m_defs.end()) {
            *error = "flag provided but not defined: -" + name;
            return false;
        }
        if (def->second.kind == Kind::Bool) {
            if (hasValue && value != "true" && value != "false" && value != "1" && value != "0") {
                *error = "invalid boolean value \"" + value + "\" for flag -" + name;
                return false;
            }
            m_set[name] = {hasValue ? value : "true"};
            continue;
        }
        if (!hasValue) {
            if (i + 1 >= args.size()) {
                *error = "flag needs an argument: -" + name;
                return false;
            }
            value = args[++i];
        }
        if (def->second.kind == Kind::List)
            m_set[name].push_back(value);
        else
            m_set[name] = {value};
    }
    return true;
}

bool Flags::boolean(const std::string &name) const
{
    auto it = m_set.find(name);
    return it != m_set.end() && (it->second.back() == "true" || it->second.back() == "1");
}

std::string Flags::value(const std::string &name, const std::string &fallback) const
{
    auto it = m_set.find(name);
    return it == m_set.end() ? fallback : it->second.back();
}

std::vector<std::string> Flags::list(const std::string &name) const
{
    auto it = m_set.find(name);
    return it == m_set.end() ? std::vector<std::string>{} : it->second;
}

std::string Flags::helpText() const
{
    std::string out;
    for (const auto &[name, def] : m_defs) {
        out += "  -" + name;
        if (def.kind != Kind::Bool)
            out += " value";
        out += "\n    \t" + def.help + "\n";
    }
    return out;
}

} // namespace cli
