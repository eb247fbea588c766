#include "session.h"

#include "inspector.h"
#include "pseudo_code.h"

#include "kernel.h"
#include "scenario_runner.h"
#include "touched.h"

#include <algorithm>

#include <QFile>
#include <QFileInfo>
#include <QUrl>
#include <QVariantMap>

namespace {

QString qs(const std::string& text) {
    return QString::fromStdString(text);
}

std::optional<mmt::Era> eraFromText(const QString& text) {
    if (text == QLatin1String("a"))
        return mmt::Era::a;
    if (text == QLatin1String("b"))
        return mmt::Era::b;
    if (text == QLatin1String("c"))
        return mmt::Era::c;
    return std::nullopt;
}

} // namespace

Session::Session(QObject* parent)
    : QObject(parent), processes_(new ProcessModel(this)),
      pages_(new PageModel(PageModel::Memory::system, this)),
      devicePages_(new PageModel(PageModel::Memory::device, this)), swapSlots_(new SwapModel(this)),
      holders_(new HolderModel(this)), violations_(new ViolationModel(this)) {
    timer_.setInterval(static_cast<int>(1000 / speed_));
    connect(&timer_, &QTimer::timeout, this, [this] {
        if (kernel_ == nullptr || kernel_->at_end()) {
            pause();
            return;
        }
        stepForward();
    });
}

Session::~Session() = default;

bool Session::openFile(const QString& pathOrUrl) {
    const QUrl url(pathOrUrl);
    const QString path = url.isLocalFile() ? url.toLocalFile() : pathOrUrl;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        pause();
        errors_ = {QStringLiteral("%1: error: cannot read the file: %2").arg(path, file.errorString())};
        emit scenarioChanged();
        return false;
    }
    if (file.size() > static_cast<qint64>(mmt::kMaxScenarioBytes)) {
        errors_ = {QStringLiteral("%1: error: the file is larger than 4 MiB").arg(path)};
        emit scenarioChanged();
        return false;
    }
    return openText(QString::fromUtf8(file.readAll()), path);
}

bool Session::openText(const QString& text, const QString& name) {
    text_ = text;
    fileName_ = name;
    return run(0);
}

void Session::setEra(const QString& era) {
    const std::optional<mmt::Era> wanted = eraFromText(era);
    if (!wanted || (eraOverride_ == wanted && era_ == *wanted))
        return;
    eraOverride_ = wanted;
    if (text_.isEmpty()) {
        era_ = *wanted;
        emit scenarioChanged();
        return;
    }
    run(commandsDone());
}

// Parses and runs text_ in the era, then shows the state after `done` commands.
bool Session::run(int done) {
    pause();
    const QByteArray utf8 = text_.toUtf8();
    mmt::ParseResult parsed =
        mmt::parse_scenario(std::string_view(utf8.constData(), static_cast<size_t>(utf8.size())),
                            QFileInfo(fileName_).fileName().toStdString(), eraOverride_);
    errors_.clear();
    expectations_.clear();
    failedExpectations_.clear();
    expectationSummary_.clear();
    if (!parsed.scenario) {
        for (const mmt::ScenarioError& error : parsed.errors)
            errors_ << qs(error.format());
        kernel_.reset();
        scenario_.reset();
        processes_->clear();
        pages_->clear();
        devicePages_->clear();
        swapSlots_->clear();
        holders_->clear();
        violations_->clear();
        timeline_.clear();
        refreshNarration();
        emit scenarioChanged();
        emit positionChanged();
        return false;
    }
    scenario_ = std::move(parsed.scenario);
    era_ = eraOverride_.value_or(scenario_->era.value_or(mmt::Era::c));
    mmt::RunResult result = mmt::run_scenario(*scenario_, era_);
    kernel_ = std::move(result.kernel);
    expectationSummary_ = QStringLiteral("%1 passed, %2 failed").arg(result.passed()).arg(result.failed());
    expectations_ = result.expectations;
    for (const mmt::ExpectationResult& expectation : result.expectations)
        if (!expectation.passed)
            failedExpectations_ << QStringLiteral("line %1: expected %2, got %3")
                                       .arg(expectation.line)
                                       .arg(qs(expectation.expected), qs(expectation.got));

    // The run leaves the engine at the end; the models start from where we show.
    const auto& commands = kernel_->commands();
    std::vector<uint32_t> starts;
    starts.reserve(commands.size());
    for (const mmt::CommandRecord& command : commands)
        starts.push_back(command.step_begin);
    timeline_.reset(starts, static_cast<uint32_t>(kernel_->steps().size()));
    const int count = std::clamp(done, 0, static_cast<int>(commands.size()));
    kernel_->seek(count == 0 ? 0 : commands[static_cast<size_t>(count - 1)].step_end);
    processes_->load(*kernel_);
    pages_->load(*kernel_);
    devicePages_->load(*kernel_);
    swapSlots_->load(*kernel_);
    holders_->load(*kernel_);
    violations_->load(*kernel_);
    refreshNarration();
    emit scenarioChanged();
    emit positionChanged();
    return true;
}

