#include "violation_model.h"

#include "kernel.h"

#include <algorithm>

void ViolationModel::load(const mmt::Kernel& kernel) {
    std::vector<ViolationRow> rows = build(kernel);
    recount(rows);
    resetRows(std::move(rows));
}

void ViolationModel::update(const mmt::Kernel& kernel) {
    std::vector<ViolationRow> rows = build(kernel);
    recount(rows);
    replaceRows(std::move(rows));
}

void ViolationModel::recount(const std::vector<ViolationRow>& rows) {
    const int coherence = static_cast<int>(
        std::count_if(rows.begin(), rows.end(), [](const ViolationRow& r) { return r.kind == QStringLiteral("coherence"); }));
    const int invariant = static_cast<int>(rows.size()) - coherence;
    if (invariant == invariantCount_ && coherence == coherenceCount_)
        return;
    invariantCount_ = invariant;
    coherenceCount_ = coherence;
    emit countsChanged();
}

std::vector<ViolationRow> ViolationModel::build(const mmt::Kernel& kernel) {
    std::vector<ViolationRow> rows;
    const auto& violations = kernel.violations();
    for (uint32_t i = 0; i < violations.size(); ++i) {
        const mmt::Violation& violation = violations[i];
        if (violation.step >= kernel.cursor())
            continue; // found after a step that is not applied yet
        rows.push_back({i, static_cast<int>(violation.step) + 1, QString::fromStdString(violation.kind),
                        QString::fromStdString(violation.rule), QString::fromStdString(violation.message)});
    }
    return rows;
}

QVariant ViolationModel::data(const QModelIndex& index, int role) const {
    const ViolationRow* row = rowAt(index);
    if (row == nullptr)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case MessageRole:
        return row->message;
    case StepRole:
        return row->step;
    case KindRole:
        return row->kind;
    case RuleRole:
        return row->rule;
    default:
        return {};
    }
}

QHash<int, QByteArray> ViolationModel::roleNames() const {
    return {{StepRole, "step"}, {KindRole, "kind"}, {RuleRole, "rule"}, {MessageRole, "message"}};
}
