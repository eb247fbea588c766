#include "touched.h"

#include "kernel.h"

#include <algorithm>

Touched touchedBetween(const mmt::Kernel& kernel, uint32_t from, uint32_t to) {
    Touched touched;
    const uint32_t first = std::min(from, to);
    const uint32_t last = std::max(from, to);
    if (first == last || first >= kernel.steps().size())
        return touched;
    const uint32_t end = std::min<uint32_t>(last, kernel.step_count());
    for (const mmt::Change& change : kernel.changes_of_steps(first, end)) {
        switch (change.kind) {
        case mmt::ChangeKind::page:
            touched.pages = true;
            break;
        case mmt::ChangeKind::pte:
        case mmt::ChangeKind::pmd:
        case mmt::ChangeKind::vma_page:
            touched.tables = true;
            break;
        case mmt::ChangeKind::process:
            touched.processes = true;
            break;
        case mmt::ChangeKind::swap_slot:
            touched.swap = true;
            break;
        case mmt::ChangeKind::holder:
            touched.holders = true;
            break;
        case mmt::ChangeKind::grow:
            switch (static_cast<mmt::TableId>(change.field)) {
            case mmt::TableId::pages:
                touched.pages = true;
                break;
            case mmt::TableId::ptes:
            case mmt::TableId::pmds:
            case mmt::TableId::vma_pages:
                touched.tables = true;
                break;
            case mmt::TableId::processes:
            case mmt::TableId::vmas:
                touched.processes = touched.tables = true;
                break;
            case mmt::TableId::swap_slots:
                touched.swap = true;
                break;
            case mmt::TableId::holders:
                touched.holders = true;
                break;
            }
            break;
        }
    }
    return touched;
}