void Session::moveTo(uint32_t step) {
    if (kernel_ == nullptr)
        return;
    step = std::min<uint32_t>(step, static_cast<uint32_t>(kernel_->steps().size()));
    const uint32_t from = kernel_->cursor();
    if (step == from)
        return;
    kernel_->seek(step);
    const Touched touched = touchedBetween(*kernel_, from, step);
    processes_->update(*kernel_, touched.processes, touched.tables);
    if (touched.pages) {
        pages_->update(*kernel_);
        devicePages_->update(*kernel_);
    }
    // Entries name the pages they point to; cards name their swap slot.
    if (touched.swap || touched.pages)
        swapSlots_->update(*kernel_);
    if (touched.holders || touched.pages)
        holders_->update(*kernel_);
    violations_->update(*kernel_);
    refreshNarration();
    emit positionChanged();
}

void Session::refreshNarration() {
    currentPath_.clear();
    currentSentence_.clear();
    currentChanges_.clear();
    currentSource_.clear();
    currentLine_ = 0;
    currentOutcome_.clear();
    currentOutcomeFailed_ = false;
    currentFunction_.clear();
    currentListing_.clear();
    currentListingLine_ = -1;
    if (kernel_ == nullptr)
        return;
    if (kernel_->cursor() == 0) {
        currentSentence_ =
            QStringLiteral("The initial state: no process exists yet. Press → to run the first step.");
        return;
    }
    const uint32_t step = kernel_->cursor() - 1;
    currentPath_ = qs(kernel_->step_path(step));
    currentSentence_ = qs(kernel_->step_sentence(step));
    const PseudoCode& pseudoCode = PseudoCode::builtIn();
    currentFunction_ = PseudoCode::innermost(currentPath_);
    currentListing_ = pseudoCode.listing(currentFunction_, era_); // the listing of this era's kernel
    currentListingLine_ = pseudoCode.lineFor(currentFunction_, era_, currentSentence_);
    // A step no line stands for (the free that follows a last put, say) goes
    // on with the line of the step before it, when that ran in the same call
    // of the same command.
    if (currentListingLine_ < 0 && step > 0 &&
        kernel_->steps()[step - 1].command == kernel_->steps()[step].command &&
        qs(kernel_->step_path(step - 1)) == currentPath_)
        currentListingLine_ = pseudoCode.lineFor(currentFunction_, era_, qs(kernel_->step_sentence(step - 1)));
    for (const std::string& change : kernel_->step_changes(step))
        currentChanges_ << qs(change);
    const mmt::CommandRecord& record = kernel_->commands()[kernel_->steps()[step].command];
    currentLine_ = static_cast<int>(record.line);
    if (scenario_ && record.source_index < scenario_->commands.size())
        currentSource_ = qs(scenario_->commands[record.source_index].source);
    if (kernel_->cursor() >= record.step_end) { // the command is complete
        currentOutcome_ = record.failure ? QStringLiteral("failed: ") + QString::fromUtf8(record.failure)
                                         : QStringLiteral("ok");
        if (record.value)
            currentOutcome_ +=
                QStringLiteral(", read \"%1\"").arg(qs(kernel_->strings().text(*record.value)));
        currentOutcomeFailed_ = record.failure != nullptr;
        // An expectation that runs kernel steps (`expect read`) is judged by
        // what it expected, not by whether its load worked.
        for (const mmt::ExpectationResult& expectation : expectations_)
            if (expectation.command_index == record.source_index) {
                currentOutcome_ = expectation.passed
                                      ? QStringLiteral("expectation holds: %1").arg(qs(expectation.got))
                                      : QStringLiteral("expectation failed: expected %1, got %2")
                                            .arg(qs(expectation.expected), qs(expectation.got));
                currentOutcomeFailed_ = !expectation.passed;
            }
    }
}

int Session::commandsDone() const {
    if (kernel_ == nullptr)
        return 0;
    const auto& commands = kernel_->commands();
    return static_cast<int>(
        std::count_if(commands.begin(), commands.end(),
                      [this](const mmt::CommandRecord& c) { return c.step_end <= kernel_->cursor(); }));
}

void Session::stepForward() {
    if (kernel_ != nullptr)
        moveTo(kernel_->cursor() + 1);
}

void Session::stepBack() {
    if (kernel_ != nullptr && kernel_->cursor() > 0)
        moveTo(kernel_->cursor() - 1);
}

void Session::nextCommand() {
    if (kernel_ == nullptr)
        return;
    for (const mmt::CommandRecord& command : kernel_->commands())
        if (command.step_end > kernel_->cursor()) {
            moveTo(command.step_end);
            return;
        }
}

void Session::previousCommand() {
    if (kernel_ == nullptr)
        return;
    uint32_t target = 0;
    for (const mmt::CommandRecord& command : kernel_->commands())
        if (command.step_end < kernel_->cursor())
            target = command.step_end;
    moveTo(target);
}

