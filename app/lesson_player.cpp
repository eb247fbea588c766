#include "lesson_player.h"

#include "invariants.h"
#include "kernel.h"
#include "lesson_check.h"
#include "scenario_runner.h"
#include "session_link.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace {

QString qs(const std::string& text) {
    return QString::fromStdString(text);
}

// The choices of a checkpoint in the order shown: by value, so that the
// author's answer is not always first, and the same every time.
std::vector<const mmt::CheckpointChoice*> shownChoices(const mmt::Checkpoint& checkpoint) {
    std::vector<const mmt::CheckpointChoice*> choices{&checkpoint.answer};
    for (const mmt::CheckpointChoice& wrong : checkpoint.wrong)
        choices.push_back(&wrong);
    std::stable_sort(choices.begin(), choices.end(), [](const auto* a, const auto* b) {
        return QString::fromStdString(a->value).compare(QString::fromStdString(b->value), Qt::CaseInsensitive) < 0;
    });
    return choices;
}

QString checkpointKey(const mmt::Checkpoint& checkpoint) {
    return QString::number(checkpoint.line);
}

} // namespace

LessonPlayer::LessonPlayer(QObject* parent) : QObject(parent) {}

void LessonPlayer::setSession(Session* session) {
    if (linkSession(session_, session, this, &LessonPlayer::sessionScenarioChanged,
                    &LessonPlayer::sessionPositionChanged))
        emit sessionChanged();
}

bool LessonPlayer::loadFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        errors_ = {QStringLiteral("%1: cannot read the lesson: %2").arg(path, file.errorString())};
        emit lessonChanged();
        return false;
    }
    const QString id = QFileInfo(path).completeBaseName().section(QLatin1Char('-'), 1);
    return load(id, QString::fromUtf8(file.read(qint64(mmt::kMaxLessonBytes) + 1)), path);
}

bool LessonPlayer::load(const QString& id, const QString& source, const QString& fileName) {
    const QString name = fileName.isEmpty() ? id + QStringLiteral(".lesson") : fileName;
    const QByteArray utf8 = source.toUtf8();
    mmt::LessonParseResult parsed =
        mmt::parse_lesson(std::string_view(utf8.constData(), size_t(utf8.size())), QFileInfo(name).fileName().toStdString());
    QStringList errors;
    for (const mmt::LessonProblem& problem : parsed.problems)
        errors << qs(problem.format());
    if (!parsed.lesson || session_ == nullptr) {
        if (session_ == nullptr)
            errors << QStringLiteral("no session to show the lesson on");
        errors_ = errors;
        emit lessonChanged();
        return false;
    }

    // The engine's answer to every checkpoint, from a run of our own.
    mmt::Lesson lesson = std::move(*parsed.lesson);
    mmt::RunResult run = mmt::run_scenario(*lesson.scenario.parsed, lesson.era());
    std::vector<std::vector<EngineAnswer>> answers;
    for (const mmt::LessonStep& step : lesson.steps) {
        std::vector<EngineAnswer> stepAnswers;
        const int record = step.command_index < run.record_of.size() ? run.record_of[step.command_index] : -1;
        for (const mmt::Checkpoint& checkpoint : step.checkpoints) {
            if (record < 0) {
                stepAnswers.push_back({QString(), QStringLiteral("the command did not run")});
                continue;
            }
            const mmt::EngineAnswer answer =
                mmt::engine_answer(*run.kernel, run.kernel->commands()[size_t(record)], checkpoint);
            stepAnswers.push_back({answer.value ? qs(*answer.value) : QString(), qs(answer.detail)});
        }
        answers.push_back(std::move(stepAnswers));
    }

    lesson_ = std::move(lesson);
    id_ = id.isEmpty() ? qs(lesson_->id) : id;
    errors_.clear();
    answers_ = std::move(answers);
    chosen_.clear();
    for (const mmt::LessonStep& step : lesson_->steps)
        chosen_.emplace_back(step.checkpoints.size(), -1);
    scenarioText_ = qs(lesson_->scenario.text);

    opening_ = true;
    session_->useFileEra();
    session_->openText(scenarioText_, id_ + QStringLiteral(".lesson"));
    opening_ = false;
    eraMismatch_ = false;
    emit eraMismatchChanged();
    emit lessonChanged();
    start(-1);
    return true;
}

