// The narration's pseudo-code: every function a scenario reaches has a
// listing in the era it runs in, each era reads its own kernel's logic, and
// a step's sentence picks the line it is about.
#include "kernel.h"
#include "lesson.h"
#include "pseudo_code.h"
#include "session.h"

#include <utility>

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QTest>

namespace {

constexpr mmt::Era kEras[] = {mmt::Era::a, mmt::Era::b, mmt::Era::c};

QString eraName(mmt::Era era) {
    return QStringLiteral("era ") + QChar::fromLatin1(mmt::era_letter(era));
}

bool mentions(const QStringList& listing, const QString& text) {
    return listing.join(QLatin1Char('\n')).contains(text, Qt::CaseInsensitive);
}

// What only the PG_anon_exclusive kernels (era c, v5.19 and later) have.
const QStringList kOnlyInEraC = {
    QStringLiteral("PageAnonExclusive"),
    QStringLiteral("PG_anon_exclusive"),
    QStringLiteral("RMAP_EXCLUSIVE"),
    QStringLiteral("FAULT_FLAG_UNSHARE"),
    QStringLiteral("page_try_"),
    QStringLiteral("gup_must_unshare"),
    QStringLiteral("try_grab_folio"),
    QStringLiteral("exclusive"),
    QStringLiteral("unshar"),
};

// What came after v5.7 (era a): the fork-time copy of pinned pages, the
// GUP-fast fence, MMF_HAS_PINNED, and the functions renamed since.
const QStringList kNotYetInEraA = {
    QStringLiteral("write_protect_seq"),      QStringLiteral("MMF_HAS_PINNED"),
    QStringLiteral("page_needs_cow"),         QStringLiteral("copy_present_page"),
    QStringLiteral("lockless_pages_from_mm"), QStringLiteral("try_to_migrate"),
    QStringLiteral("folio_migrate"),          QStringLiteral("may be pinned"),
};

const char* kSmallDocument = R"({"functions": {
    "everywhere": [{"code": "the same in every era", "match": ["same"]}],
    "by_era": {
        "a": [{"code": "v5.7's way", "match": ["mapcount"]}],
        "bc": [{"code": "the later way", "match": ["page_count"]}, {"code": "and more", "match": []}]
    },
    "only_c": {"c": [{"code": "new in v5.19", "match": []}]}
}})";

// The listing lines that the steps freeing a page inside `function`
// highlight, over the whole run of `text`.
QStringList freeStepLines(const QString& text, const QString& function) {
    Session session;
    if (!session.openText(text, QStringLiteral("free.mmt")))
        return {};
    QStringList lines;
    for (int step = 2; step <= session.stepCount(); ++step) {
        session.seek(step);
        if (session.currentFunction() != function ||
            !session.currentSentence().contains(QStringLiteral("loses its last reference")))
            continue;
        const int line = session.currentListingLine();
        lines << (line >= 0 ? session.currentListing()[line] : QStringLiteral("(none)"));
    }
    return lines;
}

} // namespace

class PseudoCodeTest : public QObject {
    Q_OBJECT

private slots:
    void resourceLoads() {
        const PseudoCode& code = PseudoCode::builtIn();
        QVERIFY(code.functions().size() > 50);
        for (const mmt::Era era : kEras)
            QVERIFY2(!code.listing(QStringLiteral("do_wp_page"), era).isEmpty(), qPrintable(eraName(era)));
    }

    void innermostFunction() {
        QCOMPARE(
            PseudoCode::innermost(QStringLiteral("handle_mm_fault \u2192 do_wp_page \u2192 wp_page_copy")),
            QStringLiteral("wp_page_copy"));
        QCOMPARE(PseudoCode::innermost(QStringLiteral("dup_mmap")), QStringLiteral("dup_mmap"));
    }

