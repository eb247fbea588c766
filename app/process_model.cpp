#include "process_model.h"

#include "kernel.h"
#include "mm.h"

namespace {

QString protectionText(uint8_t bits) {
    if (!(bits & mmt::VMA_mapped))
        return QStringLiteral("unmapped");
    if (bits & mmt::VMA_write)
        return QStringLiteral("rw");
    if (bits & mmt::VMA_read)
        return QStringLiteral("ro");
    return QStringLiteral("none");
}

// The kernel splits a VMA wherever its flags differ (mprotect or madvise of a
// part); the summary lists the parts of different protection, and this says
// when there are more VMAs than those, split by a flag it does not show:
// "; 2 VMAs in the kernel (VM_ACCOUNT differs at page 10)".
QString hiddenSplits(const mmt::Kernel& kernel, mmt::VmaId id, int mappedRuns) {
    const mmt::Vma& vma = kernel.vma(id);
    constexpr uint8_t protection = mmt::VMA_read | mmt::VMA_write;
    int kernelVmas = 0;
    uint32_t boundary = 0; // the first split the protection does not show
    uint8_t differs = 0;
    for (uint32_t index = 0; index < vma.npages; ++index) {
        const uint8_t bits = kernel.vma_page(id, index);
        const uint8_t before = index > 0 ? kernel.vma_page(id, index - 1) : 0;
        if (!(bits & mmt::VMA_mapped) || ((before & mmt::VMA_mapped) && before == bits))
            continue;
        ++kernelVmas;
        if ((before & mmt::VMA_mapped) && !((before ^ bits) & protection) && !differs) {
            boundary = index;
            differs = before ^ bits;
        }
    }
    if (kernelVmas <= mappedRuns)
        return {};
    QString text = QStringLiteral("; %1 VMAs in the kernel").arg(kernelVmas);
    if (kernelVmas == mappedRuns + 1) {
        QStringList flags;
        if (differs & mmt::VMA_account)
            flags << QStringLiteral("VM_ACCOUNT");
        if (differs & mmt::VMA_dontcopy)
            flags << QStringLiteral("VM_DONTCOPY");
        if (differs & mmt::VMA_wipeonfork)
            flags << QStringLiteral("VM_WIPEONFORK");
        if (differs & mmt::VMA_softdirty)
            flags << QStringLiteral("VM_SOFTDIRTY");
        text += QStringLiteral(" (%1 differs at page %2)").arg(flags.join(QStringLiteral(", "))).arg(boundary);
    }
    return text;
}

// "buf: 4 pages, rw, thp"; a VMA whose pages differ in protection (mprotect
// or munmap of a part) lists the runs: "buf: 4 pages, rw [0..1], none [2..3]".
QString vmaSummary(const mmt::Kernel& kernel, mmt::VmaId id) {
    // More runs than this read as a list of numbers, not a summary.
    constexpr int kMaxListedRuns = 4;
    const mmt::Vma& vma = kernel.vma(id);
    QString text = QStringLiteral("%1: %2 page%3")
                       .arg(QString::fromStdString(kernel.strings().text(vma.name)))
                       .arg(vma.npages)
                       .arg(vma.npages == 1 ? "" : "s");
    constexpr uint8_t protection = mmt::VMA_mapped | mmt::VMA_read | mmt::VMA_write;
    QStringList runs;
    int mappedRuns = 0;
    uint32_t first = 0;
    for (uint32_t index = 1; index <= vma.npages; ++index) {
        const uint8_t bits = kernel.vma_page(id, first) & protection;
        if (index < vma.npages && (kernel.vma_page(id, index) & protection) == bits)
            continue;
        mappedRuns += (bits & mmt::VMA_mapped) ? 1 : 0;
        const QString range = index - first == 1 ? QStringLiteral("[%1]").arg(first)
                                                 : QStringLiteral("[%1..%2]").arg(first).arg(index - 1);
        runs << protectionText(bits) + QLatin1Char(' ') + range;
        first = index;
    }
    if (runs.size() == 1)
        text += QStringLiteral(", ") + protectionText(kernel.vma_page(id, 0) & protection);
    else if (runs.size() > kMaxListedRuns)
        text += QStringLiteral(", %1 parts of different protection").arg(runs.size());
    else if (!runs.isEmpty())
        text += QStringLiteral(", ") + runs.join(QStringLiteral(", "));
    if (vma.hugepage)
        text += QStringLiteral(", thp");
    return text + hiddenSplits(kernel, id, mappedRuns);
}

// An exited process whose name a later process took (`exit C`, then `fork P C`):
// the scenario's later lines mean the new one, so the stage shows that one alone.
bool supersededByName(const mmt::Kernel& kernel, uint32_t id) {
    const mmt::Process& process = kernel.process(mmt::ProcessId(id));
    if (process.alive != 0)
        return false;
    for (uint32_t later = id + 1; later < kernel.process_count(); ++later)
        if (kernel.process(mmt::ProcessId(later)).name == process.name)
            return true;
    return false;
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
        if (supersededByName(kernel, id))
            continue;
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