void LessonPlayer::close() {
    if (!lesson_)
        return;
    lesson_.reset();
    id_.clear();
    answers_.clear();
    chosen_.clear();
    stepIndex_ = -1;
    phase_ = QStringLiteral("intro");
    emit lessonChanged();
    emit stepChanged();
    emit checkpointsChanged();
}

const mmt::LessonStep* LessonPlayer::currentStep() const {
    if (!lesson_ || stepIndex_ < 0 || stepIndex_ >= stepCount())
        return nullptr;
    return &lesson_->steps[size_t(stepIndex_)];
}

void LessonPlayer::setStep(int index, const QString& phase) {
    const bool moved = index != stepIndex_;
    stepIndex_ = index;
    phase_ = phase;
    emit stepChanged();
    emit checkpointsChanged();
    emit highlightsChanged();
    if (moved && lesson_)
        emit progressed(id_, stepIndex_);
}

void LessonPlayer::start(int stepIndex) {
    if (!lesson_ || session_ == nullptr)
        return;
    const int index = std::clamp(stepIndex, -1, stepCount());
    if (index == -1) {
        session_->pause();
        session_->home();
        setStep(-1, QStringLiteral("intro"));
    } else if (index == stepCount()) {
        session_->pause();
        session_->end();
        setStep(index, QStringLiteral("try"));
        emit completed(id_);
    } else {
        setStep(index, QStringLiteral("predict"));
        showBefore();
    }
}

void LessonPlayer::showBefore() {
    const mmt::LessonStep* step = currentStep();
    if (step == nullptr)
        return;
    session_->pause();
    session_->gotoCommand(int(step->command_number) - 1);
}

uint32_t LessonPlayer::commandEnd() const {
    const mmt::LessonStep* step = currentStep();
    const mmt::Kernel* kernel = session_ ? session_->kernel() : nullptr;
    if (step == nullptr || kernel == nullptr || step->command_number == 0 ||
        step->command_number > kernel->commands().size())
        return 0;
    return kernel->commands()[step->command_number - 1].step_end;
}

void LessonPlayer::next() {
    if (!lesson_)
        return;
    if (phase_ == QStringLiteral("intro"))
        start(0);
    else if (phase_ == QStringLiteral("predict"))
        run();
    else if (phase_ == QStringLiteral("running"))
        reveal();
    else if (phase_ == QStringLiteral("revealed"))
        start(stepIndex_ + 1);
}

void LessonPlayer::back() {
    if (!lesson_)
        return;
    if (phase_ == QStringLiteral("revealed") || phase_ == QStringLiteral("running")) {
        setStep(stepIndex_, QStringLiteral("predict"));
        showBefore();
    } else {
        start(stepIndex_ - 1);
    }
}

void LessonPlayer::run() {
    if (currentStep() == nullptr || phase_ != QStringLiteral("predict"))
        return;
    showBefore();
    setStep(stepIndex_, QStringLiteral("running"));
    // Every kernel step of the command, at the session's speed; the position
    // watcher stops at the command's end and reveals.
    session_->play();
}

void LessonPlayer::reveal() {
    if (currentStep() == nullptr)
        return;
    session_->pause();
    session_->seek(int(commandEnd()));
    if (phase_ != QStringLiteral("revealed"))
        setStep(stepIndex_, QStringLiteral("revealed"));
}

void LessonPlayer::sessionPositionChanged() {
    if (lesson_)
        emit highlightsChanged();
    if (phase_ != QStringLiteral("running") || session_ == nullptr || session_->kernel() == nullptr)
        return;
    if (session_->kernel()->cursor() >= commandEnd())
        reveal();
}

void LessonPlayer::sessionScenarioChanged() {
    if (!lesson_ || opening_ || session_ == nullptr)
        return;
    // Another file opened: the lesson is over. The same scenario in another
    // era: the lesson goes on, and says its answers are for its own era.
    if (session_->sourceText() != scenarioText_) {
        close();
        return;
    }
    const bool mismatch = session_->era() != era();
    if (mismatch != eraMismatch_) {
        eraMismatch_ = mismatch;
        emit eraMismatchChanged();
    }
}

