// Invariant and coherence violations found up to the current step.
#pragma once

#include "row_list_model.h"

#include <QtQml/qqmlregistration.h>

namespace mmt {
class Kernel;
}

struct ViolationRow {
    uint32_t key = 0; // index in Kernel::violations()
    int step = 0;     // 1-based: shown once this many steps are applied
    QString kind;     // "invariant" or "coherence"
    QString rule;     // "I1 writable => exclusive"
    QString message;
    bool operator==(const ViolationRow&) const = default;
};

class ViolationModel : public RowListModel<ViolationRow> {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("violations come from Session")

public:
    enum Role { StepRole = Qt::UserRole + 1, KindRole, RuleRole, MessageRole };
    Q_ENUM(Role)

    using RowListModel::RowListModel;

    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void load(const mmt::Kernel& kernel) { resetRows(build(kernel)); }
    void update(const mmt::Kernel& kernel) { replaceRows(build(kernel)); }

private:
    static std::vector<ViolationRow> build(const mmt::Kernel& kernel);
};
