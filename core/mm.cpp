#include "mm.h"

namespace mmt {

uint32_t Process::get(ProcessField f) const {
    switch (f) {
    case ProcessField::alive: return alive;
    case ProcessField::has_pinned: return has_pinned;
    case ProcessField::write_protect_seq: return write_protect_seq;
    case ProcessField::count_: break;
    }
    return 0;
}

void Process::set(ProcessField f, uint32_t v) {
    switch (f) {
    case ProcessField::alive: alive = v; break;
    case ProcessField::has_pinned: has_pinned = v; break;
    case ProcessField::write_protect_seq: write_protect_seq = v; break;
    case ProcessField::count_: break;
    }
}

uint32_t SwapSlotInfo::get(SwapField f) const {
    switch (f) {
    case SwapField::count: return count;
    case SwapField::cache_pfn: return cache_pfn;
    case SwapField::contents: return contents;
    case SwapField::anon_vma: return anon_vma;
    case SwapField::index: return index;
    case SwapField::count_: break;
    }
    return 0;
}

void SwapSlotInfo::set(SwapField f, uint32_t v) {
    switch (f) {
    case SwapField::count: count = v; break;
    case SwapField::cache_pfn: cache_pfn = v; break;
    case SwapField::contents: contents = v; break;
    case SwapField::anon_vma: anon_vma = v; break;
    case SwapField::index: index = v; break;
    case SwapField::count_: break;
    }
}

uint32_t Holder::get(HolderField f) const {
    switch (f) {
    case HolderField::released: return released;
    case HolderField::detached: return detached;
    case HolderField::count_: break;
    }
    return 0;
}

void Holder::set(HolderField f, uint32_t v) {
    switch (f) {
    case HolderField::released: released = v; break;
    case HolderField::detached: detached = v; break;
    case HolderField::count_: break;
    }
}

} // namespace mmt
