// The narration's pseudo-code: every function a scenario reaches has a
// listing, and a step's sentence picks the line it is about.
#include "kernel.h"
#include "pseudo_code.h"
#include "session.h"

#include <QDir>
#include <QSet>
#include <QTest>

class PseudoCodeTest : public QObject {
    Q_OBJECT

private slots:
    void resourceLoads() {
        QVERIFY(PseudoCode::builtIn().functions().size() > 50);
        QVERIFY(!PseudoCode::builtIn().listing(QStringLiteral("do_wp_page")).isEmpty());
    }

    void innermostFunction() {
        QCOMPARE(PseudoCode::innermost(QStringLiteral("handle_mm_fault \u2192 do_wp_page \u2192 wp_page_copy")),
                 QStringLiteral("wp_page_copy"));
        QCOMPARE(PseudoCode::innermost(QStringLiteral("dup_mmap")), QStringLiteral("dup_mmap"));
    }

    void everyReachedFunctionHasAListing() {
        const QDir dir(QStringLiteral(MMTUTOR_SCENARIOS));
        const QStringList files = dir.entryList({QStringLiteral("*.mmt")}, QDir::Files);
        QVERIFY(!files.isEmpty());
        QSet<QString> missing;
        int reached = 0;
        for (const QString& file : files) {
            Session session;
            if (!session.openFile(dir.filePath(file)))
                continue; // a scenario the parser rejects is the CLI tests' business
            for (const QString era : {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}) {
                session.setEra(era);
                const mmt::Kernel* kernel = session.kernel();
                if (kernel == nullptr)
                    continue; // the scenario refuses this era
                for (uint32_t step = 0; step < kernel->steps().size(); ++step) {
                    const QString function =
                        PseudoCode::innermost(QString::fromStdString(kernel->step_path(step)));
                    ++reached;
                    if (!PseudoCode::builtIn().has(function))
                        missing << function + QStringLiteral(" (") + file + QStringLiteral(")");
                }
            }
        }
        QVERIFY(reached > 0);
        QVERIFY2(missing.isEmpty(), qPrintable(QStringList(missing.values()).join(QStringLiteral(", "))));
    }

    void knownStepsHighlightTheirLine() {
        const PseudoCode& code = PseudoCode::builtIn();
        const int line = code.lineFor(QStringLiteral("wp_page_copy"),
            QStringLiteral("copy: take a temporary reference on the old page and copy its contents into a new page"));
        QVERIFY(line >= 0);
        QVERIFY(code.listing(QStringLiteral("wp_page_copy"))[line].contains(QStringLiteral("new = copy of old")));
        const int fork = code.lineFor(QStringLiteral("dup_mmap"), QStringLiteral("fork done: write_protect_seq is even again"));
        QVERIFY(code.listing(QStringLiteral("dup_mmap"))[fork].contains(QStringLiteral("even again")));
        QCOMPARE(code.lineFor(QStringLiteral("wp_page_copy"), QStringLiteral("nothing in common")), -1);
        QCOMPARE(code.lineFor(QStringLiteral("no_such_function"), QStringLiteral("copy")), -1);
    }

    void sessionShowsTheListing() {
        Session session;
        QVERIFY(session.openFile(QStringLiteral(MMTUTOR_TEST_DATA "/fork_pin.mmt")));
        bool sawHighlight = false;
        for (int step = 1; step <= session.stepCount(); ++step) {
            session.seek(step);
            QVERIFY2(!session.currentListing().isEmpty(), qPrintable(session.currentFunction()));
            QVERIFY(session.currentListingLine() < session.currentListing().size());
            sawHighlight = sawHighlight || session.currentListingLine() >= 0;
        }
        QVERIFY(sawHighlight);
    }
};

QTEST_GUILESS_MAIN(PseudoCodeTest)
#include "tst_pseudo_code.moc"
