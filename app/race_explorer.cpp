#include "race_explorer.h"

#include "cli/replay_breaches.h"
#include "explore_replay.h"
#include "kernel.h"
#include "scenario.h"
#include "session_link.h"

#include <climits>

#include <QElapsedTimer>
#include <QFileInfo>

namespace {

QString fromStd(const std::string& text) {
    return QString::fromStdString(text);
}

// A message from the engine ends a sentence: give it its full stop.
QString asSentence(QString text) {
    if (!text.isEmpty() && !text.endsWith(QLatin1Char('.')))
        text += QLatin1Char('.');
    return text;
}

} // namespace

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
        clearResult();
        emit resultChanged();
    }
}

void RaceExplorer::clearResult() {
    explored_ = false;
    interleavings_ = breaking_ = states_ = milliseconds_ = 0;
    raceLine_ = 0;
    order_.clear();
    summary_.clear();
    replayText_.clear();
    incoherent_ = incoherentWithoutBreach_ = 0;
    incoherentSteps_ = 0;
    probeCommands_ = 0;
    incoherentOrder_.clear();
    incoherentSummary_.clear();
    probeAccess_.clear();
    probeRule_.clear();
    probeMessage_.clear();
    probeWhere_.clear();
    probeSentence_.clear();
    incoherentReplayText_.clear();
}

bool RaceExplorer::explore() {
    const mmt::Scenario* scenario = session_ ? session_->scenario() : nullptr;
    if (scenario == nullptr || !available_)
        return false;
    const QByteArray text = session_->sourceText().toUtf8();
    const mmt::Era engineEra = session_->engineEra();
    QElapsedTimer timer;
    timer.start();
    const mmt::ExploreFinding finding =
        mmt::explore_first_race(*scenario, std::string(text.constData(), size_t(text.size())), engineEra);
    const double milliseconds = double(timer.nsecsElapsed()) / 1e6;
    const mmt::ExploreResult& result = finding.report.result;
    clearResult();
    explored_ = true;
    milliseconds_ = milliseconds;
    interleavings_ = double(result.interleavings);
    breaking_ = double(result.breaking);
    states_ = double(result.states);
    raceLine_ = int(finding.report.race_line);
    order_ = fromStd(mmt::order_words(finding.report.order));
    replayText_ = fromStd(finding.replay);
    exploredName_ = session_->fileName();
    const QString era = session_->era();
    // The result stays shown over the replays it opens: name the file it is about.
    const QString where = tr("%1, line %2").arg(QFileInfo(exploredName_).fileName()).arg(raceLine_);

    // The probe: what the pinning process's later access does to its pin.
    incoherent_ = double(result.incoherent);
    incoherentWithoutBreach_ = double(result.incoherent_unbroken);
    if (finding.report.probe && !finding.incoherent_replay.empty()) {
        const mmt::PinProbe& probe = *finding.report.probe;
        incoherentSteps_ = int(result.shortest_incoherent.size());
        incoherentOrder_ = fromStd(mmt::order_words(finding.report.incoherent_order));
        incoherentReplayText_ = fromStd(finding.incoherent_replay);
        probeCommands_ = probe.read_first ? 2 : 1;
        probeAccess_ = fromStd(mmt::probe_sentence(probe));
        // What the access broke, from a run of the replay (as the command line reports it).
        const std::vector<mmt::ReplayBreach> breaches =
            mmt::replay_breaches(finding.incoherent_replay, QFileInfo(exploredName_).fileName().toStdString(),
                                 engineEra, size_t(probeCommands_), "coherence");
        if (!breaches.empty()) {
            probeRule_ = fromStd(breaches.front().violation.rule);
            probeMessage_ = fromStd(breaches.front().violation.message);
            probeWhere_ = fromStd(breaches.front().where);
            probeSentence_ = tr("Then %1, and the %2 check fails: %3")
                                 .arg(probeAccess_, probeRule_, asSentence(probeMessage_));
        } else {
            probeSentence_ = tr("Then %1, and pin %2 no longer refers to the page %3 maps there.")
                                 .arg(probeAccess_, fromStd(probe.holder), fromStd(probe.process));
        }
        QString breachedToo;
        if (result.incoherent_unbroken == result.incoherent)
            breachedToo = tr("all %1 keep every invariant").arg(result.incoherent);
        else if (result.incoherent_unbroken == 0)
            breachedToo = tr("each also breaks an invariant");
        else
            breachedToo = tr("%1 of them keep every invariant").arg(result.incoherent_unbroken);
        incoherentSummary_ = tr("%1 of %2 interleavings leave a pin incoherent after a later write (%3); "
                                "the shortest takes %4 steps (order %5).")
                                 .arg(result.incoherent)
                                 .arg(result.interleavings)
                                 .arg(breachedToo)
                                 .arg(incoherentSteps_)
                                 .arg(incoherentOrder_);
    }

    if (result.breaking > 0)
        // Breaking counts a pin coherence report inside the block too, which
        // the narration lists apart from the era's invariants.
        summary_ = tr("%1, era %2: %3 of %4 interleavings break an invariant or a pin's coherence; the "
                      "shortest takes %5 steps (order %6).")
                       .arg(where)
                       .arg(era)
                       .arg(result.breaking)
                       .arg(result.interleavings)
                       .arg(result.shortest.size())
                       .arg(order_);
    else if (result.incoherent > 0)
        summary_ = tr("%1, era %2: all %3 interleavings of the two CPUs keep every invariant, but %4 "
                      "leave a pin incoherent after a later write.")
                       .arg(where)
                       .arg(era)
                       .arg(result.interleavings)
                       .arg(result.incoherent);
    else
        summary_ = tr("%1, era %2: all %3 interleavings of the two CPUs keep every invariant, and "
                      "every pin stays coherent after a later write.")
                       .arg(where)
                       .arg(era)
                       .arg(result.interleavings);
    if (finding.report.whole_writer)
        summary_ += tr(" A writer ran its whole command as one atomic step (%1): the steps are modelled for "
                       "an order-0 page mapped by one PTE, so a race inside that unmap is not in these counts.")
                        .arg(fromStd(finding.report.whole_writer));
    emit resultChanged();
    return true;
}

