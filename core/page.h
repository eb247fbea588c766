// struct page as the engine models it. One Page per 4 KiB frame; a THP is a
// head page followed by 511 tail pages. Invariants the fields keep (checked by
// invariants.cpp, section 4.1 of the semantics reference):
//  - refcount = mapcount + (swapcache ? nr : 0) + FOLL_GET references
//    + FOLL_PIN references (x1024 on an order-0 page, x1 on a large folio)
//    + in_flight (references an operation in progress holds), all per folio;
//  - mapcount counts present PTEs and device-private entries of this subpage;
//    entire_mapcount (head only) counts PMD mappings of the whole folio;
//  - anon_exclusive is only ever set on an anonymous, non-KSM page.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "types.h"

namespace mmt {

enum PageFlag : uint32_t {
    PG_locked = 1u << 0,
    PG_lru = 1u << 1,
    PG_anon = 1u << 2,            // PageAnon(): mapping has PAGE_MAPPING_ANON
    PG_anon_exclusive = 1u << 3,  // PageAnonExclusive (per subpage)
    PG_swapcache = 1u << 4,
    PG_dirty = 1u << 5,
    PG_head = 1u << 6,
    PG_tail = 1u << 7,
    PG_swapbacked = 1u << 8,
    PG_ksm = 1u << 9,             // PageKsm(): mapping is a KSM stable node
    PG_zero = 1u << 10,           // the shared zero page (or a subpage of the huge zero page)
    PG_device_private = 1u << 11, // ZONE_DEVICE, MEMORY_DEVICE_PRIVATE
    PG_allocated = 1u << 12,      // the frame is in use (not on the free lists)
};

std::string_view page_flag_name(PageFlag flag);

// Fields addressable by the journal; one enumerator per member of Page.
enum class PageField : uint8_t {
    refcount,
    mapcount,
    entire_mapcount,
    pincount,
    in_flight,
    flags,
    contents,
    head,
    order,
    swap_slot,
    anon_vma,
    index,
    count_
};

struct Page {
    int32_t refcount = 0;        // _refcount (folio-wide: meaningful on the head)
    int32_t mapcount = 0;        // PTE/device-private mappings of this subpage
    int32_t entire_mapcount = 0; // PMD mappings of the folio (head only)
    int32_t pincount = 0;        // compound_pincount (head of a large folio only)
    int32_t in_flight = 0;       // temporary references of kernel operations in progress (head)
    uint32_t flags = 0;          // PageFlag bits
    uint32_t contents = 0;       // StringId of the data; 0 = never written (zeroes)
    uint32_t head = 0;           // pfn of the folio's head (itself for order-0 and heads)
    uint32_t order = 0;          // folio order on the head: 0 or 9
    uint32_t swap_slot = 0;      // page->private while PG_swapcache
    uint32_t anon_vma = 0;       // rmap: the name of the VMA the page belongs to (StringId)
    uint32_t index = 0;          // rmap: page index within that VMA

    bool test(PageFlag f) const { return (flags & f) != 0; }
    // Inline: the journaled setters call these with a constant field, and
    // the switch then folds to one load or store.
    uint32_t get(PageField field) const;
    void set(PageField field, uint32_t value);
    bool operator==(const Page&) const = default;
};

inline uint32_t Page::get(PageField field) const {
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

inline void Page::set(PageField field, uint32_t v) {
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
