// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace models {

// An error as a value, worded for the user: what went wrong, and where when that is known apart
// from the text ("metadata x-token", "requests/a.json:3:14"). The one error convention of
// models and ui: functions that can fail return Result<T> (or Status), never an optional with a
// QString out-parameter.
struct Error
{
    QString message;
    QString where;

    bool operator==(const Error &other) const = default;
};

inline Error fail(QString message, QString where = {})
{
    return Error{std::move(message), std::move(where)};
}

// A value or the error that kept it from being made (std::expected's idea, for C++20). The
// error is an Error unless a caller needs more structure (a file problem with line and column);
// any error type has a `message`.
template<typename T, typename E = Error> class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_v(std::in_place_index<0>, std::move(value))
    {}
    Result(E error)
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
    // The error's text, or an empty string when there is a value.
    QString errorMessage() const { return ok() ? QString() : error().message; }

private:
    std::variant<T, E> m_v;
};

// Success without a value, or an error.
template<typename E> class [[nodiscard]] Result<void, E>
{
public:
    Result() = default;
    Result(E error)
        : m_error(std::move(error))
        , m_failed(true)
    {}

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const E &error() const { return m_error; }
    QString errorMessage() const { return m_error.message; }

private:
    E m_error;
    bool m_failed = false;
};

using Status = Result<void>;

} // namespace models
