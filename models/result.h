// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"

#include <QString>

#include <utility>

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

// A value or the error that kept it from being made: the engine's BasicResult (rpc/result.h)
// with this layer's Error by default, and the error's text as a QString. The error is an Error
// unless a caller needs more structure (a file problem with line and column); any error type has
// a `message`.
template<typename T, typename E = Error> class [[nodiscard]] Result : public rpc::BasicResult<T, E>
{
public:
    using rpc::BasicResult<T, E>::BasicResult;

    // The error's text, or an empty string when there is a value.
    QString errorMessage() const { return this->ok() ? QString() : this->error().message; }
};

using Status = Result<void>;

} // namespace models
