// The page table of one process as a list: one row per PMD that maps a huge
// page, one row per PTE that is not none, and one row per run of none
// entries ("buf[1..3] none"), VMA by VMA in address order.
#pragma once

#include "row_list_model.h"
#include "types.h"

#include <cstdint>

#include <QString>
#include <QtQml/qqmlregistration.h>

namespace mmt {
class Kernel;
}

struct EntryRow {
    uint64_t key = 0; // VMA, first page index and level
    QString address;  // "buf[3]", "buf[1..3]", "buf[0..511]"
    QString vma;
    int firstIndex = 0;
    int pageCount = 1; // pages the row covers (a run of none, a PMD)
    int level = 0;     // EntryModel::Level
    int kind = 0;      // EntryModel::Kind
    QString kindText;  // "present-rw", "swap", "thp-ro", "none"
    QString bits;      // "W D Y SD X", the bits that are set
    QString target;    // "page #12", "slot 3", "THP page #600"
    QString targetKey; // "page:12" or "slot:3": the card the arrow ends at
    int targetPfn = 0;
    int link = 0; // EntryModel::Link
    bool operator==(const EntryRow&) const = default;
};

class EntryModel : public RowListModel<EntryRow> {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("page tables come from Session")

public:
    enum Role {
        AddressRole = Qt::UserRole + 1,
        VmaRole,
        FirstIndexRole,
        PageCountRole,
        LevelRole,
        KindRole,
        KindTextRole,
        BitsRole,
        TargetRole,
        TargetKeyRole,
        TargetPfnRole,
        LinkRole,
    };
    Q_ENUM(Role)
    enum Level { Pte, Pmd };
    Q_ENUM(Level)
    enum Kind { None, Unmapped, Present, Swap, Migration, DevicePrivate, Thp, HugeZero, PmdMigration };
    Q_ENUM(Kind)
    // How an arrow from the entry to what it refers to is drawn.
    enum Link { NoLink, Solid, Dashed, Dotted };
    Q_ENUM(Link)

    EntryModel(mmt::ProcessId process, QObject* parent);

    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void load(const mmt::Kernel& kernel) { resetRows(build(kernel)); }
    void update(const mmt::Kernel& kernel) { replaceRows(build(kernel)); }

private:
    std::vector<EntryRow> build(const mmt::Kernel& kernel) const;

    mmt::ProcessId process_;
};
