// References held outside the processes: pins and FOLL_GET references of a
// device, a pipe or O_DIRECT, named by the scenario's `as H`. A released
// reference stays (greyed in the view) until a later one takes its name:
// from then on the name means the new one, and the old one is not listed.
#pragma once

#include "row_list_model.h"

#include <QtQml/qqmlregistration.h>

namespace mmt {
class Kernel;
}

struct HolderRow {
    uint32_t key = 0; // HolderId
    QString name;
    QString kind;          // "pin" or "get"
    bool write = false;    // FOLL_WRITE
    bool longterm = false; // FOLL_LONGTERM
    bool fast = false;     // GUP-fast
    int pfn = 0;
    QString page;               // "page #12"
    QString targetKey;          // "page:12": the card of the folio held
    QString address;            // where it was taken: "parent buf[0]"
    bool processExited = false; // the process it was taken from has exited since
    bool released = false;
    bool detached = false; // the process let go of that address since
    bool incoherent = false; // the process maps another page there now
    bool operator==(const HolderRow&) const = default;
};

class HolderModel : public RowListModel<HolderRow> {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("holders come from Session")

public:
    enum Role {
        NameRole = Qt::UserRole + 1,
        KindRole,
        WriteRole,
        LongtermRole,
        FastRole,
        PfnRole,
        PageRole,
        TargetKeyRole,
        AddressRole,
        ReleasedRole,
        DetachedRole,
        HolderIdRole,
        ProcessExitedRole,
        IncoherentRole,
    };
    Q_ENUM(Role)

    using RowListModel::RowListModel;

    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void load(const mmt::Kernel& kernel) { resetRows(build(kernel)); }
    void update(const mmt::Kernel& kernel) { replaceRows(build(kernel)); }

private:
    static std::vector<HolderRow> build(const mmt::Kernel& kernel);
};
