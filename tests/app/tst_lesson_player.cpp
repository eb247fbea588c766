// The lesson player without QML: it walks lesson 2 (fork and copy-on-write)
// the way a student does, and the stage (the Session) shows the state before
// and after each step's command; the engine judges every answer.
#include "lesson_player.h"
#include "session.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

namespace {

QString lessonPath(const char* name) {
    return QStringLiteral(MMTUTOR_LESSONS "/") + QLatin1String(name);
}

QVariantMap checkpointAt(const LessonPlayer& player, int index) {
    return player.checkpoints().at(index).toMap();
}

// The index of the shown choice with this value.
int choiceIndex(const QVariantMap& checkpoint, const QString& value) {
    const QVariantList choices = checkpoint.value(QStringLiteral("choices")).toList();
    for (int i = 0; i < choices.size(); ++i)
        if (choices[i].toMap().value(QStringLiteral("value")).toString() == value)
            return i;
    return -1;
}

} // namespace

class LessonPlayerTest : public QObject {
    Q_OBJECT

private slots:
    void walksALessonStepByStep() {
        Session session;
        LessonPlayer player;
        player.setSession(&session);
        QSignalSpy progressed(&player, &LessonPlayer::progressed);
        QSignalSpy answered(&player, &LessonPlayer::answered);
        QSignalSpy completed(&player, &LessonPlayer::completed);

        QVERIFY2(player.loadFile(lessonPath("02-fork-and-cow.lesson")), qPrintable(player.errors().join('\n')));
        QVERIFY(player.active());
        QCOMPARE(player.lessonId(), QStringLiteral("fork-and-cow"));
        QCOMPARE(player.title(), QStringLiteral("fork and copy-on-write"));
        QCOMPARE(player.era(), QStringLiteral("c"));
        QCOMPARE(player.stepCount(), 9);
        QCOMPARE(player.phase(), QStringLiteral("intro"));
        QVERIFY(session.loaded());
        QCOMPARE(session.stepIndex(), 0);

        // Step 2 of the lesson is command 5, fork: the stage shows the state after command 4.
        player.start(1);
        QCOMPARE(player.phase(), QStringLiteral("predict"));
        QCOMPARE(player.commandNumber(), 5);
        QCOMPARE(player.commandText(), QStringLiteral("fork P C"));
        QCOMPARE(session.commandIndex(), 3); // the last command applied: the 4th
        QCOMPARE(progressed.last().at(1).toInt(), 1);
        QCOMPARE(player.checkpoints().size(), 3);
        QVERIFY(!player.allAnswered());
        // Highlights resolve on the state shown (before fork: P's entry exists, C does not yet).
        bool parentEntry = false;
        for (const QVariant& h : player.highlights()) {
            const QVariantMap map = h.toMap();
            if (map.value(QStringLiteral("text")).toString() == QStringLiteral("P buf[0]"))
                parentEntry = map.value(QStringLiteral("resolved")).toBool() &&
                              map.value(QStringLiteral("kind")).toString() == QStringLiteral("entry");
            if (map.value(QStringLiteral("text")).toString() == QStringLiteral("process C"))
                QCOMPARE(map.value(QStringLiteral("resolved")).toBool(), false);
        }
        QVERIFY(parentEntry);

        // Choices come sorted by value, with no verdict before the reveal.
        QVariantMap samePage = checkpointAt(player, 0);
        QCOMPARE(samePage.value(QStringLiteral("ask")).toString(), QStringLiteral("same-page"));
        QVERIFY(!samePage.contains(QStringLiteral("engineValue")));
        QCOMPARE(choiceIndex(samePage, QStringLiteral("no")), 0);
        QCOMPARE(choiceIndex(samePage, QStringLiteral("yes")), 1);

        player.choose(0, choiceIndex(samePage, QStringLiteral("yes")));
        QCOMPARE(answered.last().at(2).toString(), QStringLiteral("yes"));
        QCOMPARE(answered.last().at(3).toBool(), true);
        player.choose(1, choiceIndex(checkpointAt(player, 1), QStringLiteral("present-rw")));
        QCOMPARE(answered.last().at(3).toBool(), false); // fork write-protects the parent's entry
        player.choose(2, choiceIndex(checkpointAt(player, 2), QStringLiteral("no")));
        QVERIFY(player.allAnswered());

        // Running plays the command's kernel steps; revealing lands at its end.
        player.run();
        QCOMPARE(player.phase(), QStringLiteral("running"));
        QVERIFY(session.playing());
        player.reveal();
        QCOMPARE(player.phase(), QStringLiteral("revealed"));
        QVERIFY(!session.playing());
        QCOMPARE(session.commandIndex(), 4); // fork applied
        const QVariantMap pte = checkpointAt(player, 1);
        QCOMPARE(pte.value(QStringLiteral("engineValue")).toString(), QStringLiteral("present-ro"));
        const QVariantList choices = pte.value(QStringLiteral("choices")).toList();
        QCOMPARE(choices[choiceIndex(pte, QStringLiteral("present-ro"))].toMap().value(QStringLiteral("right")).toBool(), true);
        QCOMPARE(choices[choiceIndex(pte, QStringLiteral("present-rw"))].toMap().value(QStringLiteral("right")).toBool(), false);
        QVERIFY(!choices[choiceIndex(pte, QStringLiteral("present-rw"))].toMap().value(QStringLiteral("explanation")).toString().isEmpty());
        // After the reveal, answers no longer change.
        player.choose(1, choiceIndex(pte, QStringLiteral("present-ro")));
        QCOMPARE(checkpointAt(player, 1).value(QStringLiteral("chosen")).toInt(), choiceIndex(pte, QStringLiteral("present-rw")));

        // Back shows the state before the command again.
        player.back();
        QCOMPARE(player.phase(), QStringLiteral("predict"));
        QCOMPARE(session.commandIndex(), 3);
        player.next(); // run
        player.next(); // show the result
        QCOMPARE(player.phase(), QStringLiteral("revealed"));
        player.next(); // on to step 3: read C buf[0]
        QCOMPARE(player.stepIndex(), 2);
        QCOMPARE(player.commandText(), QStringLiteral("read C buf[0]"));

        // Highlights resolve on the state shown: step 5 (write P buf[0] "parent") points at P's page.
        player.start(4);
        const QVariantList highlights = player.highlights();
        QVERIFY(!highlights.isEmpty());
        const QVariantMap page = highlights.first().toMap();
        QCOMPARE(page.value(QStringLiteral("kind")).toString(), QStringLiteral("page"));
        QCOMPARE(page.value(QStringLiteral("resolved")).toBool(), true);
        QCOMPARE(page.value(QStringLiteral("pfn")).toInt(), 514);

        // The end: the closing page, and the lesson counts as complete.
        player.start(player.stepCount());
        QCOMPARE(player.phase(), QStringLiteral("try"));
        QCOMPARE(completed.size(), 1);
        QVERIFY(player.tryScenario().startsWith(QStringLiteral("era c")) ||
                player.tryScenario().startsWith(QStringLiteral("process")));
        QVERIFY(player.openTryScenario());
        QVERIFY(!player.active());
        QCOMPARE(session.fileName(), QStringLiteral("fork-and-cow-try.mmt"));
        QVERIFY(session.loaded());
    }

