#include "race_explorer.h"

#include "explore_replay.h"
#include "kernel.h"
#include "scenario.h"
#include "session_link.h"

#include <QElapsedTimer>
#include <QFileInfo>

#include <climits>

RaceExplorer::RaceExplorer(QObject* parent) : QObject(parent) {}

void RaceExplorer::setSession(Session* session) {
    if (!linkSession(session_, session, this, &RaceExplorer::scenarioChanged))
        return;
    scenarioChanged();
    emit sessionChanged();
}

void RaceExplorer::scenarioChanged() {
    const mmt::Scenario* scenario = session_ ? session_->scenario() : nullptr;
    const bool available = scenario != nullptr && mmt::first_race_command(*scenario) != UINT32_MAX;
    if (available != available_) {
        available_ = available;
        emit availableChanged();
    }
    // A result belongs to the scenario it was found in (or to the replay it opened).
    if (explored_ && !opening_) {
        explored_ = false;
        interleavings_ = breaking_ = states_ = milliseconds_ = 0;
        raceLine_ = 0;
        order_.clear();
        summary_.clear();
        replayText_.clear();
        emit resultChanged();
    }
}

bool RaceExplorer::explore() {
    const mmt::Scenario* scenario = session_ ? session_->scenario() : nullptr;
    if (scenario == nullptr || !available_)
        return false;
    const QByteArray text = session_->sourceText().toUtf8();
    QElapsedTimer timer;
    timer.start();
    const mmt::ExploreFinding finding =
        mmt::explore_first_race(*scenario, std::string(text.constData(), size_t(text.size())), session_->engineEra());
    milliseconds_ = double(timer.nsecsElapsed()) / 1e6;
    const mmt::ExploreResult& result = finding.report.result;
    explored_ = true;
    interleavings_ = double(result.interleavings);
    breaking_ = double(result.breaking);
    states_ = double(result.states);
    raceLine_ = int(finding.report.race_line);
    order_ = QString::fromStdString(mmt::order_words(finding.report.order));
    replayText_ = QString::fromStdString(finding.replay);
    exploredName_ = session_->fileName();
    const QString era = session_->era();
    if (result.breaking == 0)
        summary_ = tr("Line %1, era %2: all %3 interleavings of the two CPUs keep every invariant.")
                       .arg(raceLine_)
                       .arg(era)
                       .arg(result.interleavings);
    else
        summary_ = tr("Line %1, era %2: %3 of %4 interleavings break an invariant; the shortest takes "
                      "%5 steps (order %6).")
                       .arg(raceLine_)
                       .arg(era)
                       .arg(result.breaking)
                       .arg(result.interleavings)
                       .arg(result.shortest.size())
                       .arg(order_);
    emit resultChanged();
    return true;
}

bool RaceExplorer::openFinding() {
    if (session_ == nullptr || replayText_.isEmpty())
        return false;
    const QString base = QFileInfo(exploredName_).completeBaseName();
    opening_ = true;
    const bool opened = session_->openText(replayText_, base + QStringLiteral("-breaking.mmt"));
    opening_ = false;
    if (!opened)
        return false;
    // Show the first breach the race block caused, just after its step.
    const mmt::Kernel* kernel = session_->kernel();
    const mmt::Scenario* scenario = session_->scenario();
    uint32_t raceBegin = UINT32_MAX;
    for (const mmt::CommandRecord& record : kernel->commands())
        if (record.source_index < scenario->commands.size() && scenario->commands[record.source_index].race)
            raceBegin = std::min(raceBegin, record.step_begin);
    for (const mmt::Violation& violation : kernel->violations()) {
        if (violation.step >= raceBegin) {
            session_->seek(int(violation.step) + 1);
            return true;
        }
    }
    session_->end();
    return true;
}
