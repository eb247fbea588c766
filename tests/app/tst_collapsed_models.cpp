// What keeps a large scene small on screen, checked on the models: runs of
// like page-table entries collapse into one row and expand on request, a THP
// sums up its 512 subpages in one string, the page filters split huge from
// small folios, and a step names the exact roles it changed.
#include "entry_model.h"
#include "page_filter_model.h"
#include "page_model.h"
#include "process_model.h"
#include "session.h"

#include <memory>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {

QVariant roleData(const QAbstractItemModel* model, int row, const char* role) {
    return model->data(model->index(row, 0), model->roleNames().key(role));
}

// `count` written pages of buf, then buf[10] swapped out.
QString runScenario(int count) {
    QString text = QStringLiteral("process P\nmap P buf %1 rw\n").arg(count);
    for (int i = 0; i < count; ++i)
        text += QStringLiteral("write P buf[%1] \"v%1\"\n").arg(i);
    return text + QStringLiteral("swapout P buf[10]\n");
}

} // namespace

class CollapsedModelsTest : public QObject {
    Q_OBJECT

private slots:
    void aRunOfLikeEntriesIsOneRow() {
        Session session;
        QVERIFY(session.openText(runScenario(30), QStringLiteral("run.mmt")));
        session.gotoCommand(32); // every write, not the swapout
        EntryModel* entries = session.processes()->entriesAt(0);
        QAbstractItemModelTester tester(entries, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(entries->rowCount(), 1);
        QCOMPARE(roleData(entries, 0, "address").toString(), QStringLiteral("buf[0..29]"));
        QCOMPARE(roleData(entries, 0, "collapsed").toBool(), true);
        QCOMPARE(roleData(entries, 0, "pageCount").toInt(), 30);
        QCOMPARE(roleData(entries, 0, "kindText").toString(), QStringLiteral("present-rw"));
        QCOMPARE(roleData(entries, 0, "target").toString(), QStringLiteral("30 pages"));
        QCOMPARE(roleData(entries, 0, "targetKey").toString(), QStringLiteral("section:pages"));

        // The swapout splits the run around the entry it changed.
        session.end();
        QCOMPARE(entries->rowCount(), 3);
        QCOMPARE(roleData(entries, 0, "address").toString(), QStringLiteral("buf[0..9]"));
        QCOMPARE(roleData(entries, 0, "collapsed").toBool(), true);
        QCOMPARE(roleData(entries, 1, "address").toString(), QStringLiteral("buf[10]"));
        QCOMPARE(roleData(entries, 1, "kind").toInt(), int(EntryModel::Swap));
        QCOMPARE(roleData(entries, 1, "collapsed").toBool(), false);
        QCOMPARE(roleData(entries, 2, "address").toString(), QStringLiteral("buf[11..29]"));
        QCOMPARE(roleData(entries, 2, "pageCount").toInt(), 19);
    }

    void shortRunsStayEntryByEntry() {
        Session session;
        QVERIFY(session.openText(runScenario(15), QStringLiteral("run.mmt")));
        session.end();
        EntryModel* entries = session.processes()->entriesAt(0);
        // buf[0..9] collapsed, buf[10] swapped, buf[11..14] (4 < 8) one by one.
        QCOMPARE(entries->rowCount(), 6);
        QCOMPARE(roleData(entries, 2, "address").toString(), QStringLiteral("buf[11]"));
        QCOMPARE(roleData(entries, 2, "collapsed").toBool(), false);
    }

    void expandingShowsEveryEntryUntilCollapsedAgain() {
        Session session;
        QVERIFY(session.openText(runScenario(30), QStringLiteral("run.mmt")));
        session.end();
        EntryModel* entries = session.processes()->entriesAt(0);
        QAbstractItemModelTester tester(entries, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(entries, &QAbstractItemModel::modelReset);
        const int vma = roleData(entries, 0, "vmaId").toInt();
        QVERIFY(!entries->hasExpanded());
        entries->expandRange(vma, 0, 10);
        QVERIFY(entries->hasExpanded());
        QCOMPARE(entries->rowCount(), 12); // ten entries, the swap entry, one run
        QCOMPARE(roleData(entries, 3, "address").toString(), QStringLiteral("buf[3]"));
        const int page = session.pages()->rowOfPfn(roleData(entries, 3, "targetPfn").toInt());
        QCOMPARE(roleData(entries, 3, "target").toString(),
                 roleData(session.pages(), page, "name").toString());
        QCOMPARE(roleData(session.pages(), page, "contents").toString(), QStringLiteral("v3"));
        // Stepping keeps what the user expanded.
        session.stepBack();
        session.end();
        QCOMPARE(entries->rowCount(), 12);
        entries->collapseAll();
        QVERIFY(!entries->hasExpanded());
        QCOMPARE(entries->rowCount(), 3);
        QCOMPARE(resets.count(), 0);
    }

    void aRunOfOneThpSubpagesPointsAtItsCard() {
        Session session;
        QVERIFY(session.openText(QStringLiteral("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"h\"\n"
                                                "split-pmd P buf[0]\n"),
                                 QStringLiteral("split.mmt")));
        session.end();
        EntryModel* entries = session.processes()->entriesAt(0);
        QCOMPARE(entries->rowCount(), 1);
        QCOMPARE(roleData(entries, 0, "address").toString(), QStringLiteral("buf[0..511]"));
        QCOMPARE(roleData(entries, 0, "level").toInt(), int(EntryModel::Pte));
        const int head = session.pages()->rowOfPfn(roleData(entries, 0, "targetPfn").toInt());
        QVERIFY(head >= 0);
        QCOMPARE(roleData(entries, 0, "targetKey").toString(),
                 roleData(session.pages(), head, "cardKey").toString());
        QCOMPARE(roleData(entries, 0, "target").toString(),
                 QStringLiteral("subpages of ") + roleData(session.pages(), head, "name").toString());
    }

    void aThpSumsUpItsSubpages() {
        Session session;
        QVERIFY(session.openText(QStringLiteral("process P\nmap P big 512 rw thp\nwrite P big[0] \"h\"\n"
                                                "write P big[7] \"s\"\n"),
                                 QStringLiteral("thp.mmt")));
        session.end();
        PageModel* pages = session.pages();
        int thp = -1;
        for (int row = 0; row < pages->rowCount(); ++row)
            if (roleData(pages, row, "pageCount").toInt() == 512 && !roleData(pages, row, "zero").toBool())
                thp = row;
        QVERIFY(thp >= 0);
        const QString states = roleData(pages, thp, "subpageStates").toString();
        QCOMPARE(states.size(), 512);
        QCOMPARE(states.at(0), QLatin1Char('0' + PageModel::Written));
        QCOMPARE(states.at(7), QLatin1Char('0' + PageModel::Written));
        QCOMPARE(states.count(QLatin1Char('.')), 510);
        QCOMPARE(roleData(pages, thp, "writtenSubpages").toInt(), 2);
        QCOMPARE(roleData(pages, thp, "differingSubpages").toInt(), 0);
        QCOMPARE(roleData(pages, thp, "huge").toBool(), true);

        // Split into PTEs, then one subpage unmapped: its mapcount now differs
        // from the head's (its exclusive bit no longer counts).
        QVERIFY(session.openText(QStringLiteral("process P\nmap P big 512 rw thp\nwrite P big[0] \"h\"\n"
                                                "split-pmd P big[0]\nunmap P big[5]\n"),
                                 QStringLiteral("thp.mmt")));
        session.end();
        for (int row = 0; row < pages->rowCount(); ++row)
            if (roleData(pages, row, "pageCount").toInt() == 512 && !roleData(pages, row, "zero").toBool())
                thp = row;
        const QString split = roleData(pages, thp, "subpageStates").toString();
        QCOMPARE(split.size(), 512);
        QCOMPARE(split.at(1), QLatin1Char('.'));
        QCOMPARE(split.at(5), QLatin1Char('0' + PageModel::MapcountDiffers));
        QCOMPARE(roleData(pages, thp, "differingSubpages").toInt(), 1);

        // The filters split the THP (and the huge zero page, if any) from small pages.
        PageFilterModel huge;
        huge.setSourceModel(pages);
        huge.setHuge(true);
        PageFilterModel small;
        small.setSourceModel(pages);
        QCOMPARE(huge.count() + small.count(), pages->rowCount());
        QVERIFY(huge.rowOfCard(roleData(pages, thp, "cardKey").toString()) >= 0);
        QCOMPARE(small.rowOfCard(roleData(pages, thp, "cardKey").toString()), -1);
        for (int row = 0; row < small.rowCount(); ++row)
            QCOMPARE(small.data(small.index(row, 0), PageModel::PageCountRole).toInt(), 1);
    }

    void aStepNamesTheRolesItChanged() {
        Session session;
        QVERIFY(session.openText(QStringLiteral("process P\nmap P buf 2 rw\nwrite P buf[0] \"a\"\n"
                                                "pin P buf[0] as H\n"),
                                 QStringLiteral("roles.mmt")));
        session.gotoCommand(3);
        QSignalSpy pageChanges(session.pages(), &QAbstractItemModel::dataChanged);
        QSignalSpy entryChanges(session.processes()->entriesAt(0), &QAbstractItemModel::dataChanged);
        session.end(); // the pin: the page's counters, not its entry
        QCOMPARE(entryChanges.count(), 0);
        QCOMPARE(pageChanges.count(), 1);
        const auto roles = pageChanges.first().at(2).value<QList<int>>();
        QVERIFY(roles.contains(PageModel::RefcountRole));
        QVERIFY(roles.contains(PageModel::PincountRole) || roles.contains(PageModel::MaybePinnedRole));
        QVERIFY(!roles.contains(PageModel::ContentsRole));
        QVERIFY(!roles.contains(PageModel::NameRole));
        QVERIFY(!roles.contains(PageModel::SubpageStatesRole));
    }
};

QTEST_GUILESS_MAIN(CollapsedModelsTest)
#include "tst_collapsed_models.moc"