void LessonPlayer::choose(int checkpoint, int choice) {
    const mmt::LessonStep* step = currentStep();
    if (step == nullptr || phase_ != QStringLiteral("predict") || checkpoint < 0 ||
        checkpoint >= int(step->checkpoints.size()))
        return;
    const mmt::Checkpoint& c = step->checkpoints[size_t(checkpoint)];
    const auto choices = shownChoices(c);
    if (choice < 0 || choice >= int(choices.size()))
        return;
    chosen_[size_t(stepIndex_)][size_t(checkpoint)] = choice;
    const EngineAnswer& engine = answers_[size_t(stepIndex_)][size_t(checkpoint)];
    const bool correct =
        !engine.value.isEmpty() && mmt::choice_matches(c.ask, choices[size_t(choice)]->value, engine.value.toStdString());
    emit checkpointsChanged();
    emit answered(id_, checkpointKey(c), qs(choices[size_t(choice)]->value), correct);
}

bool LessonPlayer::openTryScenario() {
    if (!lesson_ || session_ == nullptr)
        return false;
    const QString text = tryScenario();
    const QString name = id_ + QStringLiteral("-try.mmt");
    close();
    return session_->openText(text, name);
}

QString LessonPlayer::title() const {
    return lesson_ ? qs(lesson_->title) : QString();
}
QString LessonPlayer::summary() const {
    return lesson_ ? qs(lesson_->summary) : QString();
}
QString LessonPlayer::level() const {
    return lesson_ ? qs(std::string(mmt::lesson_level_name(lesson_->level))) : QString();
}
QString LessonPlayer::era() const {
    return lesson_ ? QString(QChar::fromLatin1(mmt::era_letter(lesson_->era()))) : QString();
}
QString LessonPlayer::intro() const {
    return lesson_ ? qs(lesson_->intro) : QString();
}
QStringList LessonPlayer::sources() const {
    QStringList out;
    if (lesson_)
        for (const std::string& source : lesson_->sources)
            out << qs(source);
    return out;
}
QString LessonPlayer::tryPrompt() const {
    return lesson_ ? qs(lesson_->try_prompt) : QString();
}
QString LessonPlayer::tryScenario() const {
    if (!lesson_)
        return {};
    // The text keeps blank lines in front so that its line numbers are the
    // lesson's; a student copying it wants it without them.
    QString text = qs(lesson_->try_scenario.text);
    while (text.startsWith(QLatin1Char('\n')))
        text.remove(0, 1);
    return text;
}
int LessonPlayer::commandNumber() const {
    const mmt::LessonStep* step = currentStep();
    return step ? int(step->command_number) : 0;
}
QString LessonPlayer::commandText() const {
    const mmt::LessonStep* step = currentStep();
    return step ? qs(step->command_text) : QString();
}
QString LessonPlayer::stepTitle() const {
    const mmt::LessonStep* step = currentStep();
    return step ? qs(step->title) : QString();
}
QString LessonPlayer::narration() const {
    const mmt::LessonStep* step = currentStep();
    return step ? qs(step->narration) : QString();
}
QString LessonPlayer::after() const {
    const mmt::LessonStep* step = currentStep();
    return step ? qs(step->after) : QString();
}

