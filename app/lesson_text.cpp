#include "lesson_text.h"

#include <algorithm>
#include <vector>

#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFragment>

namespace {

// A lesson may come from someone else's pack: an image (Markdown or inline
// HTML) would make the window fetch whatever address it names. Each one
// becomes a bracketed note with that address instead, and nothing is loaded.
void dropImages(QTextDocument& doc) {
    struct Image {
        int position;
        int length;
        QString name;
    };
    std::vector<Image> images;
    for (QTextBlock block = doc.begin(); block.isValid(); block = block.next())
        for (auto it = block.begin(); !it.atEnd(); ++it)
            if (it.fragment().charFormat().isImageFormat())
                images.push_back({it.fragment().position(), it.fragment().length(),
                                  it.fragment().charFormat().toImageFormat().name()});
    // From the end, so that earlier positions stay valid.
    for (auto image = images.rbegin(); image != images.rend(); ++image) {
        QTextCursor cursor(&doc);
        cursor.setPosition(image->position);
        cursor.setPosition(image->position + image->length, QTextCursor::KeepAnchor);
        cursor.insertText(QStringLiteral("[image not shown: %1]").arg(image->name), QTextCharFormat());
    }
}

} // namespace

QString LessonText::html(const QString& markdown, int pixelSize, const QString& monospaceFamily) {
    if (markdown.isEmpty() || pixelSize <= 0)
        return {};
    QTextDocument doc;
    QFont body = doc.defaultFont();
    body.setPixelSize(pixelSize);
    doc.setDefaultFont(body);
    doc.setMarkdown(markdown);
    dropImages(doc);
    // A monospace face looks larger than a proportional one at the same
    // pixel size; a little smaller keeps the line even.
    const int codeSize = std::max(1, static_cast<int>(pixelSize * 0.92 + 0.5));
    // The Markdown reader sizes the space around paragraphs and list items
    // from the default font's point size, which a pixel size leaves unset:
    // give every block the space Qt's own Markdown rendering shows (6 px at
    // a 14 px body), scaled with the text.
    const int blockMargin = std::max(1, static_cast<int>(pixelSize * 0.43 + 0.5));
    for (QTextBlock block = doc.begin(); block.isValid(); block = block.next()) {
        QTextBlockFormat format = block.blockFormat();
        format.setTopMargin(blockMargin);
        format.setBottomMargin(blockMargin);
        QTextCursor(block).setBlockFormat(format);
    }
    // Collected first: setting a format merges fragments under the iterator.
    struct Span {
        int position;
        int length;
        QTextCharFormat format;
    };
    std::vector<Span> code;
    for (QTextBlock block = doc.begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            if (fragment.charFormat().fontFixedPitch() || block.blockFormat().nonBreakableLines())
                code.push_back({fragment.position(), fragment.length(), fragment.charFormat()});
        }
    }
    for (Span& span : code) {
        span.format.setFontFamilies({monospaceFamily});
        span.format.setFontFixedPitch(true);
        span.format.clearProperty(QTextFormat::FontPointSize);
        span.format.setProperty(QTextFormat::FontPixelSize, codeSize);
        QTextCursor cursor(&doc);
        cursor.setPosition(span.position);
        cursor.setPosition(span.position + span.length, QTextCursor::KeepAnchor);
        cursor.setCharFormat(span.format);
    }
    return doc.toHtml();
}
