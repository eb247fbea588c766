// The Session and its models, without QML: every model is watched by
// QAbstractItemModelTester while a scenario loads, steps, seeks and re-runs,
// and what the models expose is checked against what the scenario did.
#include "entry_model.h"
#include "page_model.h"
#include "process_model.h"
#include "session.h"

#include <memory>
#include <vector>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {

QString dataPath(const char* name) {
    return QStringLiteral(MMTUTOR_TEST_DATA "/") + QLatin1String(name);
}

QVariant roleData(const QAbstractItemModel* model, int row, const char* role) {
    const QHash<int, QByteArray> roles = model->roleNames();
    return model->data(model->index(row, 0), roles.key(role));
}

// The row whose `role` equals `value`, or -1.
int findRow(const QAbstractItemModel* model, const char* role, const QVariant& value) {
    for (int row = 0; row < model->rowCount(); ++row)
        if (roleData(model, row, role) == value)
            return row;
    return -1;
}

} // namespace

class ModelsTest : public QObject {
    Q_OBJECT

private:
    std::vector<std::unique_ptr<QAbstractItemModelTester>> testers_;

    void watch(QAbstractItemModel* model) {
        testers_.push_back(std::make_unique<QAbstractItemModelTester>(
            model, QAbstractItemModelTester::FailureReportingMode::QtTest));
    }
    void watchAll(Session& session) {
        watch(session.processes());
        watch(session.pages());
        watch(session.devicePages());
        watch(session.swapSlots());
        watch(session.holders());
        watch(session.violations());
    }
    void watchEntries(Session& session) {
        for (int row = 0; row < session.processes()->rowCount(); ++row)
            watch(session.processes()->entriesAt(row));
    }

private slots:
    void cleanup() { testers_.clear(); }

    void opensAtTheStart() {
        Session session;
        watchAll(session);
        QVERIFY(session.openFile(dataPath("fork_pin.mmt")));
        QVERIFY(session.loaded());
        QCOMPARE(session.commandCount(), 6);
        QVERIFY(session.stepCount() > session.commandCount());
        QCOMPARE(session.stepIndex(), 0);
        QCOMPARE(session.commandIndex(), -1);
        QCOMPARE(session.processes()->rowCount(), 0);
        QCOMPARE(session.holders()->rowCount(), 0);
    }

    void showsTheStateAfterACommand() {
        Session session;
        watchAll(session);
        QVERIFY(session.openFile(dataPath("fork_pin.mmt")));
        session.gotoCommand(5); // after `write parent buf[0] "world"`
        watchEntries(session);
        QCOMPARE(session.commandIndex(), 4);
        QCOMPARE(session.currentSource(), QStringLiteral("write parent buf[0] \"world\""));
        QCOMPARE(session.currentOutcome(), QStringLiteral("ok"));
        QVERIFY(!session.currentPath().isEmpty());
        QVERIFY(!session.currentSentence().isEmpty());

        ProcessModel* processes = session.processes();
        QCOMPARE(processes->rowCount(), 2);
        QCOMPARE(roleData(processes, 0, "name").toString(), QStringLiteral("parent"));
        QCOMPARE(roleData(processes, 1, "name").toString(), QStringLiteral("child"));

        // The parent's table: buf[0] present and writable, buf[1..3] one row of none.
        EntryModel* parent = processes->entriesAt(0);
        QCOMPARE(parent->rowCount(), 2);
        QCOMPARE(roleData(parent, 0, "address").toString(), QStringLiteral("buf[0]"));
        QCOMPARE(roleData(parent, 0, "kindText").toString(), QStringLiteral("present-rw"));
        QVERIFY(roleData(parent, 0, "bits").toString().startsWith(QLatin1String("W")));
        QCOMPARE(roleData(parent, 0, "link").toInt(), int(EntryModel::Solid));
        QCOMPARE(roleData(parent, 1, "address").toString(), QStringLiteral("buf[1..3]"));
        QCOMPARE(roleData(parent, 1, "pageCount").toInt(), 3);
        QCOMPARE(roleData(parent, 1, "kind").toInt(), int(EntryModel::None));
        // The child still maps the old page, read-only.
        EntryModel* child = processes->entriesAt(1);
        QCOMPARE(roleData(child, 0, "kindText").toString(), QStringLiteral("present-ro"));

        // The parent's copy is a new page, exclusive; the old one is the child's.
        PageModel* pages = session.pages();
        const int world = findRow(pages, "contents", QStringLiteral("world"));
        const int hello = findRow(pages, "contents", QStringLiteral("hello"));
        QVERIFY(world >= 0 && hello >= 0);
        QCOMPARE(roleData(pages, world, "anonExclusive").toBool(), true);
        QCOMPARE(roleData(parent, 0, "targetPfn"), roleData(pages, world, "pfn"));
        QCOMPARE(roleData(child, 0, "targetPfn"), roleData(pages, hello, "pfn"));
        QCOMPARE(roleData(pages, hello, "mapcount").toInt(), 1);
        QVERIFY(findRow(pages, "zero", true) >= 0);
    }

