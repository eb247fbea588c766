#include "page.h"

namespace mmt {

std::string_view page_flag_name(PageFlag flag) {
    switch (flag) {
    case PG_locked: return "locked";
    case PG_lru: return "lru";
    case PG_anon: return "anon";
    case PG_anon_exclusive: return "anon_exclusive";
    case PG_swapcache: return "swapcache";
    case PG_dirty: return "dirty";
    case PG_head: return "head";
    case PG_tail: return "tail";
    case PG_swapbacked: return "swapbacked";
    case PG_ksm: return "ksm";
    case PG_zero: return "zero";
    case PG_device_private: return "device_private";
    case PG_allocated: return "allocated";
    }
    return "?";
}

uint32_t Page::get(PageField field) const {
    switch (field) {
    case PageField::refcount: return static_cast<uint32_t>(refcount);
    case PageField::mapcount: return static_cast<uint32_t>(mapcount);
    case PageField::entire_mapcount: return static_cast<uint32_t>(entire_mapcount);
    case PageField::pincount: return static_cast<uint32_t>(pincount);
    case PageField::in_flight: return static_cast<uint32_t>(in_flight);
    case PageField::flags: return flags;
    case PageField::contents: return contents;
    case PageField::head: return head;
    case PageField::order: return order;
    case PageField::swap_slot: return swap_slot;
    case PageField::anon_vma: return anon_vma;
    case PageField::index: return index;
    case PageField::count_: break;
    }
    return 0;
}

void Page::set(PageField field, uint32_t v) {
    switch (field) {
    case PageField::refcount: refcount = static_cast<int32_t>(v); break;
    case PageField::mapcount: mapcount = static_cast<int32_t>(v); break;
    case PageField::entire_mapcount: entire_mapcount = static_cast<int32_t>(v); break;
    case PageField::pincount: pincount = static_cast<int32_t>(v); break;
    case PageField::in_flight: in_flight = static_cast<int32_t>(v); break;
    case PageField::flags: flags = v; break;
    case PageField::contents: contents = v; break;
    case PageField::head: head = v; break;
    case PageField::order: order = v; break;
    case PageField::swap_slot: swap_slot = v; break;
    case PageField::anon_vma: anon_vma = v; break;
    case PageField::index: index = v; break;
    case PageField::count_: break;
    }
}

} // namespace mmt
