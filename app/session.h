// What QML talks to: one opened scenario, run to the end on the engine, and a
// cursor into its history. Navigation moves the engine's cursor and tells the
// models what the steps in between touched; only a new file or a new era
// resets them. No kernel logic lives here: everything shown comes from core.
#pragma once

#include "holder_model.h"
#include "page_model.h"
#include "process_model.h"
#include "scenario.h"
#include "scenario_runner.h"
#include "swap_model.h"
#include "timeline_scale.h"
#include "types.h"
#include "violation_model.h"

#include <memory>
#include <optional>
#include <vector>

#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

namespace mmt {
class Kernel;
}

class Session : public QObject {
    Q_OBJECT
    QML_NAMED_ELEMENT(Session)
    QML_SINGLETON

    // The scenario
    Q_PROPERTY(bool loaded READ loaded NOTIFY scenarioChanged FINAL)
    Q_PROPERTY(QString fileName READ fileName NOTIFY scenarioChanged FINAL)
    // The scenario's text as opened (what "Save to My scenarios" keeps).
    Q_PROPERTY(QString sourceText READ sourceText NOTIFY scenarioChanged FINAL)
    Q_PROPERTY(QStringList errors READ errors NOTIFY scenarioChanged FINAL)
    Q_PROPERTY(QString era READ era WRITE setEra NOTIFY scenarioChanged FINAL)
    Q_PROPERTY(int stepCount READ stepCount NOTIFY scenarioChanged FINAL)
    Q_PROPERTY(int commandCount READ commandCount NOTIFY scenarioChanged FINAL)
    // Where each command starts on the timeline's slider (0 to 1; see TimelineScale).
    Q_PROPERTY(QVariantList commandPositions READ commandPositions NOTIFY scenarioChanged FINAL)
    Q_PROPERTY(QString expectationSummary READ expectationSummary NOTIFY scenarioChanged FINAL)
    Q_PROPERTY(QStringList failedExpectations READ failedExpectations NOTIFY scenarioChanged FINAL)
    // Where in its history
    Q_PROPERTY(int stepIndex READ stepIndex NOTIFY positionChanged FINAL)
    Q_PROPERTY(int commandIndex READ commandIndex NOTIFY positionChanged FINAL)
    Q_PROPERTY(QString currentPath READ currentPath NOTIFY positionChanged FINAL)
    Q_PROPERTY(QString currentSentence READ currentSentence NOTIFY positionChanged FINAL)
    Q_PROPERTY(QStringList currentChanges READ currentChanges NOTIFY positionChanged FINAL)
    Q_PROPERTY(QString currentSource READ currentSource NOTIFY positionChanged FINAL)
    Q_PROPERTY(int currentLine READ currentLine NOTIFY positionChanged FINAL)
    Q_PROPERTY(QString currentOutcome READ currentOutcome NOTIFY positionChanged FINAL)
    // The current command failed, or it is an expectation that did not hold.
    Q_PROPERTY(bool currentOutcomeFailed READ currentOutcomeFailed NOTIFY positionChanged FINAL)
    // The innermost function of the current step, its pseudo-code and the line
    // the step is about (-1: none matched; the listing is empty if none exists).
    Q_PROPERTY(QString currentFunction READ currentFunction NOTIFY positionChanged FINAL)
    Q_PROPERTY(QStringList currentListing READ currentListing NOTIFY positionChanged FINAL)
    Q_PROPERTY(int currentListingLine READ currentListingLine NOTIFY positionChanged FINAL)
    // Playback
    Q_PROPERTY(bool playing READ playing NOTIFY playingChanged FINAL)
    Q_PROPERTY(double speed READ speed WRITE setSpeed NOTIFY speedChanged FINAL)
    // The state, as models
    Q_PROPERTY(ProcessModel* processes READ processes CONSTANT FINAL)
    Q_PROPERTY(PageModel* pages READ pages CONSTANT FINAL)
    Q_PROPERTY(PageModel* devicePages READ devicePages CONSTANT FINAL)
    Q_PROPERTY(SwapModel* swapSlots READ swapSlots CONSTANT FINAL)
    Q_PROPERTY(HolderModel* holders READ holders CONSTANT FINAL)
    Q_PROPERTY(ViolationModel* violations READ violations CONSTANT FINAL)

public:
    explicit Session(QObject* parent = nullptr);
    ~Session() override;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Opening. Both return false (and fill `errors`) when the text has errors.
    Q_INVOKABLE bool openFile(const QString& pathOrUrl);
    Q_INVOKABLE bool openUrl(const QUrl& url) { return openFile(url.toString()); }
    Q_INVOKABLE bool openText(const QString& text, const QString& name);

