// The two CPUs of a race block as two lanes: one row per atomic kernel step
// of the block, in the order the CPUs ran them, each with its CPU, the label
// the commit message gives the step (A1, B3, ...) and the function it runs
// in. The timeline draws the rows as chips in a cpu0 lane and a cpu1 lane,
// so a student sees the interleaving at a glance and can click a step.
//
// The rows are those of the race block the history cursor is in (or the last
// one before it, or the first one); a scenario without a race block has none.
#pragma once

#include "session.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QString>
#include <QtQml/qqmlregistration.h>

#include <vector>

class RaceLaneModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT

    Q_PROPERTY(Session* session READ session WRITE setSession NOTIFY sessionChanged FINAL)
    // The block shown: its `race` line (0: none), how many blocks the scenario has.
    Q_PROPERTY(int raceLine READ raceLine NOTIFY blockChanged FINAL)
    Q_PROPERTY(int raceCount READ raceCount NOTIFY blockChanged FINAL)
    // Index of the row of the step just applied (-1: the cursor is not inside the block).
    Q_PROPERTY(int currentRow READ currentRow NOTIFY currentRowChanged FINAL)
    // The block's outcome: "ok" or "failed: ...".
    Q_PROPERTY(QString outcome READ outcome NOTIFY blockChanged FINAL)
    // The step count at which the shown block has run to its end: its
    // outcome means something from there on.
    Q_PROPERTY(int blockEnd READ blockEnd NOTIFY blockChanged FINAL)

public:
    enum Role {
        CpuRole = Qt::UserRole + 1, // 0 or 1
        LabelRole,                  // "B1", or the function name when the step has no label
        FunctionRole,               // innermost function: "gup_pte_range"
        SentenceRole,               // the step's sentence
        StepRole,                   // the history position just after this step (seek target)
        WaitsRole,                  // the CPU spun: the step changed nothing
        BreachRole,                 // an invariant or coherence check failed at this step
    };
    Q_ENUM(Role)

    explicit RaceLaneModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    Session* session() const { return session_; }
    void setSession(Session* session);
    int raceLine() const { return raceLine_; }
    int raceCount() const { return raceCount_; }
    int currentRow() const { return currentRow_; }
    QString outcome() const { return outcome_; }
    int blockEnd() const { return blockEnd_; }

signals:
    void sessionChanged();
    void blockChanged();
    void currentRowChanged();

private:
    struct Row {
        int cpu = 0;
        QString label;
        QString function;
        QString sentence;
        int step = 0;
        bool waits = false;
        bool breach = false;
    };
    void rebuild();     // a new scenario
    void follow();      // the cursor moved: maybe another block
    void showBlock(int record); // index into Kernel::commands(), -1: none

    QPointer<Session> session_;
    std::vector<int> raceRecords_; // indices into Kernel::commands() of the race blocks
    int shownRecord_ = -1;
    std::vector<Row> rows_;
    int raceLine_ = 0;
    int raceCount_ = 0;
    int currentRow_ = -1;
    QString outcome_;
    int blockEnd_ = 0;
};