QVariantList LessonPlayer::checkpoints() const {
    QVariantList out;
    const mmt::LessonStep* step = currentStep();
    if (step == nullptr)
        return out;
    const bool revealed = phase_ == QStringLiteral("revealed");
    for (size_t i = 0; i < step->checkpoints.size(); ++i) {
        const mmt::Checkpoint& c = step->checkpoints[i];
        const EngineAnswer& engine = answers_[size_t(stepIndex_)][i];
        QVariantList choices;
        for (const mmt::CheckpointChoice* choice : shownChoices(c)) {
            QVariantMap map{{QStringLiteral("value"), qs(choice->value)}};
            if (revealed) {
                map[QStringLiteral("explanation")] = qs(choice->explanation);
                map[QStringLiteral("right")] =
                    !engine.value.isEmpty() && mmt::choice_matches(c.ask, choice->value, engine.value.toStdString());
            }
            choices << map;
        }
        QVariantMap map{{QStringLiteral("question"), qs(c.question)},
                        {QStringLiteral("ask"), qs(std::string(mmt::checkpoint_ask_name(c.ask)))},
                        {QStringLiteral("subject"), qs(c.subject)},
                        {QStringLiteral("key"), checkpointKey(c)},
                        {QStringLiteral("choices"), choices},
                        {QStringLiteral("chosen"), chosen_[size_t(stepIndex_)][i]},
                        {QStringLiteral("revealed"), revealed}};
        if (revealed) {
            map[QStringLiteral("engineValue")] = engine.value;
            map[QStringLiteral("engineDetail")] = engine.detail;
        }
        out << map;
    }
    return out;
}

bool LessonPlayer::allAnswered() const {
    if (currentStep() == nullptr)
        return true;
    const std::vector<int>& chosen = chosen_[size_t(stepIndex_)];
    return std::all_of(chosen.begin(), chosen.end(), [](int c) { return c >= 0; });
}

QVariantList LessonPlayer::highlights() const {
    QVariantList out;
    const mmt::LessonStep* step = currentStep();
    const mmt::Kernel* kernel = session_ ? session_->kernel() : nullptr;
    if (step == nullptr || kernel == nullptr)
        return out;
    for (const mmt::Highlight& h : step->highlights) {
        QVariantMap map{{QStringLiteral("text"), qs(h.text)}, {QStringLiteral("resolved"), false}};
        std::optional<mmt::ProcessId> process;
        std::optional<mmt::VmaId> vma;
        if (!h.address.process.empty())
            process = kernel->find_process(h.address.process);
        if (process && !h.address.vma.empty())
            vma = kernel->find_vma(*process, h.address.vma);
        switch (h.kind) {
        case mmt::HighlightKind::process:
            map[QStringLiteral("kind")] = QStringLiteral("process");
            if (process) {
                map[QStringLiteral("process")] = int(process->value);
                map[QStringLiteral("name")] = qs(h.address.process);
                map[QStringLiteral("resolved")] = true;
            }
            break;
        case mmt::HighlightKind::vma:
        case mmt::HighlightKind::address:
            map[QStringLiteral("kind")] = h.kind == mmt::HighlightKind::vma ? QStringLiteral("vma") : QStringLiteral("entry");
            if (vma) {
                map[QStringLiteral("process")] = int(process->value);
                map[QStringLiteral("vma")] = int(vma->value);
                map[QStringLiteral("index")] = int(h.address.index);
                map[QStringLiteral("resolved")] = true;
            }
            break;
        case mmt::HighlightKind::page:
            map[QStringLiteral("kind")] = QStringLiteral("page");
            if (vma) {
                const mmt::Pfn pfn = mmt::resolve_page(*kernel, *vma, h.address.index);
                if (pfn.value != 0) {
                    map[QStringLiteral("pfn")] = int(pfn.value);
                    map[QStringLiteral("resolved")] = true;
                }
            }
            break;
        case mmt::HighlightKind::swap:
            map[QStringLiteral("kind")] = QStringLiteral("swap");
            if (vma) {
                const mmt::Pte pte = kernel->pte(*vma, h.address.index);
                if (pte.is_swap_entry()) {
                    map[QStringLiteral("slot")] = int(pte.swap_slot().value);
                    map[QStringLiteral("resolved")] = true;
                }
            }
            break;
        case mmt::HighlightKind::holder:
            map[QStringLiteral("kind")] = QStringLiteral("holder");
            if (const auto holder = kernel->find_holder(h.name)) {
                map[QStringLiteral("holder")] = int(holder->value);
                map[QStringLiteral("resolved")] = true;
            }
            break;
        case mmt::HighlightKind::function:
            map[QStringLiteral("kind")] = QStringLiteral("function");
            map[QStringLiteral("name")] = qs(h.name);
            map[QStringLiteral("resolved")] = true;
            break;
        }
        out << map;
    }
    return out;
}
