#include "process_model.h"

#include "kernel.h"
#include "mm.h"

namespace {

QString vmaSummary(const mmt::Kernel& kernel, mmt::VmaId id) {
    const mmt::Vma& vma = kernel.vma(id);
    QString text = QStringLiteral("%1: %2 page%3")
                       .arg(QString::fromStdString(kernel.strings().text(vma.name)))
                       .arg(vma.npages)
                       .arg(vma.npages == 1 ? "" : "s");
    // Protection as the first page has it; mprotect on part of a VMA shows in the entries.
    const uint8_t bits = vma.npages > 0 ? kernel.vma_page(id, 0) : 0;
    if (!(bits & mmt::VMA_mapped))
        text += QStringLiteral(", unmapped");
    else if (bits & mmt::VMA_write)
        text += QStringLiteral(", rw");
    else if (bits & mmt::VMA_read)
        text += QStringLiteral(", ro");
    else
        text += QStringLiteral(", none");
    if (vma.hugepage)
        text += QStringLiteral(", thp");
    return text;
}

} // namespace

std::vector<ProcessRow> ProcessModel::build(const mmt::Kernel& kernel) {
    std::vector<ProcessRow> rows;
    for (uint32_t id = 1; id < kernel.process_count(); ++id) {
        if (entries_.size() <= id)
            entries_.resize(id + 1, nullptr);
        if (entries_[id] == nullptr) {
            entries_[id] = new EntryModel(mmt::ProcessId(id), this);
            entries_[id]->load(kernel);
        }
        const mmt::Process& process = kernel.process(mmt::ProcessId(id));
        ProcessRow row;
        row.key = id;
        row.name = QString::fromStdString(kernel.strings().text(process.name));
        row.alive = process.alive != 0;
        row.hasPinned = process.has_pinned != 0;
        for (mmt::VmaId vma : kernel.vmas_of(mmt::ProcessId(id)))
            row.vmas << vmaSummary(kernel, vma);
        row.entries = entries_[id];
        rows.push_back(std::move(row));
    }
    return rows;
}

void ProcessModel::load(const mmt::Kernel& kernel) {
    beginResetModel();
    dropEntries();
    rows_ = build(kernel);
    endResetModel();
}

void ProcessModel::clear() {
    beginResetModel();
    dropEntries();
    rows_.clear();
    endResetModel();
}

void ProcessModel::dropEntries() {
    // Delegates may still hold the old page tables until the reset reaches them.
    for (EntryModel* model : entries_)
        if (model != nullptr) {
            model->detach();
            model->deleteLater();
        }
    entries_.clear();
}

void ProcessModel::update(const mmt::Kernel& kernel, bool processesTouched, bool tablesTouched) {
    if (tablesTouched)
        for (EntryModel* model : entries_)
            if (model != nullptr)
                model->update(kernel);
    if (processesTouched || tablesTouched)
        replaceRows(build(kernel));
}

EntryModel* ProcessModel::entriesAt(int row) const {
    return row >= 0 && row < rowCount() ? rows_[static_cast<size_t>(row)].entries : nullptr;
}

QVariant ProcessModel::data(const QModelIndex& index, int role) const {
    const ProcessRow* row = rowAt(index);
    if (row == nullptr)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return row->name;
    case ProcessIdRole:
        return row->key;
    case AliveRole:
        return row->alive;
    case HasPinnedRole:
        return row->hasPinned;
    case VmasRole:
        return row->vmas;
    case EntriesRole:
        return QVariant::fromValue(static_cast<QObject*>(row->entries));
    default:
        return {};
    }
}

QHash<int, QByteArray> ProcessModel::roleNames() const {
    return {{ProcessIdRole, "processId"}, {NameRole, "name"}, {AliveRole, "alive"},
            {HasPinnedRole, "hasPinned"}, {VmasRole, "vmas"}, {EntriesRole, "entries"}};
}
