// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace rpc {

// One problem found in some input: a .proto file, a protoset, a JSON request, a flag.
// Lines and columns are 1-based; 0 means unknown. `offset` is a byte offset into the input,
// -1 when unknown. `path` names the place inside a structured value ("items[2].name").
struct Diagnostic
{
    std::string file;
    int line = 0;
    int column = 0;
    std::int64_t offset = -1;
    std::string path;
    std::string message;

    // "file:line:col: message" with whatever parts are known.
    std::string toString() const;
};

// An error as a value: a summary plus, where there are several, every diagnostic.
struct Error
{
    std::string message;
    std::vector<Diagnostic> diagnostics;

    Error() = default;
    explicit Error(std::string msg)
        : message(std::move(msg))
    {}
    Error(std::string msg, std::vector<Diagnostic> diags)
        : message(std::move(msg))
        , diagnostics(std::move(diags))
    {}

    // The summary, then one diagnostic per line.
    std::string toString() const;
};

// A value or the error that kept it from being made (std::expected's idea, for C++20), for any
// error type. The engine uses it with Error (Result below); models/ with its own user-worded
// error, adding what Qt code needs (models/result.h).
template<typename T, typename E> class [[nodiscard]] BasicResult
{
public:
    BasicResult(T value)
        : m_v(std::in_place_index<0>, std::move(value))
    {}
    BasicResult(E error)
        : m_v(std::in_place_index<1>, std::move(error))
    {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<0>(m_v); }
    const T &value() const & { return std::get<0>(m_v); }
    T &&value() && { return std::get<0>(std::move(m_v)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }
    T &&operator*() && { return std::get<0>(std::move(m_v)); }
    T valueOr(T fallback) const { return ok() ? value() : std::move(fallback); }

    const E &error() const { return std::get<1>(m_v); }

private:
    std::variant<T, E> m_v;
};

// Success without a value, or an error.
template<typename E> class [[nodiscard]] BasicResult<void, E>
{
public:
    BasicResult() = default;
    BasicResult(E error)
        : m_error(std::move(error))
        , m_failed(true)
    {}

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const E &error() const { return m_error; }

private:
    E m_error;
    bool m_failed = false;
};

template<typename T> using Result = BasicResult<T, Error>;

struct Ok
{
};
using Status = Result<Ok>;

} // namespace rpc
