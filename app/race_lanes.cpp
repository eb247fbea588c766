#include "race_lanes.h"

#include "kernel.h"
#include "scenario.h"
#include "session_link.h"

#include <QRegularExpression>

namespace {

QString qs(const std::string& text) {
    return QString::fromStdString(text);
}

// The label the commit message gives a step ("A1", "B4") when the sentence
// starts with one.
QString stepLabel(const QString& sentence) {
    static const QRegularExpression label(QStringLiteral("^([AB][0-9]+)\\b"));
    const QRegularExpressionMatch match = label.match(sentence);
    return match.hasMatch() ? match.captured(1) : QString();
}

} // namespace

RaceLaneModel::RaceLaneModel(QObject* parent) : QAbstractListModel(parent) {}

void RaceLaneModel::setSession(Session* session) {
    if (!linkSession(session_, session, this, &RaceLaneModel::rebuild, &RaceLaneModel::follow))
        return;
    rebuild();
    emit sessionChanged();
}

int RaceLaneModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant RaceLaneModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = rows_[static_cast<size_t>(index.row())];
    switch (role) {
    case CpuRole:
        return row.cpu;
    case Qt::DisplayRole:
    case LabelRole:
        return row.label;
    case FunctionRole:
        return row.function;
    case SentenceRole:
        return row.sentence;
    case StepRole:
        return row.step;
    case WaitsRole:
        return row.waits;
    case BreachRole:
        return row.breach;
    default:
        return {};
    }
}

QHash<int, QByteArray> RaceLaneModel::roleNames() const {
    return {{CpuRole, "cpu"},       {LabelRole, "label"}, {FunctionRole, "kernelFunction"}, {SentenceRole, "sentence"},
            {StepRole, "step"},     {WaitsRole, "waits"}, {BreachRole, "breach"}};
}

void RaceLaneModel::rebuild() {
    raceRecords_.clear();
    const mmt::Kernel* kernel = session_ ? session_->kernel() : nullptr;
    const mmt::Scenario* scenario = session_ ? session_->scenario() : nullptr;
    if (kernel != nullptr && scenario != nullptr) {
        const auto& records = kernel->commands();
        for (size_t i = 0; i < records.size(); ++i) {
            const size_t source = records[i].source_index;
            if (source < scenario->commands.size() && scenario->commands[source].race)
                raceRecords_.push_back(static_cast<int>(i));
        }
    }
    raceCount_ = static_cast<int>(raceRecords_.size());
    shownRecord_ = -2; // force showBlock to reload
    follow();
}

void RaceLaneModel::follow() {
    const mmt::Kernel* kernel = session_ ? session_->kernel() : nullptr;
    int wanted = raceRecords_.empty() ? -1 : raceRecords_.front();
    if (kernel != nullptr) {
        // The block the cursor is in or has passed last; before any, the first.
        const uint32_t cursor = kernel->cursor();
        for (int record : raceRecords_)
            if (kernel->commands()[static_cast<size_t>(record)].step_begin < cursor)
                wanted = record;
    }
    if (wanted != shownRecord_)
        showBlock(wanted);

    int current = -1;
    if (kernel != nullptr && shownRecord_ >= 0) {
        const int cursor = static_cast<int>(kernel->cursor());
        for (size_t i = 0; i < rows_.size(); ++i)
            if (rows_[i].step == cursor)
                current = static_cast<int>(i);
    }
    if (current != currentRow_) {
        currentRow_ = current;
        emit currentRowChanged();
    }
}

void RaceLaneModel::showBlock(int record) {
    beginResetModel();
    rows_.clear();
    shownRecord_ = record;
    raceLine_ = 0;
    blockEnd_ = 0;
    outcome_.clear();
    const mmt::Kernel* kernel = session_ ? session_->kernel() : nullptr;
    if (kernel != nullptr && record >= 0) {
        const mmt::CommandRecord& command = kernel->commands()[static_cast<size_t>(record)];
        raceLine_ = static_cast<int>(command.line);
        blockEnd_ = static_cast<int>(command.step_end);
        outcome_ = command.failure ? QStringLiteral("failed: ") + QString::fromUtf8(command.failure)
                                   : QStringLiteral("ok");
        for (uint32_t step = command.step_begin; step < command.step_end; ++step) {
            Row row;
            row.cpu = kernel->steps()[step].cpu;
            row.sentence = qs(kernel->step_sentence(step));
            const QString path = qs(kernel->step_path(step));
            row.function = path.section(QStringLiteral(" \u2192 "), -1);
            row.label = stepLabel(row.sentence);
            if (row.label.isEmpty())
                row.label = row.function;
            row.step = static_cast<int>(step) + 1;
            row.waits = kernel->step_changes_nothing(step) &&
                        row.sentence.contains(QStringLiteral(" waits"));
            for (const mmt::Violation& violation : kernel->violations())
                row.breach = row.breach || violation.step == step;
            rows_.push_back(std::move(row));
        }
    }
    endResetModel();
    emit blockChanged();
}