    // A listing given as an array serves every era; an object gives each
    // group of eras its own; an era it leaves out has no listing at all.
    void listingsByEra() {
        PseudoCode code;
        QString error;
        QVERIFY2(code.load(kSmallDocument, &error), qPrintable(error));
        for (const mmt::Era era : kEras)
            QCOMPARE(code.listing(QStringLiteral("everywhere"), era),
                     QStringList{QStringLiteral("the same in every era")});
        QCOMPARE(code.listing(QStringLiteral("by_era"), mmt::Era::a),
                 QStringList{QStringLiteral("v5.7's way")});
        QCOMPARE(code.listing(QStringLiteral("by_era"), mmt::Era::b).size(), 2);
        QCOMPARE(code.listing(QStringLiteral("by_era"), mmt::Era::b),
                 code.listing(QStringLiteral("by_era"), mmt::Era::c));
        QCOMPARE(code.lineFor(QStringLiteral("by_era"), mmt::Era::a, QStringLiteral("mapcount is 1")), 0);
        QCOMPARE(code.lineFor(QStringLiteral("by_era"), mmt::Era::b, QStringLiteral("mapcount is 1")), -1);
        QVERIFY(code.has(QStringLiteral("only_c"), mmt::Era::c));
        QVERIFY(!code.has(QStringLiteral("only_c"), mmt::Era::a));
        QVERIFY(code.listing(QStringLiteral("only_c"), mmt::Era::b).isEmpty());
        QCOMPARE(code.lineFor(QStringLiteral("only_c"), mmt::Era::a, QStringLiteral("anything")), -1);
        QCOMPARE(code.functions().size(), 3);
        QCOMPARE(code.functions(mmt::Era::a).size(), 2);
    }

    void malformedEraKeysAreRefused() {
        PseudoCode code;
        QString error;
        QVERIFY(!code.load(R"({"functions": {"f": {"d": [{"code": "x", "match": []}]}}})", &error));
        QVERIFY2(error.contains(QStringLiteral("names no era")), qPrintable(error));
        QVERIFY(!code.load(R"({"functions": {"f": {"a": [], "ab": []}}})", &error));
        QVERIFY2(error.contains(QStringLiteral("era a has two listings")), qPrintable(error));
        QVERIFY(!code.load(R"({"functions": {"f": "not a listing"}})", &error));
    }

    // The built-in listings: a function that works the same in every era
    // reads the same in every era.
    void aSharedListingFallsBackInEveryEra() {
        const PseudoCode& code = PseudoCode::builtIn();
        const QStringList zap = code.listing(QStringLiteral("zap_pte_range"), mmt::Era::c);
        QVERIFY(!zap.isEmpty());
        QCOMPARE(code.listing(QStringLiteral("zap_pte_range"), mmt::Era::a), zap);
        QCOMPARE(code.listing(QStringLiteral("zap_pte_range"), mmt::Era::b), zap);
    }

    // The write fault on a read-only anonymous page, the heart of the three
    // eras: a decides by mapcount, b by page_count, c by PG_anon_exclusive.
    void doWpPageReadsAsItsEraDecides() {
        const PseudoCode& code = PseudoCode::builtIn();
        const QStringList a = code.listing(QStringLiteral("do_wp_page"), mmt::Era::a);
        QVERIFY(mentions(a, QStringLiteral("reuse_swap_page")));
        QVERIFY(mentions(a, QStringLiteral("mapcount + swap count")));
        QVERIFY(mentions(a, QStringLiteral("reuse_ksm_page")));
        QVERIFY(!mentions(a, QStringLiteral("PageAnonExclusive")));
        const QStringList b = code.listing(QStringLiteral("do_wp_page"), mmt::Era::b);
        QVERIFY(mentions(b, QStringLiteral("page_count != 1")));
        QVERIFY(!mentions(b, QStringLiteral("reuse_swap_page")));
        QVERIFY(!mentions(b, QStringLiteral("PageAnonExclusive")));
        const QStringList c = code.listing(QStringLiteral("do_wp_page"), mmt::Era::c);
        QVERIFY(mentions(c, QStringLiteral("PageAnonExclusive")));
        QVERIFY(mentions(c, QStringLiteral("unsharing")));
        QVERIFY(!mentions(c, QStringLiteral("reuse_swap_page")));
    }

