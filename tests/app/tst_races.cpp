// The race lanes and the explorer in the app, without QML: the lanes show the
// kernel steps of the race block the cursor is in, each on its CPU; the
// explorer finds what `mmtutor-cli explore` finds and opens the shortest
// breaking interleaving at the step of its breach; its probe reports the
// pins a later write corrupts where no invariant of the era breaks
// (tests/races, docs/races.md 4) and opens that interleaving at the write.
#include "kernel.h"
#include "race_explorer.h"
#include "race_lanes.h"
#include "session.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {

QString scenarioPath(const char* name) {
    return QStringLiteral(MMTUTOR_SCENARIOS "/") + QLatin1String(name);
}

QString racePath(const char* name) {
    return QStringLiteral(MMTUTOR_RACES "/") + QLatin1String(name);
}

QVariant roleData(const QAbstractItemModel& model, int row, const char* role) {
    return model.data(model.index(row, 0), model.roleNames().key(role));
}

// The CPU of every row, as digits: "11111000..."
QString cpuDigits(const QAbstractItemModel& model) {
    QString digits;
    for (int row = 0; row < model.rowCount(); ++row)
        digits += QString::number(roleData(model, row, "cpu").toInt());
    return digits;
}

int firstRowWithLabel(const QAbstractItemModel& model, const QString& label) {
    for (int row = 0; row < model.rowCount(); ++row)
        if (roleData(model, row, "label").toString() == label)
            return row;
    return -1;
}

} // namespace

class RacesTest : public QObject {
    Q_OBJECT

private slots:
    void lanesFollowTheCursorFromBlockToBlock() {
        Session session;
        RaceLaneModel lanes;
        QAbstractItemModelTester tester(&lanes, QAbstractItemModelTester::FailureReportingMode::QtTest);
        lanes.setSession(&session);
        QCOMPARE(lanes.rowCount(), 0);
        QCOMPARE(lanes.raceCount(), 0);

        QVERIFY(session.openFile(scenarioPath("race_ii_migrate_flush.c.mmt")));
        // Four race blocks; before any runs, the lanes show the first (line 14).
        QCOMPARE(lanes.raceCount(), 4);
        QCOMPARE(lanes.raceLine(), 14);
        QCOMPARE(lanes.currentRow(), -1);
        QCOMPARE(lanes.outcome(), QStringLiteral("failed: cpu0 migrate: page is pinned"));
        // The outcome is the block's once it has run to its end: its last row's step.
        QCOMPARE(lanes.blockEnd(), roleData(lanes, lanes.rowCount() - 1, "step").toInt());
        QVERIFY(session.stepIndex() < lanes.blockEnd());
        // Its order starts 1 1 1 1 1: GUP-fast's five steps run first, B1 to B5 on cpu1.
        for (int row = 0; row < 5; ++row) {
            QCOMPARE(roleData(lanes, row, "cpu").toInt(), 1);
            QCOMPARE(roleData(lanes, row, "label").toString(), QStringLiteral("B%1").arg(row + 1));
        }
        QCOMPARE(roleData(lanes, 0, "kernelFunction").toString(), QStringLiteral("gup_pte_range"));
        QCOMPARE(roleData(lanes, 2, "kernelFunction").toString(), QStringLiteral("try_grab_folio"));
        // Then migration on cpu0: A1 clears and flushes, A2 finds the pin.
        const int a2 = firstRowWithLabel(lanes, QStringLiteral("A2"));
        QVERIFY(a2 > 5);
        QCOMPARE(roleData(lanes, a2, "cpu").toInt(), 0);
        QVERIFY(roleData(lanes, a2, "sentence").toString().contains(QStringLiteral("sees a pin")));
        // With the flush, no step breaks anything.
        for (int row = 0; row < lanes.rowCount(); ++row)
            QCOMPARE(roleData(lanes, row, "breach").toBool(), false);

        // Seeking to a row's step makes it the current row.
        session.seek(roleData(lanes, 2, "step").toInt());
        QCOMPARE(lanes.currentRow(), 2);
        QCOMPARE(session.currentSentence().left(2), QStringLiteral("B3"));

        // The second block (line 34) takes over once the cursor enters it.
        QSignalSpy blockChanged(&lanes, &RaceLaneModel::blockChanged);
        session.end();
        QCOMPARE(lanes.raceLine(), 68);
        QVERIFY(blockChanged.count() >= 1);
        QCOMPARE(lanes.outcome(), QStringLiteral("ok"));
        // Order 0 1 0 0 ...: cpu0 first, then B1 on cpu1 finds no PTE.
        QCOMPARE(cpuDigits(lanes).left(1), QStringLiteral("0"));
        QCOMPARE(lanes.currentRow(), lanes.rowCount() - 1);
    }

