// The history of one object for the inspector: the steps, up to the current
// one, whose journal changes touched it. Scans the journal (cost proportional
// to the changes so far); plain C++ over the core, no Qt.
#pragma once

#include "types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mmt {
class Kernel;
}

// What can be selected on the stage. A page is named by its pfn, a holder by
// its id, an entry by the VMA and the virtual page index it maps (a PMD entry:
// the index of its first page).
struct InspectedObject {
    enum class Kind : uint8_t { page, pageTableEntry, pmdEntry, holder };
    Kind kind = Kind::page;
    uint32_t id = 0;     // pfn or holder id
    mmt::VmaId vma{};    // for entries
    uint32_t index = 0;  // for entries: virtual page index in the VMA
};

struct HistoryItem {
    uint32_t step = 0;     // 0-based step; seek to step + 1 to see it applied
    std::string function;  // innermost function of the step
    std::string change;    // "refcount 2 → 1"
};

// Changes to `object` in steps [0, up_to_step), oldest first.
std::vector<HistoryItem> object_history(const mmt::Kernel& kernel, const InspectedObject& object,
                                        uint32_t up_to_step);