    // After the reveal, a function the step points at opens its first kernel
    // step of the command in the narration (the "Look at" chip does this).
    void aRevealedStepShowsTheFunctionItPointsAt() {
        Session session;
        LessonPlayer player;
        player.setSession(&session);
        QVERIFY(player.loadFile(lessonPath("02-fork-and-cow.lesson")));
        player.start(1); // command 5, fork P C: highlight function copy_present_pte
        player.reveal();
        QCOMPARE(player.phase(), QStringLiteral("revealed"));
        const int end = session.stepIndex();
        QCOMPARE(session.currentSource(), QStringLiteral("fork P C"));
        QVERIFY(session.currentFunction() != QStringLiteral("copy_present_pte"));
        QVERIFY(session.showStepIn(QStringLiteral("copy_present_pte")));
        QCOMPARE(session.currentFunction(), QStringLiteral("copy_present_pte"));
        QCOMPARE(session.currentSource(), QStringLiteral("fork P C"));
        QVERIFY(session.stepIndex() < end);
        QCOMPARE(player.phase(), QStringLiteral("revealed"));
        // dup_mmap is on the path of every step of fork, never innermost first.
        QVERIFY(session.showStepIn(QStringLiteral("dup_mmap")));
        QVERIFY(session.currentPath().startsWith(QStringLiteral("dup_mmap")));
        const int here = session.stepIndex();
        QVERIFY(!session.showStepIn(QStringLiteral("wp_page_copy")));
        QCOMPARE(session.stepIndex(), here);
    }

    void aBrokenLessonLeavesTheStageAlone() {
        Session session;
        LessonPlayer player;
        player.setSession(&session);
        QVERIFY(session.openText(QStringLiteral("process P\nmap P buf 1 rw\n"), QStringLiteral("mine.mmt")));
        QVERIFY(!player.load(QStringLiteral("broken"), QStringLiteral("id: broken\ntitle: no more\n")));
        QVERIFY(!player.active());
        QVERIFY(!player.errors().isEmpty());
        QVERIFY(player.errors().first().startsWith(QStringLiteral("broken.lesson:")));
        QCOMPARE(session.fileName(), QStringLiteral("mine.mmt"));
        QVERIFY(!player.loadFile(lessonPath("no-such.lesson")));
        QVERIFY(player.errors().first().contains(QStringLiteral("cannot read the lesson")));
    }

    void theLessonEndsWhenAnotherFileOpens() {
        Session session;
        LessonPlayer player;
        player.setSession(&session);
        QVERIFY(player.loadFile(lessonPath("05-page-count-cow.lesson")));
        QCOMPARE(player.era(), QStringLiteral("b"));
        QCOMPARE(session.era(), QStringLiteral("b")); // the lesson's era, whatever was shown before
        // Another era of the same scenario: the lesson stays, and says so.
        session.setEra(QStringLiteral("c"));
        QVERIFY(player.active());
        QVERIFY(player.eraMismatch());
        session.setEra(QStringLiteral("b"));
        QVERIFY(!player.eraMismatch());
        QVERIFY(session.openText(QStringLiteral("process P\n"), QStringLiteral("other.mmt")));
        QVERIFY(!player.active());
    }
};

QTEST_GUILESS_MAIN(LessonPlayerTest)
#include "tst_lesson_player.moc"