    void explorerFindsNothingWithTheFlush() {
        Session session;
        RaceExplorer explorer;
        explorer.setSession(&session);
        QVERIFY(!explorer.available());
        QVERIFY(!explorer.explore());

        QVERIFY(session.openFile(scenarioPath("race_ii_migrate_flush.c.mmt")));
        QVERIFY(explorer.available());
        QVERIFY(explorer.explore());
        // The counts mmtutor-cli explore prints for this file.
        QCOMPARE(explorer.interleavings(), 15.0);
        QCOMPARE(explorer.breaking(), 0.0);
        QCOMPARE(explorer.raceLine(), 14);
        QVERIFY(explorer.replayText().isEmpty());
        QVERIFY(!explorer.openFinding());
        QVERIFY(explorer.summary().contains(QStringLiteral("all 15 interleavings")));
        QVERIFY(!explorer.summary().contains(QStringLiteral("one atomic step")));
        // Nor does a later write separate the pin from the process.
        QCOMPARE(explorer.incoherent(), 0.0);
        QVERIFY(explorer.incoherentReplayText().isEmpty());
        QVERIFY(!explorer.openIncoherentFinding());
    }

    // A THP's reclaim runs as one atomic step: the summary says its counts do
    // not cover races inside that unmap.
    void explorerSaysWhenAWriterRanWhole() {
        Session session;
        RaceExplorer explorer;
        explorer.setSession(&session);
        QVERIFY(session.openFile(scenarioPath("race_thp_swapout_whole.b.mmt")));
        QVERIFY(explorer.explore());
        QCOMPARE(explorer.interleavings(), 2.0);
        QVERIFY(explorer.summary().contains(QStringLiteral(
            "A writer ran its whole command as one atomic step (the page is a PMD-mapped THP)")));
    }

