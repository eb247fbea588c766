// The lesson player: walks a student through a lesson (core/lesson.h) on the
// stage. Each lesson step is one scenario command in two phases: first the
// state just before the command, the narration and the checkpoints, whose
// choices wait for an answer; then the command runs, kernel step by kernel
// step, and the state after it shows with the engine's answers revealed and
// an explanation for the choice made. The engine decides every answer: the
// player runs the lesson's scenario once on its own kernel when it loads.
//
// Progress goes out as signals (the store saves it); the player keeps no
// state of its own beyond the open lesson.
#pragma once

#include "lesson.h"
#include "session.h"

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include <optional>
#include <vector>

class LessonPlayer : public QObject {
    Q_OBJECT
    QML_ELEMENT

    Q_PROPERTY(Session* session READ session WRITE setSession NOTIFY sessionChanged FINAL)
    // The lesson
    Q_PROPERTY(bool active READ active NOTIFY lessonChanged FINAL)
    Q_PROPERTY(QString lessonId READ lessonId NOTIFY lessonChanged FINAL)
    Q_PROPERTY(QString title READ title NOTIFY lessonChanged FINAL)
    Q_PROPERTY(QString summary READ summary NOTIFY lessonChanged FINAL)
    Q_PROPERTY(QString level READ level NOTIFY lessonChanged FINAL)
    Q_PROPERTY(int minutes READ minutes NOTIFY lessonChanged FINAL)
    Q_PROPERTY(QString era READ era NOTIFY lessonChanged FINAL)
    Q_PROPERTY(QString intro READ intro NOTIFY lessonChanged FINAL)
    Q_PROPERTY(QStringList sources READ sources NOTIFY lessonChanged FINAL)
    Q_PROPERTY(QString tryPrompt READ tryPrompt NOTIFY lessonChanged FINAL)
    Q_PROPERTY(QString tryScenario READ tryScenario NOTIFY lessonChanged FINAL)
    Q_PROPERTY(int stepCount READ stepCount NOTIFY lessonChanged FINAL)
    Q_PROPERTY(QStringList errors READ errors NOTIFY lessonChanged FINAL)
    // Where the student is: stepIndex -1 is the introduction, stepCount the
    // closing "try it yourself" page. phase: "intro", "predict", "running",
    // "revealed" or "try".
    Q_PROPERTY(int stepIndex READ stepIndex NOTIFY stepChanged FINAL)
    Q_PROPERTY(QString phase READ phase NOTIFY stepChanged FINAL)
    Q_PROPERTY(int commandNumber READ commandNumber NOTIFY stepChanged FINAL)
    Q_PROPERTY(QString commandText READ commandText NOTIFY stepChanged FINAL)
    Q_PROPERTY(QString stepTitle READ stepTitle NOTIFY stepChanged FINAL)
    Q_PROPERTY(QString narration READ narration NOTIFY stepChanged FINAL)
    Q_PROPERTY(QString after READ after NOTIFY stepChanged FINAL)
    // One map per checkpoint of the step: question, ask, choices (a list of
    // {value, explanation, right}), chosen (-1: none yet), and once revealed
    // engineValue and engineDetail (what the engine saw).
    Q_PROPERTY(QVariantList checkpoints READ checkpoints NOTIFY checkpointsChanged FINAL)
    Q_PROPERTY(bool allAnswered READ allAnswered NOTIFY checkpointsChanged FINAL)
    // What the step points at, resolved on the state shown: one map per
    // highlight with kind ("process", "entry", "vma", "page", "swap",
    // "holder", "function"), text, and the ids that apply (process, vma,
    // index, pfn, slot, holder, name). resolved is false when the object
    // does not exist at this moment.
    Q_PROPERTY(QVariantList highlights READ highlights NOTIFY highlightsChanged FINAL)
    // The session shows another era than the lesson's (the answers are the lesson era's).
    Q_PROPERTY(bool eraMismatch READ eraMismatch NOTIFY eraMismatchChanged FINAL)

public:
    explicit LessonPlayer(QObject* parent = nullptr);

    // Parses and runs the lesson and opens its scenario in the session, at the
    // introduction. False (and `errors` filled, the session untouched) when
    // the lesson has problems.
    Q_INVOKABLE bool load(const QString& id, const QString& source, const QString& fileName = QString());
    Q_INVOKABLE bool loadFile(const QString& path);
    // Goes to a lesson step (-1: the introduction; stepCount: the closing page), before its command.
    Q_INVOKABLE void start(int stepIndex);
    // Onwards: intro -> step 0; predict -> run the command; revealed -> the next step.
    Q_INVOKABLE void next();
    Q_INVOKABLE void back();
    // Runs the step's command, kernel step by kernel step at the session's speed.
    Q_INVOKABLE void run();
    // Shows the state after the command at once (also ends a run in progress).
    Q_INVOKABLE void reveal();
    // The student's choice for a checkpoint (only before the reveal).
    Q_INVOKABLE void choose(int checkpoint, int choice);
    // Opens the closing scenario in the session (the lesson ends).
    Q_INVOKABLE bool openTryScenario();
    Q_INVOKABLE void close();

    Session* session() const { return session_; }
    void setSession(Session* session);

    bool active() const { return lesson_.has_value(); }
    QString lessonId() const { return id_; }
    QString title() const;
    QString summary() const;
    QString level() const;
    int minutes() const { return lesson_ ? int(lesson_->minutes) : 0; }
    QString era() const;
    QString intro() const;
    QStringList sources() const;
    QString tryPrompt() const;
    QString tryScenario() const;
    int stepCount() const { return lesson_ ? int(lesson_->steps.size()) : 0; }
    QStringList errors() const { return errors_; }
    int stepIndex() const { return stepIndex_; }
    QString phase() const { return phase_; }
    int commandNumber() const;
    QString commandText() const;
    QString stepTitle() const;
    QString narration() const;
    QString after() const;
    QVariantList checkpoints() const;
    bool allAnswered() const;
    QVariantList highlights() const;
    bool eraMismatch() const { return eraMismatch_; }

signals:
    void sessionChanged();
    void lessonChanged();
    void stepChanged();
    void checkpointsChanged();
    void highlightsChanged(); // the step changed, or the stage moved under it
    void eraMismatchChanged();
    // For the store: where the student is, an answer given, the lesson finished.
    void progressed(const QString& lessonId, int stepIndex);
    void answered(const QString& lessonId, const QString& checkpointKey, const QString& choice, bool correct);
    void completed(const QString& lessonId);

private:
    struct EngineAnswer {
        QString value; // empty: the engine could not answer
        QString detail;
    };
    const mmt::LessonStep* currentStep() const;
    void setStep(int index, const QString& phase);
    void showBefore();
    void sessionScenarioChanged();
    void sessionPositionChanged();
    uint32_t commandEnd() const; // history position after the current step's command

    QPointer<Session> session_;
    std::optional<mmt::Lesson> lesson_;
    QString id_;
    QStringList errors_;
    std::vector<std::vector<EngineAnswer>> answers_; // per step, per checkpoint
    std::vector<std::vector<int>> chosen_;           // per step, per checkpoint: index into the shown choices
    int stepIndex_ = -1;
    QString phase_ = QStringLiteral("intro");
    bool opening_ = false; // the player itself is changing the session's scenario
    bool eraMismatch_ = false;
    QString scenarioText_;
};
