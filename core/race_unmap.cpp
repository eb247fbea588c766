// The unmapping side of a race block: migrate_pages() and shrink_page_list()
// (shrink_folio_list from v6.1) one atomic step at a time, with
// try_to_migrate_one() / try_to_unmap_one() split into A1 to A4 (semantics
// reference 4.3). The state changes are the ones migrate.cpp and swap.cpp
// make, in the same order (reclaim's last step is swap.cpp's
// pageout_and_free), so that a race whose GUP-fast runs entirely before or
// after ends in the same state as the plain commands.
#include "era_policy.h"
#include "fault.h"
#include "kernel.h"
#include "migrate.h"
#include "race.h"
#include "rmap.h"
#include "scenario.h"
#include "swap.h"

namespace mmt {

namespace {

// A1 (the part both writers share): clear the PTE and remember it.
void clear_pte(Kernel& k, RaceCpu& me, const Address& a, const char* why, int other) {
    Pfn page(me.page);
    Pte pte = k.pte(a.vma, a.index);
    me.anon_exclusive = k.PageAnonExclusive(page);
    me.cleared = pte.raw();
    k.step(why, other);
    k.set_pte(a.vma, a.index, Pte());
    if (pte.has(Pte::dirty))
        k.set_page_flag(page, PG_dirty, true);
}

// A2: page_try_share_anon_rmap()'s pin test. true: a pin was seen, the PTE is back.
// `synchronised`: false under `flush off`, where no flush and no barrier
// orders the clear against GUP-fast.
bool pin_seen(Kernel& k, RaceCpu& me, const Address& a, const char* refused, bool synchronised) {
    Pfn page(me.page);
    if (me.anon_exclusive && k.folio_maybe_dma_pinned(page)) {
        k.step(refused);
        k.set_pte(a.vma, a.index, Pte::from_raw(me.cleared));
        return true;
    }
    k.step(me.anon_exclusive ? (synchronised && Race::barriers_order_gup_fast(k.policy())
                                    ? "A2 page_try_share_anon_rmap: a full memory barrier (smp_mb), then "
                                      "page_maybe_dma_pinned() sees no pin"
                                    : "A2 page_try_share_anon_rmap: page_maybe_dma_pinned() sees no pin")
           : k.policy().has_anon_exclusive()
               ? "A2 the page is not exclusive: page_try_share_anon_rmap has nothing to check"
               : "A2 this kernel does not look for pins while it unmaps (there is no PG_anon_exclusive to "
                 "protect): the walk goes on");
    return false;
}

void clear_exclusive(Kernel& k, RaceCpu& me, const char* why) {
    if (!me.anon_exclusive) {
        k.step(k.policy().has_anon_exclusive() ? "A3 the page was not exclusive: nothing to clear"
                                                : "A3 (no exclusive flag in this kernel: nothing to clear)");
        return;
    }
    k.step(why);
    k.ClearPageAnonExclusive(Pfn(me.page));
}

} // namespace

void Race::migrate_step(int cpu, const Command& c) {
    RaceCpu& me = cpus_[cpu];
    const int other = 1 - cpu;
    const Address a = address(c);
    auto scope = k_.enter("migrate_pages");
    Pfn src(me.page), dst(me.target);
    switch (me.next) {
    case RaceStep::start: {
        if (!unmaps_step_by_step(c)) {
            // Only a gap if the other CPU still had steps that could fall inside it.
            if (!whole_writer_ && !done(other))
                whole_writer_ = why_whole(c);
            Outcome o = migrate_page_at(k_, a);
            return finish(cpu, c, o.failure);
        }
        src = k_.pte(a.vma, a.index).pfn();
        me.page = src.value;
        k_.step("isolate the page from the LRU (a reference) and lock it; allocate and lock the target");
        k_.folio_get_in_flight(src);
        k_.set_page_flag(src, PG_lru, false);
        k_.set_page_flag(src, PG_locked, true);
        dst = k_.alloc_page(0);
        k_.set_page_flag(dst, PG_locked, true);
        me.target = dst.value;
        auto walk = k_.enter(k_.policy().name_of(EraPolicy::Function::try_to_migrate));
        auto one = k_.enter(k_.policy().name_of(EraPolicy::Function::try_to_migrate_one));
        clear_pte(
            k_, me, a,
            block_.flush
                ? "A1 take the page table lock and clear the PTE (ptep_clear_flush); the TLB flush that "
                  "follows cannot complete while another CPU is inside GUP-fast with interrupts off"
                : "A1 take the page table lock and clear the PTE. flush off, a teaching switch that is NOT "
                  "the kernel: the clear is not synchronised with GUP-fast on cpu{0}",
            other);
        me.next = block_.flush ? RaceStep::a1_flush : RaceStep::a2_pin_check;
        return;
    }
    case RaceStep::a1_flush: {
        auto walk = k_.enter(k_.policy().name_of(EraPolicy::Function::try_to_migrate));
        auto one = k_.enter(k_.policy().name_of(EraPolicy::Function::try_to_migrate_one));
        k_.step("A1 the flush IPI is acknowledged: no GUP-fast walk that began before the clear is still running, "
                "so a reference GUP-fast took from the old PTE is visible now");
        me.next = RaceStep::a2_pin_check;
        return;
    }
    case RaceStep::a2_pin_check: {
        auto walk = k_.enter(k_.policy().name_of(EraPolicy::Function::try_to_migrate));
        auto one = k_.enter(k_.policy().name_of(EraPolicy::Function::try_to_migrate_one));
        if (pin_seen(k_, me, a,
                     "A2 page_try_share_anon_rmap: page_maybe_dma_pinned() sees a pin: restore the PTE, "
                     "unlock the page table and give up: migration fails early",
                     block_.flush)) {
            me.moved = false;
            me.pending = reason::pinned;
            me.next = RaceStep::m2_finish;
            return;
        }
        me.next = RaceStep::a3_clear_exclusive;
        return;
    }
    case RaceStep::a3_clear_exclusive: {
        auto walk = k_.enter(k_.policy().name_of(EraPolicy::Function::try_to_migrate));
        auto one = k_.enter(k_.policy().name_of(EraPolicy::Function::try_to_migrate_one));
        clear_exclusive(
            k_, me,
            "A3 ClearPageAnonExclusive: the page is possibly shared from now on; its exclusivity travels in "
            "the migration entry");
        me.next = RaceStep::a4_install_entry;
        return;
    }
    case RaceStep::a4_install_entry: {
        auto walk = k_.enter(k_.policy().name_of(EraPolicy::Function::try_to_migrate));
        auto one = k_.enter(k_.policy().name_of(EraPolicy::Function::try_to_migrate_one));
        Pte pte = Pte::from_raw(me.cleared);
        uint32_t bits = migration_entry_bits(k_, pte.bits());
        Pte entry;
        if (pte.has(Pte::write)) {
            entry = Pte::make_writable_migration_entry(src, bits);
            k_.step(k_.policy().has_anon_exclusive()
                        ? "A4 install a writable migration entry (it implies an exclusive page), drop the mapping "
                          "and its reference, unlock the page table"
                        : "A4 install a writable migration entry, drop the mapping and its reference, unlock the "
                          "page table");
        } else if (me.anon_exclusive && k_.policy().has_anon_exclusive()) {
            entry = Pte::make_readable_exclusive_migration_entry(src, bits);
            k_.step("A4 install a readable-exclusive migration entry, drop the mapping and its reference, "
                    "unlock the page table");
        } else {
            entry = Pte::make_readable_migration_entry(src, bits);
            k_.step(k_.policy().has_anon_exclusive()
                        ? "A4 install a readable migration entry (possibly shared), drop the mapping and its "
                          "reference, unlock the page table"
                        : "A4 install a readable migration entry (the PTE was read-only), drop the mapping and its "
                          "reference, unlock the page table");
        }
        k_.set_pte(a.vma, a.index, entry);
        page_remove_rmap(k_, src, false);
        k_.folio_put(src);
        me.next = RaceStep::m1_migrate_mapping;
        return;
    }
    case RaceStep::m1_migrate_mapping:
        me.moved = folio_migrate_mapping(k_, src, dst, 1);
        if (me.moved)
            folio_migrate_copy(k_, src, dst);
        else
            me.pending = k_.folio_maybe_dma_pinned(src) ? reason::pinned : reason::extra_refs;
        me.next = RaceStep::m2_finish;
        return;
    case RaceStep::m2_finish:
        if (me.moved) {
            remove_migration_ptes(k_, src, dst);
            k_.step("migration done: unlock both; the target goes on the LRU, the old page is freed");
            k_.set_page_flag(dst, PG_locked, false);
            k_.set_page_flag(dst, PG_lru, true);
            k_.folio_put_in_flight(dst);
            k_.set_page_flag(src, PG_locked, false);
            k_.folio_put_in_flight(src);
            return finish(cpu, c, nullptr);
        }
        {
            // After A2 gave up, no migration entry was ever installed.
            const bool entries = k_.pte(a.vma, a.index).is_migration_entry();
            remove_migration_ptes(k_, src, src);
            k_.step(entries ? "migration failed: the entries point at the old page again; free the target, put "
                              "the page back"
                            : "migration failed before any migration entry was installed: free the target, put the "
                              "page back");
        }
        k_.set_page_flag(dst, PG_locked, false);
        k_.folio_put_in_flight(dst);
        k_.set_page_flag(src, PG_locked, false);
        k_.set_page_flag(src, PG_lru, true);
        k_.folio_put_in_flight(src);
        return finish(cpu, c, me.pending);
    default:
        return;
    }
}

void Race::swapout_step(int cpu, const Command& c) {
    RaceCpu& me = cpus_[cpu];
    const int other = 1 - cpu;
    const Address a = address(c);
    auto scope = k_.enter(k_.policy().name_of(EraPolicy::Function::shrink_page_list));
    Pfn page(me.page);
    auto putback = [&](const char* why, int32_t arg = 0) {
        k_.step(why, arg);
        k_.set_page_flag(page, PG_locked, false);
        k_.set_page_flag(page, PG_lru, true);
        k_.folio_put_in_flight(page);
    };
    switch (me.next) {
    case RaceStep::start: {
        if (!unmaps_step_by_step(c)) {
            // Only a gap if the other CPU still had steps that could fall inside it.
            if (!whole_writer_ && !done(other))
                whole_writer_ = why_whole(c);
            Outcome o = shrink_folio(k_, a);
            return finish(cpu, c, o.failure);
        }
        page = k_.pte(a.vma, a.index).pfn();
        me.page = page.value;
        k_.step("reclaim isolates the page from the LRU (a reference) and locks it");
        k_.folio_get_in_flight(page);
        k_.set_page_flag(page, PG_lru, false);
        k_.set_page_flag(page, PG_locked, true);
        if (!k_.page(page).test(PG_swapcache)) {
            if (k_.policy().reclaim_skips_maybe_pinned() && k_.folio_maybe_dma_pinned(page)) {
                putback(reclaim_keeps_maybe_pinned(k_));
                return finish(cpu, c, reason::pinned);
            }
            auto add = k_.enter("add_to_swap");
            SwapSlot slot = k_.alloc_swap_slot();
            k_.step("add_to_swap: allocate swap slot {0}, add the page to the swap cache (a reference) and mark "
                    "it dirty: the slot holds nothing yet",
                    static_cast<int32_t>(slot.value));
            k_.set_swap_slot(slot, SwapField::cache_pfn, page.value);
            k_.set_swap_slot(slot, SwapField::anon_vma, k_.page(page).test(PG_ksm) ? 0 : k_.page(page).anon_vma);
            k_.set_swap_slot(slot, SwapField::index, k_.page(page).index);
            k_.set_page(page, PageField::swap_slot, slot.value);
            k_.set_page_flag(page, PG_swapcache, true);
            k_.set_page_flag(page, PG_dirty, true);
            k_.folio_ref_add(page, 1);
        }
        me.next = RaceStep::a1_clear;
        return;
    }
    case RaceStep::a1_clear: {
        Pte pte = k_.pte(a.vma, a.index);
        if (!pte.is_present() || pte.pfn() != page || k_.page_mapcount(page) != 1) {
            // fork shared the page after the prologue (a `get` pins nothing):
            // try_to_unmap walks every mapping, which the engine's reclaim does.
            putback(
                "the page gained a mapping since reclaim isolated it: put it back and reclaim it as a whole "
                "(try_to_unmap walks every mapping)");
            Outcome o = shrink_folio(k_, a);
            return finish(cpu, c, o.failure);
        }
        auto unmap = k_.enter("try_to_unmap");
        auto one = k_.enter("try_to_unmap_one");
        const bool exclusive = k_.PageAnonExclusive(page);
        const bool defers_exclusive = k_.policy().reclaim_may_defer_flush_of_exclusive();
        const bool flush_at_once = block_.flush && exclusive && !defers_exclusive;
        clear_pte(
            k_, me, a,
            !block_.flush
                ? "A1 take the page table lock and clear the PTE, the TLB flush deferred. flush off, a "
                  "teaching switch that is NOT the kernel: neither a TLB flush nor a memory barrier makes "
                  "the clear visible to GUP-fast on cpu{0}"
            : flush_at_once
                ? "A1 take the page table lock; the page is exclusive: clear the PTE and flush the TLB "
                  "at once (ptep_clear_flush); the flush cannot complete while another CPU is inside "
                  "GUP-fast with interrupts off"
            : exclusive
                ? "A1 take the page table lock and clear the PTE, its TLB flush batched like any other "
                  "(the flush IPI comes later); the page is exclusive: the memory barrier at A2 orders "
                  "this clear before the pin check"
            : k_.policy().has_anon_exclusive() && !defers_exclusive
                ? "A1 take the page table lock and clear the PTE; the page is not exclusive, so the "
                  "TLB flush may be batched"
                : "A1 take the page table lock and clear the PTE; the TLB flush is batched (the flush "
                  "IPI comes later)",
            other);
        me.flush_batched = block_.flush && !flush_at_once;
        me.next = flush_at_once ? RaceStep::a1_flush : RaceStep::a2_pin_check;
        return;
    }
    case RaceStep::a1_flush: {
        auto unmap = k_.enter("try_to_unmap");
        auto one = k_.enter("try_to_unmap_one");
        k_.step("A1 the flush IPI is acknowledged: no GUP-fast walk that began before the clear is still running, "
                "so a pin GUP-fast took from the old PTE is visible now");
        me.next = RaceStep::a2_pin_check;
        return;
    }
    case RaceStep::a2_pin_check: {
        auto unmap = k_.enter("try_to_unmap");
        auto one = k_.enter("try_to_unmap_one");
        me.next =
            pin_seen(k_, me, a,
                     "A2 page_try_share_anon_rmap fails: page_maybe_dma_pinned() sees a pin; restore the PTE "
                     "and stop",
                     block_.flush)
                ? RaceStep::putback
                : RaceStep::a3_clear_exclusive;
        return;
    }
    case RaceStep::a3_clear_exclusive: {
        auto unmap = k_.enter("try_to_unmap");
        auto one = k_.enter("try_to_unmap_one");
        clear_exclusive(
            k_, me,
            k_.policy().has_anon_exclusive()
                ? "A3 ClearPageAnonExclusive: the page is possibly shared from now on; its exclusivity is "
                  "kept in the swap entry's exclusive bit"
                : "A3 ClearPageAnonExclusive");
        me.next = RaceStep::a4_install_entry;
        return;
    }
    case RaceStep::a4_install_entry: {
        auto unmap = k_.enter("try_to_unmap");
        auto one = k_.enter("try_to_unmap_one");
        SwapSlot slot(k_.page(page).swap_slot);
        uint32_t bits = Pte::from_raw(me.cleared).bits() & Pte::soft_dirty;
        if (me.anon_exclusive && k_.policy().has_anon_exclusive())
            bits |= Pte::swp_exclusive;
        k_.step(
            bits & Pte::swp_exclusive
                ? "A4 install a swap entry for slot {0} with the exclusive bit, raise the slot's count, drop "
                  "the mapping and its reference, unlock the page table"
                : "A4 install a swap entry for slot {0}, raise the slot's count, drop the mapping and its "
                  "reference, unlock the page table",
            static_cast<int32_t>(slot.value));
        swap_duplicate(k_, slot);
        k_.set_pte(a.vma, a.index, Pte::make_swap_entry(slot, bits));
        page_remove_rmap(k_, page, false);
        k_.folio_ref_add(page, -1);
        me.next = RaceStep::s1_finish;
        return;
    }
    case RaceStep::s1_finish: {
        // waits_for() held this step while the other CPU was inside GUP-fast
        // and the flush of a dirty PTE was pending.
        const bool dirty = Pte::from_raw(me.cleared).has(Pte::dirty);
        pageout_and_free(k_, page,
                         !me.flush_batched ? BatchedFlush::none
                         : dirty           ? BatchedFlush::pending_dirty
                                           : BatchedFlush::pending);
        return finish(cpu, c, nullptr);
    }
    case RaceStep::putback:
        putback("the page is still mapped: reclaim gives up on it this round");
        return finish(cpu, c, reason::pinned);
    default:
        return;
    }
}

} // namespace mmt
