// The explorer in the app: runs every interleaving of the opened scenario's
// first race block (core/explore.h) and opens the shortest one that breaks an
// invariant on the stage, positioned at the step where the breach appears.
// It also reports the probe (docs/races.md 4): the interleavings that keep a
// pin coherent to the block's end but leave it incoherent once the pinning
// process writes (or reads, then writes) through it, what that access broke,
// and opens the shortest of them at the access's breach. The same search and
// the same findings as `mmtutor-cli explore`; nothing here decides semantics.
#pragma once

#include "session.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QtQml/qqmlregistration.h>

class RaceExplorer : public QObject {
    Q_OBJECT
    QML_ELEMENT

    Q_PROPERTY(Session* session READ session WRITE setSession NOTIFY sessionChanged FINAL)
    // The opened scenario has a race block to explore.
    Q_PROPERTY(bool available READ available NOTIFY availableChanged FINAL)
    // The last exploration (all zero / empty before the first).
    Q_PROPERTY(bool explored READ explored NOTIFY resultChanged FINAL)
    Q_PROPERTY(double interleavings READ interleavings NOTIFY resultChanged FINAL)
    Q_PROPERTY(double breaking READ breaking NOTIFY resultChanged FINAL)
    Q_PROPERTY(double states READ states NOTIFY resultChanged FINAL)
    Q_PROPERTY(double milliseconds READ milliseconds NOTIFY resultChanged FINAL)
    Q_PROPERTY(int raceLine READ raceLine NOTIFY resultChanged FINAL)
    Q_PROPERTY(QString order READ order NOTIFY resultChanged FINAL)
    Q_PROPERTY(QString summary READ summary NOTIFY resultChanged FINAL)
    Q_PROPERTY(QString replayText READ replayText NOTIFY resultChanged FINAL)
    // The probe: interleavings that leave a pin incoherent after a later
    // write (an interleaving can also break an invariant: counted in both).
    Q_PROPERTY(double incoherent READ incoherent NOTIFY resultChanged FINAL)
    // ... of them, those in which every invariant held (only the probe finds them).
    Q_PROPERTY(double incoherentWithoutBreach READ incoherentWithoutBreach NOTIFY resultChanged FINAL)
    // The shortest such interleaving: its steps and order ("0 1 1 ..."), and
    // a sentence with the counts, for the panel and --explore.
    Q_PROPERTY(int incoherentSteps READ incoherentSteps NOTIFY resultChanged FINAL)
    Q_PROPERTY(QString incoherentOrder READ incoherentOrder NOTIFY resultChanged FINAL)
    Q_PROPERTY(QString incoherentSummary READ incoherentSummary NOTIFY resultChanged FINAL)
    // What the probe did after it ("P reads buf[0], then writes it"), the
    // check that failed and its message, and the kernel step that separated
    // the pin from the process ("handle_mm_fault → do_wp_page → ...: ...").
    Q_PROPERTY(QString probeAccess READ probeAccess NOTIFY resultChanged FINAL)
    Q_PROPERTY(QString probeRule READ probeRule NOTIFY resultChanged FINAL)
    Q_PROPERTY(QString probeMessage READ probeMessage NOTIFY resultChanged FINAL)
    Q_PROPERTY(QString probeWhere READ probeWhere NOTIFY resultChanged FINAL)
    // "Then P reads buf[0], then writes it, and the pin coherence check fails: ..."
    Q_PROPERTY(QString probeSentence READ probeSentence NOTIFY resultChanged FINAL)
    // That interleaving with the access and a failing `expect H coherent P A`.
    Q_PROPERTY(QString incoherentReplayText READ incoherentReplayText NOTIFY resultChanged FINAL)

public:
    explicit RaceExplorer(QObject* parent = nullptr);

    // Explores the session's scenario in its current era; false if it has no race block.
    Q_INVOKABLE bool explore();
    // Opens the shortest breaking interleaving in the session, at the step of
    // its first breach inside the block; false if there is none.
    Q_INVOKABLE bool openFinding();
    // Opens the shortest interleaving that leaves a pin incoherent, followed
    // by the probe's access, at the step where the access breaks the pin's
    // coherence; false if there is none.
    Q_INVOKABLE bool openIncoherentFinding();

    Session* session() const { return session_; }
    void setSession(Session* session);
    bool available() const { return available_; }
    bool explored() const { return explored_; }
    double interleavings() const { return interleavings_; }
    double breaking() const { return breaking_; }
    double states() const { return states_; }
    double milliseconds() const { return milliseconds_; }
    int raceLine() const { return raceLine_; }
    QString order() const { return order_; }
    QString summary() const { return summary_; }
    QString replayText() const { return replayText_; }
    double incoherent() const { return incoherent_; }
    double incoherentWithoutBreach() const { return incoherentWithoutBreach_; }
    int incoherentSteps() const { return incoherentSteps_; }
    QString incoherentOrder() const { return incoherentOrder_; }
    QString incoherentSummary() const { return incoherentSummary_; }
    QString probeAccess() const { return probeAccess_; }
    QString probeRule() const { return probeRule_; }
    QString probeMessage() const { return probeMessage_; }
    QString probeWhere() const { return probeWhere_; }
    QString probeSentence() const { return probeSentence_; }
    QString incoherentReplayText() const { return incoherentReplayText_; }

signals:
    void sessionChanged();
    void availableChanged();
    void resultChanged();

private:
    void scenarioChanged();
    void clearResult();
    // Opens `text` as "NAME-SUFFIX.mmt" and stands just after the first
    // violation of `kind` (any if null) found from command `fromEnd` on,
    // counted from the end (0: from the race block); else at the end.
    bool openReplay(const QString& text, const QString& suffix, int fromEnd, const char* kind);

    QPointer<Session> session_;
    bool available_ = false;
    bool explored_ = false;
    double interleavings_ = 0;
    double breaking_ = 0;
    double states_ = 0;
    double milliseconds_ = 0;
    int raceLine_ = 0;
    QString order_;
    QString summary_;
    QString replayText_;
    double incoherent_ = 0;
    double incoherentWithoutBreach_ = 0;
    int incoherentSteps_ = 0;
    QString incoherentOrder_;
    QString incoherentSummary_;
    QString probeAccess_;
    QString probeRule_;
    QString probeMessage_;
    QString probeWhere_;
    QString probeSentence_;
    QString incoherentReplayText_;
    int probeCommands_ = 0; // commands the probe's access takes (read, write)
    QString exploredName_;
    bool opening_ = false; // openFinding() is replacing the scenario: keep the result
};
