// The explorer in the app: runs every interleaving of the opened scenario's
// first race block (core/explore.h) and opens the shortest one that breaks an
// invariant on the stage, positioned at the step where the breach appears.
// The same search as `mmtutor-cli explore`; nothing here decides semantics.
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

public:
    explicit RaceExplorer(QObject* parent = nullptr);

    // Explores the session's scenario in its current era; false if it has no race block.
    Q_INVOKABLE bool explore();
    // Opens the shortest breaking interleaving in the session, at the step of
    // its first breach inside the block; false if there is none.
    Q_INVOKABLE bool openFinding();

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

signals:
    void sessionChanged();
    void availableChanged();
    void resultChanged();

private:
    void scenarioChanged();

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
    QString exploredName_;
    bool opening_ = false; // openFinding() is replacing the scenario: keep the result
};
