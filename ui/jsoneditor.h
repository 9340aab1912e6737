// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"
#include "rpc/schema.h"

#include <Qsci/qsciscintilla.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

class QsciLexerJSON;

namespace ui {

// The JSON editor of a request (and the read-only viewer of a response message): QScintilla
// with the JSON lexer, folding, brace matching, line numbers, and inline diagnostics — a
// squiggle under the place and the message in an annotation below its line.
class JsonEditor final : public QsciScintilla
{
    Q_OBJECT

public:
    explicit JsonEditor(QWidget *parent = nullptr);

    // Replaces the text with UTF-8 bytes as they are (no round trip through QString).
    void setUtf8Text(const QByteArray &utf8);
    QByteArray utf8Text() const;
    std::string utf8String() const; // the same, straight into a std::string (one copy)
    // The text in the editor's own buffer, valid until the text changes.
    std::string_view textView() const;
    void setDiagnostics(const std::vector<rpc::Diagnostic> &diagnostics);
    const std::vector<rpc::Diagnostic> &diagnostics() const { return m_diagnostics; }
    // Puts the cursor on a 1-based line and column and shows it.
    void goTo(int line, int column);

    // Where completion comes from: the UTF-8 text and a byte offset in, what fits there out.
    using CompletionProvider = std::function<rpc::Completion(const QByteArray &text, int offset)>;
    void setCompletionProvider(CompletionProvider provider) { m_provider = std::move(provider); }
    // Shows what fits at the cursor (Ctrl+Space; also after typing a quote where a field
    // name goes). Returns false when nothing fits.
    bool showCompletion();
    const rpc::Completion &shownCompletion() const { return m_completion; }
    // Takes colours from the application palette (called again when it changes).
    void followPalette();

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void acceptCompletion(const QString &text);
    void updateBraceMatching();

    QsciLexerJSON *m_lexer = nullptr;
    int m_errorIndicator = -1;
    std::vector<rpc::Diagnostic> m_diagnostics;
    bool m_annotated = false;  // some line carries a diagnostic's annotation
    bool m_underlined = false; // some text carries the error indicator
    CompletionProvider m_provider;
    rpc::Completion m_completion;
    bool m_bigDocument = false;
};

} // namespace ui