    // Fork: v5.7 shares every page; b copies a maybe-pinned page for the
    // child (page_needs_cow_for_dma); c lets page_try_dup_anon_rmap refuse.
    void forkReadsAsItsEraDecides() {
        const PseudoCode& code = PseudoCode::builtIn();
        QVERIFY(mentions(code.listing(QStringLiteral("copy_one_pte"), mmt::Era::a),
                         QStringLiteral("no pin check")));
        QVERIFY(mentions(code.listing(QStringLiteral("copy_present_pte"), mmt::Era::b),
                         QStringLiteral("page_needs_cow_for_dma")));
        QVERIFY(mentions(code.listing(QStringLiteral("copy_present_pte"), mmt::Era::c),
                         QStringLiteral("page_try_dup_anon_rmap")));
        // v5.7 named the PTE copy copy_one_pte; b and c split it in two.
        QVERIFY(!code.has(QStringLiteral("copy_present_pte"), mmt::Era::a));
        QVERIFY(!code.has(QStringLiteral("copy_one_pte"), mmt::Era::b));
        // write_protect_seq (v5.11) brackets the copy of each COW VMA.
        QVERIFY(!mentions(code.listing(QStringLiteral("copy_page_range"), mmt::Era::a),
                          QStringLiteral("write_protect_seq")));
        QVERIFY(mentions(code.listing(QStringLiteral("copy_page_range"), mmt::Era::b),
                         QStringLiteral("write_protect_seq")));
        QVERIFY(!mentions(code.listing(QStringLiteral("dup_mmap"), mmt::Era::c),
                          QStringLiteral("write_protect_seq")));
        // v5.7's device-private entries carry no soft-dirty bit (v5.9 added it):
        // its fork has none to lose.
        QVERIFY(!mentions(code.listing(QStringLiteral("copy_one_pte"), mmt::Era::a),
                          QStringLiteral("soft-dirty lost")));
        QVERIFY(mentions(code.listing(QStringLiteral("copy_nonpresent_pte"), mmt::Era::b),
                         QStringLiteral("soft-dirty lost")));
    }

    void noEarlierEraShowsWhatItsKernelLacked() {
        const PseudoCode& code = PseudoCode::builtIn();
        QStringList wrong;
        for (const mmt::Era era : {mmt::Era::a, mmt::Era::b}) {
            QStringList terms = kOnlyInEraC;
            if (era == mmt::Era::a)
                terms += kNotYetInEraA;
            for (const QString& function : code.functions(era))
                for (const QString& line : code.listing(function, era))
                    for (const QString& term : terms)
                        if (line.contains(term, Qt::CaseInsensitive))
                            wrong << QStringLiteral("%1 %2: \"%3\" (%4)")
                                         .arg(eraName(era), function, line, term);
        }
        QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
    }

