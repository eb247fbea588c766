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
    // Invariant breaches and coherence reports are told apart: a stale pin in
    // eras a and b is the kernel's behaviour, not a broken invariant.
    Q_PROPERTY(int invariantCount READ invariantCount NOTIFY countsChanged FINAL)
    Q_PROPERTY(int coherenceCount READ coherenceCount NOTIFY countsChanged FINAL)

public:
    enum Role { StepRole = Qt::UserRole + 1, KindRole, RuleRole, MessageRole };
    Q_ENUM(Role)

    using RowListModel::RowListModel;

    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void load(const mmt::Kernel& kernel);
    void update(const mmt::Kernel& kernel);
    void clear() {
        recount({});
        resetRows({});
    }

    int invariantCount() const { return invariantCount_; }
    int coherenceCount() const { return coherenceCount_; }

signals:
    void countsChanged();

private:
    static std::vector<ViolationRow> build(const mmt::Kernel& kernel);
    void recount(const std::vector<ViolationRow>& rows);

    int invariantCount_ = 0;
    int coherenceCount_ = 0;
};