    // Race III in era b (tests/races/r01_race3_b.mmt): every interleaving keeps
    // the invariants of era b, but in 15 the pinned page is left unmapped in the
    // swap cache, and P's read then write copies it away from the pin.
    void explorerReportsThePinALaterWriteCorruptsInEraB() {
        Session session;
        RaceExplorer explorer;
        explorer.setSession(&session);
        QVERIFY(session.openFile(racePath("r01_race3_b.mmt")));
        session.setEra(QStringLiteral("b"));
        QVERIFY(explorer.explore());
        // The counts mmtutor-cli explore prints (tests/races/expected/r01_race3_b.b.txt).
        QCOMPARE(explorer.interleavings(), 105.0);
        QCOMPARE(explorer.breaking(), 0.0);
        QCOMPARE(explorer.incoherent(), 15.0);
        QCOMPARE(explorer.incoherentWithoutBreach(), 15.0);
        QCOMPARE(explorer.incoherentSteps(), 11);
        QCOMPARE(explorer.incoherentOrder(), QStringLiteral("0 1 1 1 1 0 0 0 0 1 0"));
        // "Safe" no longer: the summary says what the probe found.
        QVERIFY(explorer.summary().contains(QStringLiteral("era b: all 105 interleavings")));
        QVERIFY(
            explorer.summary().contains(QStringLiteral("but 15 leave a pin incoherent after a later write")));
        QVERIFY(explorer.incoherentSummary().startsWith(QStringLiteral(
            "15 of 105 interleavings leave a pin incoherent after a later write (all 15 keep every "
            "invariant)")));
        QVERIFY(
            explorer.incoherentSummary().contains(QStringLiteral("11 steps (order 0 1 1 1 1 0 0 0 0 1 0)")));
        // What broke the pin: P's read, then write, and the coherence check's message.
        QCOMPARE(explorer.probeAccess(), QStringLiteral("P reads buf[0], then writes it"));
        QCOMPARE(explorer.probeRule(), QStringLiteral("pin coherence"));
        QVERIFY(explorer.probeMessage().startsWith(QStringLiteral("H holds page #")));
        QVERIFY(explorer.probeMessage().contains(QStringLiteral("but P buf[0] now maps page #")));
        QVERIFY(explorer.probeWhere().contains(QStringLiteral("do_wp_page")));
        QVERIFY(explorer.probeSentence().startsWith(QStringLiteral(
            "Then P reads buf[0], then writes it, and the pin coherence check fails: H holds page #")));
        // Nothing breaks inside the block, so there is no breaking one to open.
        QVERIFY(explorer.replayText().isEmpty());
        QVERIFY(!explorer.openFinding());
        // The replay: the interleaving, the access and the expectation that fails.
        const QString replay = explorer.incoherentReplayText();
        QVERIFY(replay.contains(QStringLiteral("order 0 1 1 1 1 0 0 0 0 1 0\n")));
        QVERIFY(replay.contains(
            QStringLiteral("end\nread P buf[0]\nwrite P buf[0] \"later\"\nexpect H coherent P buf[0]\n")));

        QVERIFY(explorer.openIncoherentFinding());
        QCOMPARE(session.fileName(), QStringLiteral("r01_race3_b-incoherent.mmt"));
        QCOMPARE(session.era(), QStringLiteral("b"));
        QCOMPARE(session.failedExpectations().size(), 1);
        // The result stays shown next to the interleaving it opened.
        QVERIFY(explorer.explored());
        QCOMPARE(explorer.incoherent(), 15.0);
        // The stage stands just after the write's coherence breach, the only one.
        const auto& violations = session.kernel()->violations();
        QCOMPARE(violations.size(), size_t(1));
        QCOMPARE(violations.front().kind, std::string("coherence"));
        QCOMPARE(QString::fromStdString(violations.front().message), explorer.probeMessage());
        QCOMPARE(session.stepIndex(), int(violations.front().step) + 1);
        QVERIFY(session.commandIndex() >= session.commandCount() - 1);

        // Another era is another exploration: the result goes.
        session.setEra(QStringLiteral("c"));
        QVERIFY(!explorer.explored());
        QCOMPARE(explorer.incoherent(), 0.0);
        QVERIFY(explorer.probeSentence().isEmpty());
    }

    // The same race in era c: try_to_unmap_one clears the PTE before it
    // refuses the pinned page, and barriers keep GUP-fast's pin before its
    // re-read, so nothing is found, and the explorer says so.
    void explorerFindsNothingForTheSameRaceInEraC() {
        Session session;
        RaceExplorer explorer;
        explorer.setSession(&session);
        QVERIFY(session.openFile(racePath("r01_race3_b.mmt")));
        session.setEra(QStringLiteral("c"));
        QVERIFY(explorer.explore());
        QCOMPARE(explorer.interleavings(), 102.0);
        QCOMPARE(explorer.breaking(), 0.0);
        QCOMPARE(explorer.incoherent(), 0.0);
        QCOMPARE(explorer.incoherentWithoutBreach(), 0.0);
        QCOMPARE(explorer.incoherentSteps(), 0);
        QVERIFY(explorer.incoherentOrder().isEmpty());
        QVERIFY(explorer.incoherentSummary().isEmpty());
        QVERIFY(explorer.probeAccess().isEmpty());
        QVERIFY(explorer.probeMessage().isEmpty());
        QVERIFY(explorer.probeWhere().isEmpty());
        QVERIFY(explorer.incoherentReplayText().isEmpty());
        QVERIFY(explorer.replayText().isEmpty());
        QCOMPARE(
            explorer.summary(),
            QStringLiteral("r01_race3_b.mmt, line 14, era c: all 102 interleavings of the two CPUs keep every "
                           "invariant, and every pin stays coherent after a later write."));
        QVERIFY(!explorer.openFinding());
        QVERIFY(!explorer.openIncoherentFinding());
        QCOMPARE(session.fileName(), racePath("r01_race3_b.mmt")); // still the file, not a replay
    }