bool RaceExplorer::openFinding() {
    // The breach the race block itself caused.
    return openReplay(replayText_, QStringLiteral("-breaking.mmt"), 0, nullptr);
}

bool RaceExplorer::openIncoherentFinding() {
    // The coherence breach of the probe's access, after the block.
    return openReplay(incoherentReplayText_, QStringLiteral("-incoherent.mmt"), probeCommands_, "coherence");
}

bool RaceExplorer::openReplay(const QString& text, const QString& suffix, int fromEnd, const char* kind) {
    if (session_ == nullptr || text.isEmpty())
        return false;
    const QString base = QFileInfo(exploredName_).completeBaseName();
    opening_ = true;
    const bool opened = session_->openText(text, base + suffix);
    opening_ = false;
    if (!opened)
        return false;
    // Where to look for the breach: the race block, or the commands after it.
    const mmt::Kernel* kernel = session_->kernel();
    const mmt::Scenario* scenario = session_->scenario();
    const auto& commands = kernel->commands();
    uint32_t first = UINT32_MAX;
    if (fromEnd > 0 && size_t(fromEnd) <= commands.size()) {
        first = commands[commands.size() - size_t(fromEnd)].step_begin;
    } else {
        for (const mmt::CommandRecord& record : commands)
            if (record.source_index < scenario->commands.size() &&
                scenario->commands[record.source_index].race)
                first = std::min(first, record.step_begin);
    }
    // Show it just after its step.
    for (const mmt::Violation& violation : kernel->violations()) {
        if (violation.step >= first && (kind == nullptr || violation.kind == kind)) {
            session_->seek(int(violation.step) + 1);
            return true;
        }
    }
    session_->end();
    return true;
}
