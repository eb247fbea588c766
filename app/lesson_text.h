// Lesson prose (Markdown) as the rich text a QML Label shows. Qt's own
// Markdown rendering sets code spans in the system's fixed font at its own
// size, whatever the Label's: next to 20-pixel body text (the scale a
// full-HD window gets) `page_count()` came out at 12 pixels. Here the text
// is parsed once more with QTextDocument, code spans and blocks get the
// stage's monospace family at the body size, and the result goes out as HTML.
#pragma once

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

class LessonText : public QObject {
    Q_OBJECT
    QML_NAMED_ELEMENT(LessonText)
    QML_SINGLETON

public:
    using QObject::QObject;

    // `markdown` as HTML whose text is `pixelSize` pixels, code in
    // `monospaceFamily` at nearly the same size. Empty in, empty out.
    Q_INVOKABLE static QString html(const QString& markdown, int pixelSize, const QString& monospaceFamily);
};
