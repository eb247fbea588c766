// Which parts of the kernel state a stretch of history changed: read from the
// journal entries of the steps between two cursor positions, so a model
// rebuilds its rows only when something it shows was touched.
#pragma once

#include <cstdint>

namespace mmt {
class Kernel;
}

struct Touched {
    bool pages = false;     // struct page fields, or the page table grew
    bool tables = false;    // PTEs, PMDs or per-page VMA attributes
    bool processes = false; // processes or VMAs
    bool swap = false;      // swap slots
    bool holders = false;   // GUP references

    static Touched everything() { return {true, true, true, true, true}; }
    bool any() const { return pages || tables || processes || swap || holders; }
};

// What the steps between cursor positions `from` and `to` (either order)
// changed.
[[nodiscard]] Touched touchedBetween(const mmt::Kernel& kernel, uint32_t from, uint32_t to);