    // Every scenario (tests/scenarios, tests/races, and the two of each
    // lesson) in every era it runs in: each step's innermost function has a
    // listing in that era, and the line it highlights is in it.
    void everyReachedFunctionHasAListingInItsEra() {
        const PseudoCode& code = PseudoCode::builtIn();
        QSet<QString> missing;
        int reached[3] = {};
        const auto walk = [&](Session& session, const QString& name) {
            for (const mmt::Era era : kEras) {
                session.setEra(QString(QChar::fromLatin1(mmt::era_letter(era))));
                const mmt::Kernel* kernel = session.kernel();
                if (kernel == nullptr)
                    continue; // the scenario refuses this era
                for (uint32_t step = 0; step < kernel->steps().size(); ++step) {
                    const QString function =
                        PseudoCode::innermost(QString::fromStdString(kernel->step_path(step)));
                    const QString sentence = QString::fromStdString(kernel->step_sentence(step));
                    ++reached[static_cast<int>(era)];
                    if (!code.has(function, era))
                        missing << QStringLiteral("%1 in %2 (%3)").arg(function, eraName(era), name);
                    QVERIFY(code.lineFor(function, era, sentence) < code.listing(function, era).size());
                }
            }
        };
        int scenarios = 0;
        for (const char* folder : {MMTUTOR_SCENARIOS, MMTUTOR_RACES}) {
            const QDir dir(QString::fromUtf8(folder));
            for (const QString& file : dir.entryList({QStringLiteral("*.mmt")}, QDir::Files)) {
                Session session;
                if (!session.openFile(dir.filePath(file)))
                    continue; // a scenario the parser rejects is the CLI tests' business
                walk(session, file);
                ++scenarios;
            }
        }
        for (const std::string& path : mmt::lesson_files(MMTUTOR_LESSONS)) {
            std::string text, error;
            QVERIFY2(mmt::read_lesson_file(path, &text, &error), error.c_str());
            const mmt::LessonParseResult parsed = mmt::parse_lesson(text, path);
            QVERIFY2(parsed.lesson, path.c_str());
            const QString name = QFileInfo(QString::fromStdString(path)).fileName();
            for (const mmt::EmbeddedScenario* embedded :
                 {&parsed.lesson->scenario, &parsed.lesson->try_scenario}) {
                Session session;
                QVERIFY2(session.openText(QString::fromStdString(embedded->text), name), qPrintable(name));
                walk(session, name);
                ++scenarios;
            }
        }
        QVERIFY(scenarios > 150);
        for (const int count : reached)
            QVERIFY(count > 100);
        QVERIFY2(missing.isEmpty(), qPrintable(QStringList(missing.values()).join(QStringLiteral(", "))));
    }