    void navigationUpdatesWithoutResets() {
        Session session;
        watchAll(session);
        QVERIFY(session.openFile(dataPath("fork_pin.mmt")));
        session.end();
        watchEntries(session);
        session.home();
        QSignalSpy pageResets(session.pages(), &QAbstractItemModel::modelReset);
        QSignalSpy processResets(session.processes(), &QAbstractItemModel::modelReset);
        QSignalSpy positions(&session, &Session::positionChanged);
        for (int step = 1; step <= session.stepCount(); ++step) {
            session.stepForward();
            QCOMPARE(session.stepIndex(), step);
        }
        session.stepForward(); // at the end: nothing happens
        QCOMPARE(session.stepIndex(), session.stepCount());
        QCOMPARE(session.holders()->rowCount(), 1);
        QCOMPARE(roleData(session.holders(), 0, "kind").toString(), QStringLiteral("pin"));
        const int pinned = findRow(session.pages(), "maybePinned", true);
        QVERIFY(pinned >= 0);
        QCOMPARE(roleData(session.pages(), pinned, "contents").toString(), QStringLiteral("hello"));
        while (session.stepIndex() > 0)
            session.stepBack();
        QCOMPARE(session.processes()->rowCount(), 0);
        QCOMPARE(pageResets.count(), 0);
        QCOMPARE(processResets.count(), 0);
        QCOMPARE(positions.count(), 2 * session.stepCount());
    }