    // Without the flush, era c both breaks I2 and leaves the pin incoherent:
    // the probe's count includes interleavings that also break an invariant.
    void explorerCountsBothFindingsWithoutTheFlush() {
        Session session;
        RaceExplorer explorer;
        explorer.setSession(&session);
        QVERIFY(session.openFile(scenarioPath("race_ii_migrate_flush_off.c.mmt")));
        QVERIFY(explorer.explore());
        QCOMPARE(explorer.interleavings(), 291.0);
        QCOMPARE(explorer.breaking(), 197.0);
        QCOMPARE(explorer.incoherent(), 128.0);
        QCOMPARE(explorer.incoherentWithoutBreach(), 0.0);
        QVERIFY(explorer.incoherentSummary().contains(QStringLiteral("(each also breaks an invariant)")));
        QCOMPARE(explorer.probeAccess(), QStringLiteral("P writes buf[0]"));
        QVERIFY(!explorer.replayText().isEmpty());
        QVERIFY(!explorer.incoherentReplayText().isEmpty());
        // The incoherent one opens at the probe's write, past the block's own breaches.
        QVERIFY(explorer.openIncoherentFinding());
        QCOMPARE(session.fileName(), QStringLiteral("race_ii_migrate_flush_off.c-incoherent.mmt"));
        const mmt::Kernel* kernel = session.kernel();
        const uint32_t writeBegin = kernel->commands().back().step_begin;
        QVERIFY(session.stepIndex() > int(writeBegin));
        bool coherenceBreachAtWrite = false;
        for (const mmt::Violation& violation : kernel->violations())
            if (violation.kind == "coherence" && int(violation.step) + 1 == session.stepIndex())
                coherenceBreachAtWrite = violation.step >= writeBegin;
        QVERIFY(coherenceBreachAtWrite);
    }

    void explorerOpensTheBreakingInterleavingAtItsBreach() {
        Session session;
        RaceExplorer explorer;
        RaceLaneModel lanes;
        explorer.setSession(&session);
        lanes.setSession(&session);
        QVERIFY(session.openFile(scenarioPath("race_iii_swapout_flush_off.c.mmt")));
        QVERIFY(explorer.explore());
        QCOMPARE(explorer.interleavings(), 238.0);
        QCOMPARE(explorer.breaking(), 157.0);
        QCOMPARE(explorer.incoherent(), 0.0); // docs/races.md 4: the swap entry's exclusive bit
        QCOMPARE(explorer.order(), QStringLiteral("0 1 0 0 0 0 1 1 0 1 1"));
        QVERIFY(explorer.replayText().contains(QStringLiteral("order 0 1 0 0 0 0 1 1 0 1 1")));

        QVERIFY(explorer.openFinding());
        QCOMPARE(session.fileName(), QStringLiteral("race_iii_swapout_flush_off.c-breaking.mmt"));
        // The result stays shown next to the interleaving it found.
        QVERIFY(explorer.explored());
        QCOMPARE(explorer.breaking(), 157.0);
        // The stage stands just after the step that broke I2: a pinned page that is not exclusive.
        QVERIFY(session.violations()->rowCount() >= 1);
        const int current = lanes.currentRow();
        QVERIFY(current >= 0);
        QCOMPARE(roleData(lanes, current, "breach").toBool(), true);
        QCOMPARE(roleData(lanes, current, "cpu").toInt(), 1);
        QCOMPARE(roleData(lanes, current, "label").toString(), QStringLiteral("B5"));
        QCOMPARE(session.stepIndex(), roleData(lanes, current, "step").toInt());

        // Opening another file clears the result.
        QVERIFY(session.openFile(scenarioPath("race_iii_swapout_flush.c.mmt")));
        QVERIFY(!explorer.explored());
    }
};

QTEST_GUILESS_MAIN(RacesTest)
#include "tst_races.moc"
