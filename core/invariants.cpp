#include "invariants.h"

#include <algorithm>
#include <unordered_set>

#include "era_policy.h"
#include "rmap.h"

namespace mmt {

Pfn resolve_page(const Kernel& k, VmaId vma, uint32_t index) {
    Pmd pmd = k.pmd(vma, index / kPagesPerPmd);
    if (pmd.is_trans_huge() || pmd.is_huge_zero() || pmd.is_migration_entry())
        return Pfn(pmd.head().value + index % kPagesPerPmd);
    Pte pte = k.pte(vma, index);
    if (pte.has_pfn())
        return pte.pfn();
    if (pte.is_swap_entry())
        return Pfn(k.swap_slot(pte.swap_slot()).cache_pfn);
    return Pfn();
}

namespace {

std::string addr(const Kernel& k, VmaId vma, uint32_t index) { return k.address_name(vma, index); }

void local_rules(const Kernel& k, std::vector<Violation>& out, const std::vector<std::pair<VmaId, uint32_t>>& ptes,
                 const std::vector<Pfn>& pages) {
    if (!k.policy().has_anon_exclusive())
        return;
    for (auto [vma, index] : ptes) {
        Pmd pmd = k.pmd(vma, index / kPagesPerPmd);
        if (pmd.is_trans_huge()) {
            if (pmd.has(Pte::write) && !k.PageAnonExclusive(pmd.head()))
                out.push_back({0, "invariant", "I1 writable => exclusive",
                               "the PMD at " + addr(k, vma, index) + " is writable but THP " +
                                   k.page_name(pmd.head()) + " is not PageAnonExclusive"});
            continue;
        }
        Pte pte = k.pte(vma, index);
        if (pte.is_present() && pte.has(Pte::write) && k.PageAnon(pte.pfn()) && !k.PageAnonExclusive(pte.pfn()))
            out.push_back({0, "invariant", "I1 writable => exclusive",
                           "the PTE at " + addr(k, vma, index) + " is writable but " + k.page_name(pte.pfn()) +
                               " is not PageAnonExclusive"});
        if (pte.is_swap_entry() && pte.has(Pte::swp_exclusive) && k.swap_slot(pte.swap_slot()).count > 1)
            out.push_back({0, "invariant", "I7 swap exclusive bit",
                           "the swap entry at " + addr(k, vma, index) + " is marked exclusive but slot " +
                               std::to_string(pte.swap_slot().value) + " is referenced " +
                               std::to_string(k.swap_slot(pte.swap_slot()).count) + " times"});
    }
    for (Pfn p : pages) {
        const Page& page = k.page(p);
        if (!page.test(PG_allocated))
            continue;
        if (page.test(PG_ksm) && page.test(PG_anon_exclusive))
            out.push_back({0, "invariant", "I4 KSM pages are never exclusive", k.page_name(p) + " is both"});
        if (page.test(PG_anon_exclusive) && page.test(PG_swapcache) &&
            k.swap_slot(SwapSlot(page.swap_slot)).count > 0)
            out.push_back({0, "invariant", "I5 swap cache",
                           k.page_name(p) + " is exclusive although swap PTEs still refer to its slot"});
        if (page.test(PG_anon_exclusive) && k.page_mapcount(p) > 1)
            out.push_back({0, "invariant", "I3 exclusive => mapped once",
                           k.page_name(p) + " is exclusive but mapped " + std::to_string(k.page_mapcount(p)) +
                               " times"});
    }
    // I2: every live pin on an anonymous page that is still mapped, or that the
    // pinned address's swap or migration entry stands for, is exclusive.
    std::unordered_set<uint32_t> touched;
    for (Pfn p : pages)
        touched.insert(k.folio(p).value);
    for (uint32_t h = 0; h < k.holder_count(); ++h) {
        const Holder& holder = k.holder(HolderId(h));
        if (holder.released || holder.kind != HolderKind::pin || !touched.count(k.folio(holder.pfn).value))
            continue;
        Pfn page = holder.pfn;
        if (!k.PageAnon(page) || k.is_zero_pfn(page))
            continue;
        bool pmd_mapped = k.head_page(page).entire_mapcount > 0;
        Pfn bit = pmd_mapped ? k.folio(page) : page;
        bool mapped = k.page_mapcount(page) > 0;
        bool behind_entry = !mapped && !holder.detached && k.process(holder.process).alive &&
                            resolve_page(k, holder.vma, holder.index) == page;
        if ((mapped || behind_entry) && !k.PageAnonExclusive(bit))
            out.push_back({0, "invariant", "I2 pinned => exclusive",
                           k.page_name(page) + " is pinned by " + k.strings().text(holder.name) +
                               (mapped ? " and mapped" : " and stands behind " +
                                                             k.address_name(holder.vma, holder.index) + "'s entry") +
                               ", but not PageAnonExclusive"});
    }
}

void identities(const Kernel& k, std::vector<Violation>& out, const std::vector<Pfn>& heads,
                const std::vector<SwapSlot>& slots) {
    for (Pfn head : heads) {
        const Page& h = k.page(head);
        if (h.test(PG_zero))
            continue;
        if (!h.test(PG_allocated)) {
            if (h.refcount != k.zone_device_base_refs(head))
                out.push_back({0, "invariant", "I13 refcount identity",
                               k.page_name(head) + " is free but its refcount is " + std::to_string(h.refcount)});
            continue;
        }
        uint32_t nr = 1u << h.order;
        int32_t maps = 0, entire = 0;
        std::vector<int32_t> per_sub(nr, 0);
        for (const RmapEntry& e : rmap_walk(k, head, false)) {
            if (e.pmd) {
                ++entire;
            } else {
                Pte pte = k.pte(e.vma, e.index);
                ++per_sub[pte.pfn().value - head.value];
                ++maps;
            }
        }
        if (entire != h.entire_mapcount)
            out.push_back({0, "invariant", "I12 mapcount identity",
                           k.page_name(head) + ": entire_mapcount is " + std::to_string(h.entire_mapcount) +
                               " but " + std::to_string(entire) + " PMDs map it"});
        for (uint32_t i = 0; i < nr; ++i)
            if (per_sub[i] != k.page(Pfn(head.value + i)).mapcount)
                out.push_back({0, "invariant", "I12 mapcount identity",
                               k.page_name(Pfn(head.value + i)) + ": mapcount is " +
                                   std::to_string(k.page(Pfn(head.value + i)).mapcount) + " but " +
                                   std::to_string(per_sub[i]) + " entries map it"});
        int32_t gets = 0, pins = 0;
        for (uint32_t j = 0; j < k.holder_count(); ++j) {
            const Holder& holder = k.holder(HolderId(j));
            if (holder.released || k.folio(holder.pfn) != head)
                continue;
            (holder.kind == HolderKind::pin ? pins : gets)++;
        }
        int32_t expected = maps + entire + (h.test(PG_swapcache) ? int32_t(nr) : 0) + gets +
                           (h.order > 0 ? pins : pins * kGupPinCountingBias) + h.in_flight +
                           k.zone_device_base_refs(head);
        if (h.refcount != expected)
            out.push_back({0, "invariant", "I13 refcount identity",
                           k.page_name(head) + ": refcount is " + std::to_string(h.refcount) + " but mappings, swap "
                               "cache and references account for " + std::to_string(expected)});
        if (h.order > 0 && h.pincount != pins)
            out.push_back({0, "invariant", "I13 pincount identity",
                           k.page_name(head) +
                               (k.policy().pincount_is_hpage_pinned_refcount() ? ": hpage_pinned_refcount is "
                                                                               : ": compound_pincount is ") +
                               std::to_string(h.pincount) + " but " +
                               std::to_string(pins) + " pins hold it"});
    }
    for (SwapSlot slot : slots) {
        const SwapSlotInfo& s = k.swap_slot(slot);
        uint32_t refs = 0;
        for (uint32_t v = 0; v < k.vma_count(); ++v) {
            const Vma& vma = k.vma(VmaId(v));
            if (!k.process(vma.process).alive)
                continue;
            if (s.anon_vma != 0 && vma.anon_vma == s.anon_vma) {
                if (s.index < vma.npages) {
                    Pte pte = k.pte(VmaId(v), s.index);
                    refs += pte.is_swap_entry() && pte.swap_slot() == slot;
                }
                continue;
            }
            if (s.anon_vma != 0)
                continue;
            for (uint32_t i = 0; i < vma.npages; ++i) {
                Pte pte = k.pte(VmaId(v), i);
                refs += pte.is_swap_entry() && pte.swap_slot() == slot;
            }
        }
        if (refs != s.count)
            out.push_back({0, "invariant", "I14 swap count identity",
                           "swap slot " + std::to_string(slot.value) + ": count is " + std::to_string(s.count) +
                               " but " + std::to_string(refs) + " swap PTEs refer to it"});
        if (s.cache_pfn != 0) {
            const Page& cache = k.page(Pfn(s.cache_pfn));
            if (!cache.test(PG_swapcache) || cache.swap_slot != slot.value)
                out.push_back({0, "invariant", "I14 swap cache",
                               "swap slot " + std::to_string(slot.value) + " names a cache page that is not in the "
                               "swap cache"});
        }
    }
}

struct Touched {
    std::vector<std::pair<VmaId, uint32_t>> ptes;
    std::vector<Pfn> pages;
    std::vector<SwapSlot> slots;
};

Touched touched_since(const Kernel& k, uint32_t first_change) {
    Touched t;
    std::unordered_set<uint32_t> pages, slots, pte_slots, pmd_slots;
    auto add_page = [&](Pfn p) {
        if (p.value != 0)
            pages.insert(p.value);
    };
    for (const Change& c : k.journal().changes(first_change, k.journal().end_pos())) {
        switch (c.kind) {
        case ChangeKind::page: add_page(Pfn(c.index)); break;
        case ChangeKind::pte: {
            pte_slots.insert(c.index);
            for (uint64_t raw : {c.before(), c.after()}) {
                Pte pte = Pte::from_raw(raw);
                if (pte.has_pfn())
                    add_page(pte.pfn());
                if (pte.is_swap_entry())
                    slots.insert(pte.swap_slot().value);
            }
            break;
        }
        case ChangeKind::pmd: {
            pmd_slots.insert(c.index);
            for (uint64_t raw : {c.before(), c.after()}) {
                Pmd pmd = Pmd::from_raw(raw);
                if (pmd.is_trans_huge() || pmd.is_migration_entry())
                    add_page(pmd.head());
            }
            break;
        }
        case ChangeKind::swap_slot: slots.insert(c.index); break;
        case ChangeKind::holder: add_page(k.holder(HolderId(c.index)).pfn); break;
        case ChangeKind::grow:  // a new reference is checked at the step that takes it
            if (static_cast<TableId>(c.field) == TableId::holders)
                for (uint64_t h = c.before(); h < c.after() && h < k.holder_count(); ++h)
                    add_page(k.holder(HolderId(static_cast<uint32_t>(h))).pfn);
            break;
        default: break;
        }
    }
    for (uint32_t slot : pte_slots)
        if (k.pte_slot_owned(slot))
            t.ptes.push_back(k.pte_slot_owner(slot));
    if (!pmd_slots.empty()) {
        for (uint32_t v = 0; v < k.vma_count(); ++v) {
            const Vma& vma = k.vma(VmaId(v));
            uint32_t npmds = (vma.npages + kPagesPerPmd - 1) / kPagesPerPmd;
            for (uint32_t p = 0; p < npmds; ++p)
                if (pmd_slots.count(vma.first_pmd + p))
                    t.ptes.push_back({VmaId(v), p * kPagesPerPmd});
        }
    }
    for (uint32_t p : pages) {
        if (p >= k.state().pages.size())
            continue;
        t.pages.push_back(Pfn(p));
    }
    for (uint32_t s : slots)
        if (s < k.state().swap_slots.size())
            t.slots.push_back(SwapSlot(s));
    return t;
}

std::vector<Pfn> heads_of(const Kernel& k, const std::vector<Pfn>& pages) {
    std::vector<Pfn> heads;
    std::unordered_set<uint32_t> seen;
    for (Pfn p : pages) {
        Pfn h = k.page(p).test(PG_allocated) ? k.folio(p) : p;
        if (seen.insert(h.value).second)
            heads.push_back(h);
    }
    std::sort(heads.begin(), heads.end());
    return heads;
}

} // namespace

void check_step_invariants(Kernel& k, uint32_t step, uint32_t first_change) {
    if (!k.policy().has_anon_exclusive())
        return;
    Touched t = touched_since(k, first_change);
    std::vector<Violation> found;
    local_rules(k, found, t.ptes, t.pages);
    // A breach is reported at the step where it appears, not again at each
    // later step of the same command that touches the page.
    uint32_t command_begin = k.commands().empty() ? 0 : k.commands().back().step_begin;
    for (Violation& v : found) {
        bool seen = false;
        for (auto old = k.violations().rbegin(); old != k.violations().rend() && old->step >= command_begin; ++old)
            seen = seen || (old->rule == v.rule && old->message == v.message);
        v.step = step;
        if (!seen)
            k.add_violation(std::move(v));
    }
}

void check_command_invariants(Kernel& k, uint32_t first_change) {
    if (k.steps().empty())
        return;
    uint32_t step = static_cast<uint32_t>(k.steps().size() - 1);
    Touched t = touched_since(k, first_change);
    std::vector<Violation> found;
    identities(k, found, heads_of(k, t.pages), t.slots);
    for (const Violation& c : check_coherence(k))
        found.push_back(c);
    for (Violation& v : found) {
        v.step = step;
        // Report a coherence breach once, at the step that caused it.
        bool seen = false;
        if (v.kind == "coherence")
            for (const Violation& old : k.violations())
                seen = seen || (old.kind == v.kind && old.message == v.message);
        if (!seen)
            k.add_violation(std::move(v));
    }
}

bool holder_coherent(const Kernel& k, HolderId id) {
    const Holder& holder = k.holder(id);
    if (holder.released || holder.detached || k.is_zero_pfn(holder.pfn) || !k.process(holder.process).alive)
        return true;
    Pfn mapped = resolve_page(k, holder.vma, holder.index);
    return mapped.value == 0 || mapped == holder.pfn;
}

std::vector<Violation> check_coherence(const Kernel& k) {
    std::vector<Violation> out;
    for (uint32_t h = 0; h < k.holder_count(); ++h) {
        if (holder_coherent(k, HolderId(h)))
            continue;
        const Holder& holder = k.holder(HolderId(h));
        Pfn mapped = resolve_page(k, holder.vma, holder.index);
        out.push_back({0, "coherence", holder.kind == HolderKind::pin ? "pin coherence" : "GUP reference coherence",
                       k.strings().text(holder.name) + " holds " + k.page_name(holder.pfn) + " but " +
                           k.address_name(holder.vma, holder.index) + " now maps " + k.page_name(mapped) +
                           ": the holder and the process no longer see the same memory"});
    }
    return out;
}

std::vector<Violation> check_all_invariants(const Kernel& k) {
    std::vector<Violation> out;
    std::vector<std::pair<VmaId, uint32_t>> ptes;
    for (uint32_t v = 0; v < k.vma_count(); ++v) {
        if (!k.process(k.vma(VmaId(v)).process).alive)
            continue;
        for (uint32_t i = 0; i < k.vma(VmaId(v)).npages; ++i)
            ptes.push_back({VmaId(v), i});
    }
    std::vector<Pfn> pages;
    for (uint32_t p = 1; p < k.state().pages.size(); ++p)
        pages.push_back(Pfn(p));
    std::vector<SwapSlot> slots;
    for (uint32_t s = 1; s < k.state().swap_slots.size(); ++s)
        slots.push_back(SwapSlot(s));
    local_rules(k, out, ptes, pages);
    identities(k, out, heads_of(k, pages), slots);
    return out;
}

} // namespace mmt
