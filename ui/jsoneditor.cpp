#include "ui/jsoneditor.h"

#include <Qsci/qscilexerjson.h>

#include <QEvent>
#include <QFontDatabase>

#include <map>

namespace ui {

namespace {
constexpr int kAnnotationStyle = 200; // a style number above the lexer's own
}

JsonEditor::JsonEditor(QWidget *parent)
    : QsciScintilla(parent)
{
    setUtf8(true); // diagnostics carry byte offsets into the UTF-8 text: positions match
    m_lexer = new QsciLexerJSON(this);
    m_lexer->setFoldCompact(false);
    setLexer(m_lexer);
    setFolding(QsciScintilla::BoxedTreeFoldStyle);
    setBraceMatching(QsciScintilla::SloppyBraceMatch);
    setAutoIndent(true);
    setIndentationsUseTabs(false);
    setTabWidth(2);
    setMarginType(0, QsciScintilla::NumberMargin);
    setMarginWidth(0, QStringLiteral("00000"));
    setAnnotationDisplay(QsciScintilla::AnnotationBoxed);
    setWrapMode(QsciScintilla::WrapNone);
    m_errorIndicator = indicatorDefine(QsciScintilla::SquiggleIndicator);
    setIndicatorForegroundColor(QColor(0xd0, 0x30, 0x30), m_errorIndicator);
    applyPalette();
}

void JsonEditor::changeEvent(QEvent *event)
{
    QsciScintilla::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange)
        applyPalette();
}

// Follow the system palette: the lexer's own colours assume a white page.
void JsonEditor::applyPalette()
{
    const QPalette pal = palette();
    const bool dark = pal.color(QPalette::Base).lightness() < 128;
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_lexer->setDefaultFont(mono);
    m_lexer->setFont(mono);
    m_lexer->setDefaultPaper(pal.color(QPalette::Base));
    m_lexer->setPaper(pal.color(QPalette::Base));
    m_lexer->setDefaultColor(pal.color(QPalette::Text));
    m_lexer->setColor(pal.color(QPalette::Text), QsciLexerJSON::Default);
    m_lexer->setColor(pal.color(QPalette::Text), QsciLexerJSON::Operator);
    m_lexer->setColor(dark ? QColor(0x9c, 0xdc, 0xfe) : QColor(0x0b, 0x4f, 0x8a), QsciLexerJSON::Property);
    m_lexer->setColor(dark ? QColor(0xce, 0x91, 0x78) : QColor(0xa3, 0x15, 0x15), QsciLexerJSON::String);
    m_lexer->setColor(dark ? QColor(0xb5, 0xce, 0xa8) : QColor(0x09, 0x86, 0x58), QsciLexerJSON::Number);
    m_lexer->setColor(dark ? QColor(0x56, 0x9c, 0xd6) : QColor(0x00, 0x00, 0xff), QsciLexerJSON::Keyword);
    m_lexer->setColor(QColor(0xd0, 0x30, 0x30), QsciLexerJSON::Error);
    m_lexer->setColor(QColor(0xd0, 0x30, 0x30), QsciLexerJSON::UnclosedString);
    setMarginsBackgroundColor(pal.color(QPalette::Window));
    setMarginsForegroundColor(pal.color(QPalette::PlaceholderText));
    setFoldMarginColors(pal.color(QPalette::Window), pal.color(QPalette::Window));
    setCaretForegroundColor(pal.color(QPalette::Text));
    setSelectionBackgroundColor(pal.color(QPalette::Highlight));
    setSelectionForegroundColor(pal.color(QPalette::HighlightedText));
    setMatchedBraceBackgroundColor(dark ? QColor(0x3a, 0x5a, 0x3a) : QColor(0xc8, 0xf0, 0xc8));
    SendScintilla(SCI_STYLESETBACK, kAnnotationStyle,
                  dark ? QColor(0x5a, 0x22, 0x22) : QColor(0xfd, 0xe8, 0xe8));
    SendScintilla(SCI_STYLESETFORE, kAnnotationStyle,
                  dark ? QColor(0xff, 0xc0, 0xc0) : QColor(0x8a, 0x10, 0x10));
}

void JsonEditor::setDiagnostics(const std::vector<rpc::Diagnostic> &diagnostics)
{
    m_diagnostics = diagnostics;
    clearAnnotations();
    SendScintilla(SCI_SETINDICATORCURRENT, m_errorIndicator);
    SendScintilla(SCI_INDICATORCLEARRANGE, 0, length());
    const int textLength = length();
    std::map<int, QString> perLine;
    const QByteArray bytes = text().toUtf8();
    for (const auto &d : diagnostics) {
        long pos = -1;
        if (d.offset >= 0)
            pos = static_cast<long>(std::min<std::int64_t>(d.offset, textLength));
        else if (d.line > 0)
            pos = positionFromLineIndex(d.line - 1, std::max(0, d.column - 1));
        if (pos < 0)
            pos = 0;
        // Underline the token at the place: up to the next delimiter, at least one character.
        long end = pos;
        while (end < textLength && !QByteArrayView(",:{}[]\n").contains(bytes.at(end)))
            ++end;
        if (end == pos)
            end = std::min<long>(pos + 1, textLength);
        if (end > pos)
            SendScintilla(SCI_INDICATORFILLRANGE, pos, end - pos);
        int line = 0, index = 0;
        lineIndexFromPosition(static_cast<int>(pos), &line, &index);
        QString message = QString::fromStdString(d.message);
        if (!d.path.empty())
            message = QString::fromStdString(d.path) + QStringLiteral(": ") + message;
        auto &text = perLine[line];
        text += (text.isEmpty() ? QString() : QStringLiteral("\n")) + message;
    }
    for (const auto &[line, message] : perLine)
        annotate(line, message, kAnnotationStyle);
}

void JsonEditor::goTo(int line, int column)
{
    setCursorPosition(std::max(0, line - 1), std::max(0, column - 1));
    ensureLineVisible(std::max(0, line - 1));
    setFocus();
}

} // namespace ui