    void aStepSignalsOnlyTheRowsItTouched() {
        Session session;
        QVERIFY(session.openFile(dataPath("fork_pin.mmt")));
        session.gotoCommand(4); // after the fork
        watchAll(session);
        watchEntries(session);
        QSignalSpy changed(session.pages(), &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(session.pages(), &QAbstractItemModel::rowsInserted);
        session.nextCommand();         // the parent writes: a copy is made
        QCOMPARE(inserted.count(), 1); // the new page
        // Rows that exist before and after and changed: the old page only
        // (the zero pages are untouched).
        for (const QList<QVariant>& signal : changed) {
            const auto first = signal.at(0).value<QModelIndex>();
            QCOMPARE(roleData(session.pages(), first.row(), "contents").toString(), QStringLiteral("hello"));
        }
        QVERIFY(changed.count() >= 1);
    }

    void commandNavigation() {
        Session session;
        QVERIFY(session.openFile(dataPath("fork_pin.mmt")));
        session.nextCommand();
        QCOMPARE(session.commandIndex(), 0);
        session.nextCommand();
        QCOMPARE(session.commandIndex(), 1);
        session.stepForward(); // into the third command
        session.previousCommand();
        QCOMPARE(session.commandIndex(), 1);
        QCOMPARE(session.currentOutcome(), QStringLiteral("ok"));
        session.previousCommand();
        session.previousCommand();
        QCOMPARE(session.stepIndex(), 0);
        session.gotoCommand(99);
        QCOMPARE(session.stepIndex(), session.stepCount());
        session.seek(3);
        QCOMPARE(session.stepIndex(), 3);
        QVERIFY(!session.describeStep(2).isEmpty());
    }

    void eraSwitchReRunsAndKeepsThePlace() {
        Session session;
        watchAll(session);
        QVERIFY(session.openFile(dataPath("fork_pin.mmt")));
        QCOMPARE(session.era(), QStringLiteral("c"));
        session.gotoCommand(4);
        QSignalSpy scenario(&session, &Session::scenarioChanged);
        session.setEra(QStringLiteral("a"));
        QCOMPARE(scenario.count(), 1);
        QCOMPARE(session.era(), QStringLiteral("a"));
        QCOMPARE(session.commandIndex(), 3);
        QCOMPARE(session.processes()->rowCount(), 2);
    }

    void swapDeviceThpAndHolders() {
        Session session;
        watchAll(session);
        QVERIFY(session.openFile(dataPath("swap_device_thp.mmt")));
        session.end();
        watchEntries(session);
        QCOMPARE(session.swapSlots()->rowCount(), 1);
        QCOMPARE(roleData(session.swapSlots(), 0, "contents").toString(), QStringLiteral("a1"));
        QCOMPARE(roleData(session.swapSlots(), 0, "count").toInt(), 2);
        QVERIFY(session.devicePages()->rowCount() >= 1);
        QCOMPARE(roleData(session.devicePages(), 0, "device").toBool(), true);
        EntryModel* parent = session.processes()->entriesAt(0);
        const int swapped = findRow(parent, "address", QStringLiteral("buf[1]"));
        QCOMPARE(roleData(parent, swapped, "kind").toInt(), int(EntryModel::Swap));
        QCOMPARE(roleData(parent, swapped, "targetKey").toString(), QStringLiteral("slot:1"));
        QCOMPARE(roleData(parent, swapped, "link").toInt(), int(EntryModel::Dotted));
        // The THP: one PMD row, one card of 512 pages listing the subpage written.
        const int huge = findRow(parent, "level", int(EntryModel::Pmd));
        QCOMPARE(roleData(parent, huge, "address").toString(), QStringLiteral("big[0..511]"));
        const int thp = session.pages()->rowOfPfn(roleData(parent, huge, "targetPfn").toInt());
        QVERIFY(thp >= 0);
        QCOMPARE(roleData(session.pages(), thp, "pageCount").toInt(), 512);
        QCOMPARE(roleData(session.pages(), thp, "zero").toBool(), false);
        const QVariantList subpages = roleData(session.pages(), thp, "subpages").toList();
        QCOMPARE(subpages.size(), 1);
        QCOMPARE(subpages.first().toMap().value(QStringLiteral("contents")).toString(),
                 QStringLiteral("huge"));
        QCOMPARE(session.holders()->rowCount(), 1);
        QCOMPARE(roleData(session.holders(), 0, "name").toString(), QStringLiteral("pipe"));
        QCOMPARE(session.violations()->rowCount(), 0);
        QCOMPARE(session.expectationSummary(), QStringLiteral("1 passed, 0 failed"));
        session.home();
        QCOMPARE(session.swapSlots()->rowCount(), 0);
        QCOMPARE(session.devicePages()->rowCount(), 0);
    }

    void errorsNameTheirPlace() {
        Session session;
        watchAll(session);
        QVERIFY(session.openFile(dataPath("fork_pin.mmt")));
        QVERIFY(!session.openText(QStringLiteral("process P\nmap P buf 4 rw\nwrite Q buf[9] \"x\"\n"),
                                  QStringLiteral("bad.mmt")));
        QVERIFY(!session.loaded());
        QCOMPARE(session.errors().size(), 1);
        QVERIFY(session.errors().first().startsWith(QLatin1String("bad.mmt:3:7: error:")));
        QCOMPARE(session.processes()->rowCount(), 0);
        QCOMPARE(session.pages()->rowCount(), 0);
        QVERIFY(!session.openFile(QStringLiteral("/nonexistent/file.mmt")));
        QCOMPARE(session.errors().size(), 1);
    }

    void playAdvancesAndStopsAtTheEnd() {
        Session session;
        QVERIFY(session.openFile(dataPath("fork_pin.mmt")));
        session.setSpeed(20);
        session.gotoCommand(5);
        session.play();
        QVERIFY(session.playing());
        QTRY_VERIFY_WITH_TIMEOUT(!session.playing(), 5000);
        QCOMPARE(session.stepIndex(), session.stepCount());
    }
};

QTEST_GUILESS_MAIN(ModelsTest)
#include "tst_models.moc"