void Session::home() {
    moveTo(0);
}

void Session::end() {
    if (kernel_ != nullptr)
        moveTo(static_cast<uint32_t>(kernel_->steps().size()));
}

void Session::seek(int step) {
    moveTo(static_cast<uint32_t>(std::max(step, 0)));
}

bool Session::showStepIn(const QString& function) {
    if (kernel_ == nullptr || kernel_->cursor() == 0)
        return false;
    const mmt::CommandRecord& command = kernel_->commands()[kernel_->steps()[kernel_->cursor() - 1].command];
    for (const bool innermostOnly : {true, false})
        for (uint32_t step = command.step_begin; step < command.step_end; ++step) {
            const QString path = qs(kernel_->step_path(step));
            const bool ran = innermostOnly ? PseudoCode::innermost(path) == function
                                           : path.split(QStringLiteral(" \u2192 ")).contains(function);
            if (ran) {
                moveTo(step + 1);
                return true;
            }
        }
    return false;
}

void Session::gotoCommand(int count) {
    if (kernel_ == nullptr)
        return;
    const auto& commands = kernel_->commands();
    if (count <= 0)
        moveTo(0);
    else if (count >= static_cast<int>(commands.size()))
        end();
    else
        moveTo(commands[static_cast<size_t>(count - 1)].step_end);
}

void Session::play() {
    if (kernel_ == nullptr || timer_.isActive())
        return;
    if (kernel_->at_end())
        home(); // playing a finished scenario starts it over
    timer_.start();
    emit playingChanged();
}

void Session::pause() {
    if (!timer_.isActive())
        return;
    timer_.stop();
    emit playingChanged();
}

void Session::togglePlay() {
    playing() ? pause() : play();
}

void Session::setSpeed(double stepsPerSecond) {
    stepsPerSecond = std::clamp(stepsPerSecond, 0.25, 20.0);
    if (qFuzzyCompare(stepsPerSecond, speed_))
        return;
    speed_ = stepsPerSecond;
    timer_.setInterval(static_cast<int>(1000 / speed_));
    emit speedChanged();
}

QString Session::describeStep(int step) const {
    if (kernel_ == nullptr || step < 0 || step >= static_cast<int>(kernel_->steps().size()))
        return {};
    const mmt::CommandRecord& record =
        kernel_->commands()[kernel_->steps()[static_cast<size_t>(step)].command];
    QString source;
    if (scenario_ && record.source_index < scenario_->commands.size())
        source = qs(scenario_->commands[record.source_index].source);
    return QStringLiteral("line %1: %2").arg(record.line).arg(source);
}

int Session::stepCount() const {
    return kernel_ ? static_cast<int>(kernel_->steps().size()) : 0;
}

int Session::commandCount() const {
    return kernel_ ? static_cast<int>(kernel_->commands().size()) : 0;
}

QVariantList Session::commandPositions() const {
    QVariantList positions;
    for (double position : timeline_.commandPositions())
        positions << position;
    return positions;
}

double Session::timelinePosition(int steps) const {
    return timeline_.position(static_cast<uint32_t>(std::max(steps, 0)));
}

int Session::timelineSteps(double position) const {
    return static_cast<int>(timeline_.stepsAt(position));
}

int Session::stepIndex() const {
    return kernel_ ? static_cast<int>(kernel_->cursor()) : 0;
}

int Session::commandIndex() const {
    if (kernel_ == nullptr || kernel_->cursor() == 0)
        return -1;
    return static_cast<int>(kernel_->steps()[kernel_->cursor() - 1].command);
}

namespace {

QVariantList historyList(const mmt::Kernel* kernel, const InspectedObject& object) {
    QVariantList out;
    if (kernel == nullptr)
        return out;
    for (const HistoryItem& item : object_history(*kernel, object, kernel->cursor()))
        out << QVariantMap{{QStringLiteral("step"), static_cast<int>(item.step) + 1},
                           {QStringLiteral("function"), QString::fromStdString(item.function)},
                           {QStringLiteral("change"), QString::fromStdString(item.change)}};
    return out;
}

} // namespace

QVariantList Session::pageHistory(int pfn) const {
    return historyList(kernel_.get(), {InspectedObject::Kind::page, static_cast<uint32_t>(pfn), {}, 0});
}

QVariantList Session::entryHistory(int vma, int index, int level) const {
    const auto kind = level == EntryModel::Pmd ? InspectedObject::Kind::pmdEntry : InspectedObject::Kind::pageTableEntry;
    return historyList(kernel_.get(), {kind, 0, mmt::VmaId(static_cast<uint32_t>(vma)), static_cast<uint32_t>(index)});
}

QVariantList Session::holderHistory(int holder) const {
    return historyList(kernel_.get(), {InspectedObject::Kind::holder, static_cast<uint32_t>(holder), {}, 0});
}
