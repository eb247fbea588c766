// The Session and its models, without QML: every model is watched by
// QAbstractItemModelTester while a scenario loads, steps, seeks and re-runs,
// and what the models expose is checked against what the scenario did.
#include "entry_model.h"
#include "holder_model.h"
#include "page_model.h"
#include "process_model.h"
#include "session.h"
#include "swap_model.h"

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

    // `expect read` loads the page (kernel steps) and is judged by the value
    // it expected: the narration says whether it held, in the error colour
    // when it did not, not just that the load worked.
    void anExpectationShowsWhetherItHeld() {
        Session session;
        QVERIFY(session.openText(QStringLiteral("process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\n"
                                                "expect read P buf[0] == \"zzz\"\n"
                                                "expect read P buf[0] == \"a\"\n"),
                                 QStringLiteral("expect.mmt")));
        session.gotoCommand(4);
        QCOMPARE(session.currentLine(), 4);
        QCOMPARE(session.currentOutcome(),
                 QStringLiteral("expectation failed: expected read \"zzz\", got read \"a\""));
        QVERIFY(session.currentOutcomeFailed());
        session.gotoCommand(5);
        QCOMPARE(session.currentLine(), 5);
        QCOMPARE(session.currentOutcome(), QStringLiteral("expectation holds: read \"a\""));
        QVERIFY(!session.currentOutcomeFailed());
        session.gotoCommand(3);
        QCOMPARE(session.currentOutcome(), QStringLiteral("ok"));
        QVERIFY(!session.currentOutcomeFailed());
    }

    // A reference to a THP subpage names the THP card it lives on: the
    // subpage has no card of its own.
    void aHolderOnASubpageNamesItsThp() {
        Session session;
        QVERIFY(session.openText(QStringLiteral("process P\nmap P big 512 rw thp\nwrite P big[7] \"x\"\n"
                                                "pin P big[7] as H\n"),
                                 QStringLiteral("thp.mmt")));
        session.end();
        QCOMPARE(session.holders()->rowCount(), 1);
        const QString page = roleData(session.holders(), 0, "page").toString();
        const int head = roleData(session.holders(), 0, "pfn").toInt() - 7;
        QCOMPARE(page, QStringLiteral("page #%1 (subpage 7 of THP page #%2)").arg(head + 7).arg(head));
    }

    // The FOLL_GET reference era a loses at fork: once the parent's write
    // gives it a new page, the holder says so.
    void aHolderSaysWhenItIsNoLongerCoherent() {
        Session session;
        QVERIFY(session.openText(QStringLiteral("era a\nprocess P\nmap P buf 1 rw\nwrite P buf[0] \"old\"\n"
                                                "get P buf[0] write as H\nfork P C\nwrite P buf[0] \"new\"\n"),
                                 QStringLiteral("lost.mmt")));
        session.gotoCommand(5); // after the fork
        QCOMPARE(session.currentSource(), QStringLiteral("fork P C"));
        QCOMPARE(roleData(session.holders(), 0, "incoherent").toBool(), false);
        session.end();
        QCOMPARE(roleData(session.holders(), 0, "incoherent").toBool(), true);
        QCOMPARE(session.violations()->coherenceCount(), 1);
        QCOMPARE(session.violations()->invariantCount(), 0);
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

    void theTimelineGivesEachCommandRoomByTheLogOfItsSteps() {
        // Commands of 1, 2, 4 and 1024 steps weigh 1, 2, 3 and 11: 17 in all.
        TimelineScale scale;
        scale.reset({0, 1, 3, 7}, 1031);
        const std::vector<double> expected{0.0, 1.0 / 17, 3.0 / 17, 6.0 / 17};
        QCOMPARE(scale.commandPositions().size(), expected.size());
        for (size_t i = 0; i < expected.size(); ++i)
            QVERIFY(qAbs(scale.commandPositions()[i] - expected[i]) < 1e-12);
        // Inside a command the steps are spread evenly: halfway through the big one.
        QVERIFY(qAbs(scale.position(7 + 512) - 11.5 / 17) < 1e-12);
        QCOMPARE(scale.position(1031), 1.0);
        for (uint32_t steps = 0; steps <= 1031; ++steps)
            QCOMPARE(scale.stepsAt(scale.position(steps)), steps);
        QCOMPARE(scale.stepsAt(-0.5), 0u);
        QCOMPARE(scale.stepsAt(2.0), 1031u);
        // Nothing to show: everything is at the start.
        scale.clear();
        QCOMPARE(scale.position(0), 0.0);
        QCOMPARE(scale.stepsAt(0.7), 0u);
    }

    void aThpScenariosSmallCommandsStayApartOnTheTimeline() {
        Session session;
        QVERIFY(session.openFile(QStringLiteral(MMTUTOR_SCENARIOS "/vmsplice_in_child_ptethp.c.mmt")));
        const QVariantList positions = session.commandPositions();
        QCOMPARE(positions.size(), session.commandCount());
        // A step-linear slider started the first five commands within 0.5% of
        // the track (7 steps of 1557); each command now has over 2% of it.
        for (int i = 1; i < positions.size(); ++i)
            QVERIFY2(positions[i].toDouble() - positions[i - 1].toDouble() > 0.02, qPrintable(QString::number(i)));
        // Picking a tick lands on that command's first step.
        session.seek(session.timelineSteps(positions[3].toDouble()));
        session.stepForward();
        QCOMPARE(session.commandIndex(), 3);
        session.seek(session.timelineSteps(1.0));
        QCOMPARE(session.stepIndex(), session.stepCount());
        QCOMPARE(session.timelinePosition(session.stepIndex()), 1.0);
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

    // `exit C` then `fork P C`, `release H` then `... as H`: later lines mean
    // the new one. The old process and reference show until their name is
    // taken again, and only the new one shows after.
    void aReusedNameShowsTheNewOneAlone() {
        Session session;
        watchAll(session);
        QVERIFY(session.openText(QStringLiteral("process P\nmap P buf 2 rw\nwrite P buf[0] \"p\"\n"
                                                "fork P C\npin C buf[0] as H\nget P buf[1] as G\n"
                                                "exit C\nrelease G\nfork P C\nget C buf[0] as G\n"),
                                 QStringLiteral("reuse.mmt")));
        ProcessModel* processes = session.processes();
        HolderModel* holders = session.holders();
        session.gotoCommand(8); // after `release G`: the exited C and the released G still show
        QCOMPARE(processes->rowCount(), 2);
        QCOMPARE(roleData(processes, 1, "name").toString(), QStringLiteral("C"));
        QCOMPARE(roleData(processes, 1, "alive").toBool(), false);
        QCOMPARE(holders->rowCount(), 2);
        const int released = findRow(holders, "name", QStringLiteral("G"));
        QCOMPARE(roleData(holders, released, "released").toBool(), true);
        // H was taken at C's address; C has exited since.
        const int pin = findRow(holders, "name", QStringLiteral("H"));
        QCOMPARE(roleData(holders, pin, "processExited").toBool(), true);
        QCOMPARE(roleData(holders, pin, "holderId").toInt(), 0);
        session.gotoCommand(10); // a new C, a new G
        QCOMPARE(processes->rowCount(), 2);
        QCOMPARE(roleData(processes, 1, "name").toString(), QStringLiteral("C"));
        QCOMPARE(roleData(processes, 1, "alive").toBool(), true);
        QCOMPARE(roleData(processes, 1, "processId").toInt(), 3);
        QCOMPARE(processes->entriesAt(1)->rowCount(), 2); // buf[0] present, buf[1] present
        QCOMPARE(holders->rowCount(), 2);
        const int current = findRow(holders, "name", QStringLiteral("G"));
        QCOMPARE(roleData(holders, current, "released").toBool(), false);
        QCOMPARE(roleData(holders, current, "holderId").toInt(), 2);
        QCOMPARE(roleData(holders, current, "processExited").toBool(), false);
        QCOMPARE(roleData(holders, current, "address").toString(), QStringLiteral("C buf[0]"));
        // Back again: the old ones return.
        session.gotoCommand(8);
        QCOMPARE(roleData(processes, 1, "alive").toBool(), false);
        QCOMPARE(roleData(holders, findRow(holders, "name", QStringLiteral("G")), "released").toBool(), true);
    }

    // The kernel splits a VMA where any flag differs, not only the protection:
    // the summary says how many VMAs there are and which flag split them.
    void vmaSplitByAFlagTheProtectionDoesNotShow() {
        Session session;
        watchAll(session);
        QVERIFY(session.openText(QStringLiteral("process P\nmap P t 512 ro thp\nmap P buf 4 rw\n"
                                                "protect P t[0..9] rw\nprotect P t[0..9] ro\n"
                                                "madvise P buf[2..3] dontfork\nprotect P buf[3] none\n"),
                                 QStringLiteral("split.mmt")));
        session.gotoCommand(6);
        QCOMPARE(roleData(session.processes(), 0, "vmas").toStringList(),
                 QStringList({QStringLiteral("t: 512 pages, ro, thp; 2 VMAs in the kernel (VM_ACCOUNT differs at page 10)"),
                              QStringLiteral("buf: 4 pages, rw; 2 VMAs in the kernel (VM_DONTCOPY differs at page 2)")}));
        session.end();
        QCOMPARE(roleData(session.processes(), 0, "vmas").toStringList().at(1),
                 QStringLiteral("buf: 4 pages, rw [0..2], none [3]; 3 VMAs in the kernel (VM_DONTCOPY differs at page 2)"));
        // Made writable as a whole, t is one VMA again.
        QVERIFY(session.openText(QStringLiteral("process P\nmap P t 512 ro thp\nprotect P t[0..9] rw\n"
                                                "protect P t[0..9] ro\nprotect P t rw\n"),
                                 QStringLiteral("merged.mmt")));
        session.end();
        QCOMPARE(roleData(session.processes(), 0, "vmas").toStringList(),
                 QStringList({QStringLiteral("t: 512 pages, rw, thp")}));
    }

    // mprotect(PROT_NONE) on a page and on a PMD-mapped THP: the entries say
    // PROT_NONE as the trace does; a VMA whose parts differ lists them.
    void protNoneShowsOnEntriesAndVmas() {
        Session session;
        watchAll(session);
        QVERIFY(session.openText(QStringLiteral("process P\nmap P buf 4 rw\nmap P big 512 rw thp\n"
                                                "write P buf[0] \"a\"\nwrite P big[0] \"b\"\n"
                                                "protect P buf[0..1] none\nprotect P big none\n"),
                                 QStringLiteral("protnone.mmt")));
        session.end();
        watchEntries(session);
        const QStringList vmas = roleData(session.processes(), 0, "vmas").toStringList();
        QCOMPARE(vmas, QStringList({QStringLiteral("buf: 4 pages, none [0..1], rw [2..3]"),
                                    QStringLiteral("big: 512 pages, none, thp")}));
        EntryModel* table = session.processes()->entriesAt(0);
        const int page = findRow(table, "address", QStringLiteral("buf[0]"));
        QCOMPARE(roleData(table, page, "kindText").toString(), QStringLiteral("present-ro"));
        QVERIFY(roleData(table, page, "bits").toString().endsWith(QLatin1String("PROT_NONE")));
        const int huge = findRow(table, "level", int(EntryModel::Pmd));
        QCOMPARE(roleData(table, huge, "kindText").toString(), QStringLiteral("thp-ro"));
        QVERIFY(roleData(table, huge, "bits").toString().endsWith(QLatin1String("PROT_NONE")));
    }

    // pageout keeps a page someone else holds (PAGE_KEEP): its slot holds
    // nothing yet, and the swap cache page is dirty.
    void aKeptPageLeavesItsSlotUnwritten() {
        Session session;
        watchAll(session);
        QVERIFY(session.openText(QStringLiteral("process P\nmap P buf 1 rw\nwrite P buf[0] \"s\"\n"
                                                "get P buf[0] as H\nswapout P buf[0]\n"),
                                 QStringLiteral("keep.mmt")));
        session.end();
        QCOMPARE(session.swapSlots()->rowCount(), 1);
        QCOMPARE(roleData(session.swapSlots(), 0, "contents").toString(), QString());
        QCOMPARE(roleData(session.swapSlots(), 0, "cacheDirty").toBool(), true);
        QVERIFY(!roleData(session.swapSlots(), 0, "cachePage").toString().isEmpty());
    }

    // munmap through the mmu_gather, kernel step by kernel step: between
    // unmap_vmas and tlb_finish_mmu the PTE is gone and the page is still
    // there, mapped nowhere, its reference in flight; then it is freed.
    void unmapShowsTheGatheredPageUntilTheFlush() {
        Session session;
        watchAll(session);
        QVERIFY(
            session.openText(QStringLiteral("process P\nmap P buf 1 rw\nwrite P buf[0] \"g\"\nunmap P buf\n"),
                             QStringLiteral("gather.mmt")));
        session.gotoCommand(3);
        watchEntries(session);
        EntryModel* table = session.processes()->entriesAt(0);
        bool sawGathered = false;
        while (session.stepIndex() < session.stepCount()) {
            session.stepForward();
            const int page = findRow(session.pages(), "contents", QStringLiteral("g"));
            const bool mapped = roleData(table, 0, "kind").toInt() == int(EntryModel::Present);
            if (!mapped && page >= 0 && roleData(session.pages(), page, "inFlight").toInt() == 1) {
                QCOMPARE(roleData(session.pages(), page, "mapcount").toInt(), 0);
                QCOMPARE(roleData(session.pages(), page, "refcount").toInt(), 1);
                sawGathered = true;
            }
        }
        QVERIFY(sawGathered);
        QCOMPARE(findRow(session.pages(), "contents", QStringLiteral("g")), -1);
        QCOMPARE(roleData(table, 0, "kindText").toString(), QStringLiteral("unmapped"));
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
