// Lesson Markdown as rich text: code spans in the stage's monospace family at
// the body's size (Qt's own Markdown rendering left them at the system fixed
// font's size, small next to scaled-up body text).
#include "lesson_text.h"

#include <utility>

#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextFragment>

namespace {

// The character format of the first fragment whose text is `words`.
QTextCharFormat formatOf(const QString& html, const QString& words) {
    QTextDocument doc;
    doc.setHtml(html);
    for (QTextBlock block = doc.begin(); block.isValid(); block = block.next())
        for (auto it = block.begin(); !it.atEnd(); ++it)
            if (it.fragment().text() == words)
                return it.fragment().charFormat();
    return {};
}

} // namespace

class TestLessonText : public QObject {
    Q_OBJECT

private slots:
    void codeSpansTakeTheBodySizeAndTheMonospaceFamily() {
        const QString html =
            LessonText::html(QStringLiteral("Now `do_wp_page()` checks *exclusive* pages."), 20, QStringLiteral("mono"));
        const QTextCharFormat code = formatOf(html, QStringLiteral("do_wp_page()"));
        QCOMPARE(code.fontFamilies().toStringList(), QStringList{QStringLiteral("mono")});
        QCOMPARE(code.property(QTextFormat::FontPixelSize).toInt(), 18);  // 20 * 0.92, rounded
        const QTextCharFormat emphasis = formatOf(html, QStringLiteral("exclusive"));
        QVERIFY(emphasis.fontItalic());
        QVERIFY(!emphasis.fontFamilies().toStringList().contains(QStringLiteral("mono")));
        QVERIFY(html.contains(QStringLiteral("font-size:20px")));
    }
    void aCodeBlockToo() {
        const QString html = LessonText::html(QStringLiteral("Run:\n\n```\nfork P C\n```\n"), 14, QStringLiteral("mono"));
        const QTextCharFormat code = formatOf(html, QStringLiteral("fork P C"));
        QCOMPARE(code.fontFamilies().toStringList(), QStringList{QStringLiteral("mono")});
        QCOMPARE(code.property(QTextFormat::FontPixelSize).toInt(), 13);
    }
    void paragraphsKeepTheirSpacingAtAnySize() {
        // 6 px at a 14 px body (what Qt's Markdown rendering gives), 9 at 20.
        for (const auto& [size, margin] : {std::pair{14, 6}, std::pair{20, 9}}) {
            QTextDocument doc;
            doc.setHtml(LessonText::html(QStringLiteral("One.\n\nTwo.\n\n- three\n"), size, QStringLiteral("mono")));
            int blocks = 0;
            for (QTextBlock block = doc.begin(); block.isValid(); block = block.next(), ++blocks) {
                QCOMPARE(block.blockFormat().topMargin(), double(margin));
                QCOMPARE(block.blockFormat().bottomMargin(), double(margin));
            }
            QCOMPARE(blocks, 3);
        }
    }
    // A lesson pack is someone else's text: no image it names is fetched.
    void imagesAreNamedNotLoaded() {
        const QString html = LessonText::html(
            QStringLiteral("Look: ![diagram](http://example.invalid/x.png) and <img src=\"http://example.invalid/y.png\">"),
            14, QStringLiteral("mono"));
        QVERIFY(!html.contains(QStringLiteral("<img")));
        QVERIFY(html.contains(QStringLiteral("[image not shown: http://example.invalid/x.png]")));
        QVERIFY(!html.contains(QStringLiteral("y.png\"")));
    }

    void nothingInNothingOut() { QVERIFY(LessonText::html(QString(), 14, QStringLiteral("mono")).isEmpty()); }
};

QTEST_MAIN(TestLessonText)
#include "tst_lesson_text.moc"
