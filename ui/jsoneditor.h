#pragma once

#include "rpc/result.h"

#include <Qsci/qsciscintilla.h>

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

    void setDiagnostics(const std::vector<rpc::Diagnostic> &diagnostics);
    const std::vector<rpc::Diagnostic> &diagnostics() const { return m_diagnostics; }
    // Puts the cursor on a 1-based line and column and shows it.
    void goTo(int line, int column);

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();

    QsciLexerJSON *m_lexer = nullptr;
    int m_errorIndicator = -1;
    std::vector<rpc::Diagnostic> m_diagnostics;
};

} // namespace ui