    // History: one kernel step, one whole command, the ends, any step.
    Q_INVOKABLE void stepForward();
    Q_INVOKABLE void stepBack();
    Q_INVOKABLE void nextCommand();
    Q_INVOKABLE void previousCommand();
    Q_INVOKABLE void home();
    Q_INVOKABLE void end();
    Q_INVOKABLE void seek(int step);
    // Moves to the first kernel step of the current command that ran in
    // `function` (innermost first, then anywhere on its call path), so that
    // the narration shows it; false, and no move, if none did.
    Q_INVOKABLE bool showStepIn(const QString& function);
    // The state after the first `count` commands (past the end: the end).
    Q_INVOKABLE void gotoCommand(int count);
    Q_INVOKABLE void play();
    Q_INVOKABLE void pause();
    Q_INVOKABLE void togglePlay();
    // "line 7: write parent buf[0] \"world\"" for the command of step `step` (0-based).
    Q_INVOKABLE QString describeStep(int step) const;
    // The timeline's slider position (0 to 1) of the cursor after `steps`
    // steps, and the cursor nearest to a position.
    Q_INVOKABLE double timelinePosition(int steps) const;
    Q_INVOKABLE int timelineSteps(double position) const;
    // The inspector's history of one object up to the current step: a list of
    // {step (seek there to see it applied), function, change}, oldest first.
    // An entry is named by its VMA, virtual page index and EntryModel::Level.
    Q_INVOKABLE QVariantList pageHistory(int pfn) const;
    Q_INVOKABLE QVariantList entryHistory(int vma, int index, int level) const;
    Q_INVOKABLE QVariantList holderHistory(int holder) const;

    bool loaded() const { return kernel_ != nullptr; }
    QString fileName() const { return fileName_; }
    QStringList errors() const { return errors_; }
    QString era() const { return QString(QChar::fromLatin1(mmt::era_letter(era_))); }
    // Re-runs the scenario in another era, keeping the number of commands done.
    void setEra(const QString& era);
    int stepCount() const;
    int commandCount() const;
    QVariantList commandPositions() const;
    QString expectationSummary() const { return expectationSummary_; }
    QStringList failedExpectations() const { return failedExpectations_; }

    int stepIndex() const;
    int commandIndex() const;
    QString currentPath() const { return currentPath_; }
    QString currentSentence() const { return currentSentence_; }
    QStringList currentChanges() const { return currentChanges_; }
    QString currentSource() const { return currentSource_; }
    int currentLine() const { return currentLine_; }
    QString currentOutcome() const { return currentOutcome_; }
    bool currentOutcomeFailed() const { return currentOutcomeFailed_; }
    QString currentFunction() const { return currentFunction_; }
    QStringList currentListing() const { return currentListing_; }
    int currentListingLine() const { return currentListingLine_; }

    bool playing() const { return timer_.isActive(); }
    double speed() const { return speed_; }
    void setSpeed(double stepsPerSecond);

    ProcessModel* processes() const { return processes_; }
    PageModel* pages() const { return pages_; }
    PageModel* devicePages() const { return devicePages_; }
    SwapModel* swapSlots() const { return swapSlots_; }
    HolderModel* holders() const { return holders_; }
    ViolationModel* violations() const { return violations_; }
    const mmt::Kernel* kernel() const { return kernel_.get(); }
    // For controllers that read the opened scenario (RaceLaneModel, RaceExplorer).
    const mmt::Scenario* scenario() const { return scenario_ ? &*scenario_ : nullptr; }
    const QString& sourceText() const { return text_; }
    // The next scenario opened runs in the era its `era` line names (a lesson does this).
    void useFileEra() { eraOverride_.reset(); }
    mmt::Era engineEra() const { return era_; }

signals:
    void scenarioChanged();
    void positionChanged();
    void playingChanged();
    void speedChanged();

private:
    bool run(int commandsDone);
    void moveTo(uint32_t step);
    void refreshNarration();
    int commandsDone() const;

    std::unique_ptr<mmt::Kernel> kernel_;
    std::optional<mmt::Scenario> scenario_;
    QString text_;
    QString fileName_;
    QStringList errors_;
    std::optional<mmt::Era> eraOverride_;
    mmt::Era era_ = mmt::Era::c;
    QString expectationSummary_;
    QStringList failedExpectations_;

    QString currentPath_;
    QString currentSentence_;
    QStringList currentChanges_;
    QString currentSource_;
    int currentLine_ = 0;
    QString currentOutcome_;
    bool currentOutcomeFailed_ = false;
    std::vector<mmt::ExpectationResult> expectations_;  // of the run, in command order
    QString currentFunction_;
    QStringList currentListing_;
    int currentListingLine_ = -1;

    TimelineScale timeline_;
    QTimer timer_;
    double speed_ = 2.0;

    ProcessModel* processes_;
    PageModel* pages_;
    PageModel* devicePages_;
    SwapModel* swapSlots_;
    HolderModel* holders_;
    ViolationModel* violations_;
};
