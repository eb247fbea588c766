// The inspector's history: every change to an object, up to the current step,
// and nothing else.
#include "kernel.h"
#include "inspector.h"
#include "session.h"

#include <QTest>

namespace {

bool stepChangesContain(const mmt::Kernel& kernel, uint32_t step, const std::string& text) {
    for (const std::string& change : kernel.step_changes(step))
        if (change == text)
            return true;
    return false;
}

} // namespace

class InspectorTest : public QObject {
    Q_OBJECT

private slots:
    void init() {
        session_ = std::make_unique<Session>();
        QVERIFY(session_->openFile(QStringLiteral(MMTUTOR_TEST_DATA "/fork_pin.mmt")));
        session_->end();
    }

    // Each journal change to a page, an entry or a holder appears in that
    // object's history, at its step, with the same text as the step's changes.
    void everyChangeIsInItsObjectsHistory() {
        const mmt::Kernel& kernel = *session_->kernel();
        const uint32_t steps = kernel.cursor();
        int checked = 0;
        for (uint32_t step = 0; step < steps; ++step) {
            for (const mmt::Change& change : kernel.step_changes_of(step)) {
                InspectedObject object;
                if (change.kind == mmt::ChangeKind::page)
                    object = {InspectedObject::Kind::page, change.index, {}, 0};
                else if (change.kind == mmt::ChangeKind::holder)
                    object = {InspectedObject::Kind::holder, change.index, {}, 0};
                else if (change.kind == mmt::ChangeKind::pte && kernel.pte_slot_owned(change.index)) {
                    const auto [vma, index] = kernel.pte_slot_owner(change.index);
                    object = {InspectedObject::Kind::pageTableEntry, 0, vma, index};
                } else
                    continue;
                const std::string text = kernel.describe_change(change);
                bool found = false;
                for (const HistoryItem& item : object_history(kernel, object, steps))
                    found = found || (item.step == step && item.change == text);
                QVERIFY2(found, text.c_str());
                ++checked;
            }
        }
        QVERIFY(checked > 10);
    }

    // Nothing in a history belongs to another object or to a later step.
    void historyIsOnlyTheObjectsPast() {
        const mmt::Kernel& kernel = *session_->kernel();
        QVERIFY(kernel.holder_count() > 0);
        const int holder = static_cast<int>(kernel.holder_count()) - 1;
        const QVariantList full = session_->holderHistory(holder);
        QVERIFY(!full.isEmpty());
        for (const QVariant& item : full) {
            const QVariantMap map = item.toMap();
            const int step = map.value(QStringLiteral("step")).toInt();
            QVERIFY(step >= 1 && step <= static_cast<int>(kernel.cursor()));
            const QString change = map.value(QStringLiteral("change")).toString();
            QVERIFY(change == QStringLiteral("created") || stepChangesContain(kernel, step - 1, change.toStdString()));
            QVERIFY(!map.value(QStringLiteral("function")).toString().isEmpty());
        }
        const int firstStep = full.first().toMap().value(QStringLiteral("step")).toInt();
        session_->seek(firstStep - 1);
        QVERIFY(session_->holderHistory(holder).isEmpty());
        session_->seek(firstStep);
        QVERIFY(!session_->holderHistory(holder).isEmpty());
    }

    // The COW fault of "write parent buf[0]" after the fork drops a reference
    // on the shared page: its history says so, in wp_page_copy.
    void cowShowsInThePagesHistory() {
        const mmt::Kernel& kernel = *session_->kernel();
        bool sawCopy = false;
        for (uint32_t pfn = 1; pfn < kernel.state().pages.size(); ++pfn)
            for (const QVariant& item : session_->pageHistory(static_cast<int>(pfn))) {
                const QVariantMap map = item.toMap();
                sawCopy = sawCopy || (map.value(QStringLiteral("function")).toString() == QStringLiteral("wp_page_copy")
                                      && map.value(QStringLiteral("change")).toString().contains(QStringLiteral("refcount")));
            }
        QVERIFY(sawCopy);
    }

private:
    std::unique_ptr<Session> session_;
};

QTEST_GUILESS_MAIN(InspectorTest)
#include "tst_inspector.moc"
