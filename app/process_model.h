// The processes of the scenario, with their VMAs and, per process, the page
// table as an EntryModel (role `entries`). An exited process stays (greyed
// in the view) until a later process takes its name: from then on the name
// means the new one, and the old one is no longer listed.
#pragma once

#include "entry_model.h"
#include "row_list_model.h"

#include <vector>

#include <QStringList>
#include <QtQml/qqmlregistration.h>

struct ProcessRow {
    uint32_t key = 0; // ProcessId
    QString name;
    bool alive = true;
    bool hasPinned = false; // MMF_HAS_PINNED
    QStringList vmas;       // "buf: 4 pages, rw, thp"
    EntryModel* entries = nullptr;
    bool operator==(const ProcessRow&) const = default;
};

class ProcessModel : public RowListModel<ProcessRow> {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("processes come from Session")

public:
    enum Role { ProcessIdRole = Qt::UserRole + 1, NameRole, AliveRole, HasPinnedRole, VmasRole, EntriesRole };
    Q_ENUM(Role)

    using RowListModel::RowListModel;

    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Rebuilds everything (a new scenario, or a new era).
    void load(const mmt::Kernel& kernel);
    void clear();
    // After navigation: processes when they changed, page tables when they did.
    void update(const mmt::Kernel& kernel, bool processesTouched, bool tablesTouched);
    // The page table of the process at `row`, for tests and the CLI of the GUI.
    EntryModel* entriesAt(int row) const;

private:
    std::vector<ProcessRow> build(const mmt::Kernel& kernel);
    void dropEntries();

    std::vector<EntryModel*> entries_; // by ProcessId, owned as QObject children
};
