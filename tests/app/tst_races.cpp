// The race lanes and the explorer in the app, without QML: the lanes show the
// kernel steps of the race block the cursor is in, each on its CPU; the
// explorer finds what `mmtutor-cli explore` finds and opens the shortest
// breaking interleaving at the step of its breach.
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