    void knownStepsHighlightTheirLine() {
        const PseudoCode& code = PseudoCode::builtIn();
        const auto lineOf = [&code](const char* function, mmt::Era era, const char* sentence) {
            const QString name = QString::fromUtf8(function);
            const int line = code.lineFor(name, era, QString::fromUtf8(sentence));
            return line < 0 ? QString() : code.listing(name, era)[line];
        };
        for (const mmt::Era era : kEras) {
            QVERIFY(lineOf("wp_page_copy", era,
                           "copy: take a temporary reference on the old page and copy its "
                           "contents into a new page")
                        .contains(QStringLiteral("new = copy of old")));
            QCOMPARE(lineOf("wp_page_copy", era, "nothing in common"), QString());
        }
        QVERIFY(lineOf("copy_page_range", mmt::Era::c, "this VMA is copied: write_protect_seq is even again")
                    .contains(QStringLiteral("even again")));
        QVERIFY(lineOf("dup_mmap", mmt::Era::a,
                       "fork: create the child's mm and copy the parent's VMAs, and their page tables, one by one")
                    .contains(QStringLiteral("create the child's mm")));
        QVERIFY(
            lineOf(
                "reuse_swap_page", mmt::Era::a,
                "mapcount + swap count is 1: ours alone, reuse in place (the refcount, 2, is not looked at: "
                "GUP references are invisible)")
                .contains(QStringLiteral("count == 1")));
        QVERIFY(
            lineOf("do_wp_page", mmt::Era::b,
                   "page_count is 2, not 1: someone else may use the page (a mapping, the swap cache, a GUP "
                   "reference or pin), so copy")
                .contains(QStringLiteral("page_count != 1")));
        QVERIFY(lineOf("do_wp_page", mmt::Era::c,
                       "PageAnonExclusive is set: the page is ours alone, reuse it without looking at any "
                       "count")
                    .contains(QStringLiteral("if PageAnonExclusive")));
        QVERIFY(lineOf("do_wp_page", mmt::Era::c, "a KSM page is never exclusive: copy")
                    .contains(QStringLiteral("KSM")));
        QVERIFY(lineOf("copy_present_pte", mmt::Era::c,
                       "page_try_dup_anon_rmap refuses (-EBUSY): the page may be pinned (MMF_HAS_PINNED and "
                       "page_maybe_dma_pinned), so the child must not share it")
                    .contains(QStringLiteral("-EBUSY")));
        // Migration's refcount compare: the success and the failure sentence
        // start alike; each highlights its own branch.
        for (const auto& [function, era] : {std::pair{"folio_migrate_mapping", mmt::Era::c},
                                            std::pair{"migrate_page_move_mapping", mmt::Era::a}}) {
            QVERIFY(
                lineOf(function, era,
                       "an anonymous page outside the swap cache: the refcount is exactly what migration "
                       "holds (1); it is compared, not frozen, and the new page takes over the anon mapping")
                    .contains(QStringLiteral("the new page takes the anon mapping")));
            QVERIFY(lineOf(function, era,
                           "an anonymous page outside the swap cache: the refcount is 1026 but migration "
                           "expects 2; someone else (a GUP reference or pin) holds the page: -EAGAIN")
                        .contains(QStringLiteral("-EAGAIN")));
        }
        // v5.7's write to the huge zero PMD clears a new THP: no copy.
        QVERIFY(lineOf("do_huge_pmd_wp_page", mmt::Era::a,
                       "the PMD maps the huge zero page: allocate a new THP and clear all 512 subpages")
                    .contains(QStringLiteral("the huge zero page")));
        QCOMPARE(code.lineFor(QStringLiteral("no_such_function"), mmt::Era::c, QStringLiteral("copy")), -1);
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

    // KSM's unstable-tree merge drops its lookup reference and that frees
    // the duplicate page: the free has no line of its own and keeps the
    // line of the put that caused it.
    void aStepWithoutALineKeepsThePreviousStepsLine() {
        const QStringList lines = freeStepLines(
            QStringLiteral("process P\nmap P buf 2 rw\nwrite P buf[0] \"same\"\nwrite P buf[1] \"same\"\n"
                           "ksm-merge P buf[0] P buf[1]\n"),
            QStringLiteral("cmp_and_merge_page"));
        QVERIFY(!lines.isEmpty());
        for (const QString& line : lines)
            QVERIFY2(line.contains(QStringLiteral("drop that reference")), qPrintable(line));
    }

    // A migration a pin refuses frees its target, not the old page: the
    // free goes on with the failure's line, never the success's.
    void aFailedMigrationsFreeHighlightsTheFailure() {
        const QStringList lines = freeStepLines(
            QStringLiteral("process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\npin P buf[0] write as H\n"
                           "migrate P buf[0]\n"),
            QStringLiteral("migrate_pages"));
        QVERIFY(!lines.isEmpty());
        for (const QString& line : lines)
            QVERIFY2(line.startsWith(QStringLiteral("failed")), qPrintable(line));
    }

    // The same scenario in each era: the parent's write fault after fork
    // shows the listing of that era's kernel.
    void sessionShowsTheListingOfItsEra() {
        Session session;
        QVERIFY(session.openFile(QStringLiteral(MMTUTOR_TEST_DATA "/fork_pin.mmt")));
        for (const mmt::Era era : kEras) {
            session.setEra(QString(QChar::fromLatin1(mmt::era_letter(era))));
            QCOMPARE(session.engineEra(), era);
            bool sawExclusive = false;
            for (int step = 1; step <= session.stepCount(); ++step) {
                session.seek(step);
                QCOMPARE(session.currentListing(),
                         PseudoCode::builtIn().listing(session.currentFunction(), era));
                sawExclusive =
                    sawExclusive || mentions(session.currentListing(), QStringLiteral("PageAnonExclusive"));
            }
            QCOMPARE(sawExclusive, era == mmt::Era::c);
        }
    }
};

QTEST_GUILESS_MAIN(PseudoCodeTest)
#include "tst_pseudo_code.moc"
