// The page table of one process as a list: one row per PMD that maps a huge
// page, one row per PTE that is not none, one row per run of none entries
// ("buf[1..3] none"), VMA by VMA in address order. A long run of like PTEs
// (same kind and bits, in one page table) is one collapsed row,
// "buf[0..511] present-rw, 512 entries", until the user expands it: a
// thousand-entry table stays a handful of rows, and an entry a step changes
// splits off its run and so stands out by itself.
#pragma once

#include "row_list_model.h"
#include "types.h"

#include <cstdint>
#include <vector>

#include <QString>
#include <QtQml/qqmlregistration.h>

namespace mmt {
class Kernel;
}

struct EntryRow {
    uint64_t key = 0; // VMA, first page index and level
    QString address;  // "buf[3]", "buf[1..3]", "buf[0..511]"
    QString vma;
    int vmaId = 0;
    int firstIndex = 0;
    int pageCount = 1; // pages the row covers (a run, a PMD)
    int level = 0;     // EntryModel::Level
    int kind = 0;      // EntryModel::Kind
    QString kindText;  // "present-rw", "swap", "thp-ro", "none"
    QString bits;      // "W D Y SD X", the bits that are set
    QString target;    // "page #12", "slot 3", "THP page #600", "512 pages"
    QString targetKey; // "page:12", "slot:3", "section:pages": where the arrow ends
    int targetPfn = 0;
    int link = 0;           // EntryModel::Link
    bool collapsed = false; // a run of like entries shown as one row
    bool operator==(const EntryRow&) const = default;
};

class EntryModel : public RowListModel<EntryRow> {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("page tables come from Session")
    // Some run was expanded (the view offers "collapse all").
    Q_PROPERTY(bool hasExpanded READ hasExpanded NOTIFY expandedChanged FINAL)

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
        VmaIdRole,
        CollapsedRole,
    };
    Q_ENUM(Role)
    enum Level { Pte, Pmd };
    Q_ENUM(Level)
    enum Kind { None, Unmapped, Present, Swap, Migration, DevicePrivate, Thp, HugeZero, PmdMigration };
    Q_ENUM(Kind)
    // How an arrow from the entry to what it refers to is drawn.
    enum Link { NoLink, Solid, Dashed, Dotted };
    Q_ENUM(Link)

    // Runs of like entries at least this long are collapsed into one row.
    static constexpr uint32_t kMinCollapsedRun = 8;

    EntryModel(mmt::ProcessId process, QObject* parent);

    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void load(const mmt::Kernel& kernel);
    void update(const mmt::Kernel& kernel);
    // The kernel is about to go away: expanding does nothing from now on.
    void detach() { kernel_ = nullptr; }

    // Shows the entries of the VMA's pages [first, first + count) one by one
    // from now on, whatever runs they form later.
    Q_INVOKABLE void expandRange(int vmaId, int first, int count);
    // Collapses every run again.
    Q_INVOKABLE void collapseAll();
    bool hasExpanded() const { return !expanded_.empty(); }

signals:
    void expandedChanged();

protected:
    QList<int> changedRoles(const EntryRow& before, const EntryRow& after) const override;

private:
    struct Expanded {
        uint32_t vma;
        uint32_t first;
        uint32_t end;
    };
    std::vector<EntryRow> build(const mmt::Kernel& kernel) const;
    bool isExpanded(uint32_t vma, uint32_t index) const;

    mmt::ProcessId process_;
    const mmt::Kernel* kernel_ = nullptr; // the Session's, while it shows this table
    std::vector<Expanded> expanded_;
};
