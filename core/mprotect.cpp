#include "mprotect.h"

#include <vector>

#include "era_policy.h"
#include "huge_memory.h"
#include "kernel.h"

namespace mmt {

namespace {

uint8_t vma_bits_for(uint8_t old, Protection prot) {
    uint8_t bits = old & ~(VMA_read | VMA_write);
    if (prot == Protection::rw)
        bits |= VMA_read | VMA_write | VMA_account; // mprotect_fixup() charges private memory made writable
    else if (prot == Protection::ro)
        bits |= VMA_read;
    return bits;
}

// can_change_pte_writable() as v6.2 has it: a PTE of an exclusive anonymous
// page needs no write fault, unless soft-dirty tracking wants one. (v6.0 and
// v6.1 also wanted the PTE dirty; "mm/mprotect: allow clean exclusive anon
// pages to be writable" dropped that for private mappings in v6.2.)
bool can_change_pte_writable(const Kernel& k, VmaId vma, uint32_t index, Pte pte) {
    if (!k.policy().mprotect_makes_exclusive_writable())
        return false;
    if (!(k.vma_page(vma, index) & VMA_softdirty) && !pte.has(Pte::soft_dirty))
        return false;
    Pfn page = pte.pfn();
    return !k.is_zero_pfn(page) && k.PageAnon(page) && k.PageAnonExclusive(page);
}

// can_change_pmd_writable() (v6.2): the same test for a PMD-mapped THP, on
// its head page.
bool can_change_pmd_writable(const Kernel& k, VmaId vma, uint32_t pmd_index, Pmd pmd) {
    if (!k.policy().mprotect_makes_exclusive_writable() || !pmd.is_trans_huge())
        return false;
    if (!(k.vma_page(vma, pmd_index * kPagesPerPmd) & VMA_softdirty) && !pmd.has(Pte::soft_dirty))
        return false;
    return k.PageAnon(pmd.head()) && k.PageAnonExclusive(pmd.head());
}

void change_pte(Kernel& k, VmaId vma, uint32_t index, Protection prot) {
    Pte pte = k.pte(vma, index);
    if (pte.is_present()) {
        Pte updated = pte.without(Pte::write | Pte::protnone);
        if (prot == Protection::none)
            updated = updated.with(Pte::protnone);
        if (prot == Protection::rw && !pte.has(Pte::write) && can_change_pte_writable(k, vma, index, updated)) {
            k.step("the PTE maps an exclusive anonymous page: map it writable right away, no write fault needed "
                   "(can_change_pte_writable)");
            updated = updated.with(Pte::write);
        } else if (prot == Protection::rw && pte.has(Pte::write)) {
            updated = pte.without(Pte::protnone);
        } else if (pte != updated) {
            k.step(prot == Protection::none ? "the PTE becomes PROT_NONE; the page itself is not touched"
                   : prot == Protection::ro && !pte.has(Pte::write)
                       ? "the PTE is no longer PROT_NONE: it maps the page read-only (there was no write bit to take)"
                   : prot == Protection::ro ? (k.policy().has_anon_exclusive()
                                                   ? "write-protect the PTE; PG_anon_exclusive is not touched, so the "
                                                     "next write fault can reuse the page"
                                                   : "write-protect the PTE; the next write faults")
                   : k.policy().mprotect_makes_exclusive_writable()
                       ? "the PTE keeps no write bit: the page is not exclusive (or soft-dirty tracking wants a "
                         "fault), so the next write fault decides"
                       : "the PTE keeps no write bit: a private mapping gets write permission per PTE on the next "
                         "write fault");
        }
        k.set_pte(vma, index, updated);
        return;
    }
    if (pte.kind() == PteKind::migration_write && prot != Protection::rw) {
        bool anon = k.PageAnon(pte.pfn());
        if (anon && k.policy().has_anon_exclusive()) {
            k.step("write-protect a writable migration entry of an anonymous page: it becomes "
                   "readable-exclusive, so exclusivity is not lost");
            k.set_pte(vma, index, Pte::make_readable_exclusive_migration_entry(pte.pfn(), pte.bits()));
        } else {
            k.step("write-protect a writable migration entry: it becomes readable");
            k.set_pte(vma, index, Pte::make_readable_migration_entry(pte.pfn(), pte.bits()));
        }
        return;
    }
    if (pte.kind() == PteKind::device_private_write && prot != Protection::rw) {
        k.step("write-protect a writable device-private entry: it becomes readable");
        k.set_pte(vma, index, Pte::make_readable_device_private_entry(pte.pfn(), 0));
    }
}

// mprotect_fixup() over pages [first, last], all mapped.
void mprotect_fixup(Kernel& k, VmaId vma, uint32_t first, uint32_t last, Protection prot) {
    auto scope = k.enter("mprotect_fixup");
    // mprotect_fixup() leaves a VMA (here: the pages) whose flags already are
    // the new ones alone: no PTE is looked at.
    std::vector<bool> changes(last - first + 1);
    bool any = false;
    for (uint32_t i = first; i <= last; ++i) {
        uint8_t bits = k.vma_page(vma, i);
        changes[i - first] = vma_bits_for(bits, prot) != bits;
        any = any || changes[i - first];
    }
    if (!any) {
        k.step("the range already has these permissions: mprotect_fixup returns at once, no PTE is touched");
        return;
    }
    // split_vma at the range's ends comes before the new flags: the PTEs a
    // split PMD leaves outside the range keep the old permissions.
    vma_adjust_trans_huge(k, vma, first, last, [prot](uint8_t bits) { return vma_bits_for(bits, prot); });
    auto changing = [&](uint32_t i) { return i >= first && i <= last && changes[i - first]; };
    // VM_ACCOUNT, said where it matters: pages made writable for the first
    // time are charged; pages made read-only again keep the charge, which
    // keeps them apart from neighbours that never had it.
    bool charges = false;
    for (uint32_t i = first; i <= last && prot == Protection::rw; ++i)
        charges = charges || !(k.vma_page(vma, i) & VMA_account);
    auto apart_by_account = [&](uint32_t inside, uint32_t outside) {
        const uint8_t in = vma_bits_for(k.vma_page(vma, inside), prot), out = k.vma_page(vma, outside);
        return (out & VMA_mapped) && (in ^ out) == VMA_account;
    };
    const bool kept_apart = prot != Protection::rw &&
                            ((first > 0 && apart_by_account(first, first - 1)) ||
                             (last + 1 < k.vma(vma).npages && apart_by_account(last, last + 1)));
    if (charges)
        k.step("mprotect(PROT_READ|PROT_WRITE): the VMA's flags change; private pages made writable are charged "
               "to the memory commit (VM_ACCOUNT)");
    else if (kept_apart)
        k.step(prot == Protection::ro
                   ? "mprotect(PROT_READ): the VMA's flags change; the pages keep VM_ACCOUNT (a charge is not given "
                     "back), so they stay a VMA apart from neighbours that were never writable"
                   : "mprotect(PROT_NONE): the VMA's flags change; the pages keep VM_ACCOUNT (a charge is not given "
                     "back), so they stay a VMA apart from neighbours that were never writable");
    else
        k.step(prot == Protection::rw ? "mprotect(PROT_READ|PROT_WRITE): the VMA's flags change"
               : prot == Protection::ro ? "mprotect(PROT_READ): the VMA's flags change"
                                        : "mprotect(PROT_NONE): the VMA's flags change");
    for (uint32_t i = first; i <= last; ++i)
        if (changing(i))
            k.set_vma_page(vma, i, vma_bits_for(k.vma_page(vma, i), prot));
    auto change = k.enter("change_protection");
    for (uint32_t p = first / kPagesPerPmd; p <= last / kPagesPerPmd; ++p) {
        Pmd pmd = k.pmd(vma, p);
        uint32_t lo = std::max(first, p * kPagesPerPmd), hi = std::min(last, p * kPagesPerPmd + 511);
        uint32_t changed = 0;
        for (uint32_t i = lo; i <= hi; ++i)
            changed += changing(i) ? 1 : 0;
        if (changed == 0)
            continue;
        bool whole = changed == kPagesPerPmd;
        if (pmd.is_trans_huge() || pmd.is_huge_zero()) {
            if (!whole) {
                split_huge_pmd(k, vma, p);
            } else {
                auto huge = k.enter("change_huge_pmd");
                if (pmd.is_huge_zero()) {
                    // pmd_modify on the huge zero PMD too (only NUMA hinting
                    // skips it): it is never writable, PROT_NONE or not.
                    Pmd updated = prot == Protection::none ? pmd.with(Pte::protnone) : pmd.without(Pte::protnone);
                    if (updated != pmd)
                        k.step(prot == Protection::none
                                   ? "the PMD mapping the huge zero page becomes PROT_NONE"
                                   : "the PMD mapping the huge zero page is no longer PROT_NONE (it stays read-only)");
                    k.set_pmd(vma, p, updated);
                } else if (pmd.is_trans_huge()) {
                    // pmd_modify with the new vm_page_prot: never writable
                    // (a write fault grants that), PROT_NONE or not.
                    Pmd updated = pmd.without(Pte::protnone);
                    if (prot != Protection::rw)
                        updated = updated.without(Pte::write);
                    if (prot == Protection::none)
                        updated = updated.with(Pte::protnone);
                    const bool upgrade = prot == Protection::rw && !pmd.has(Pte::write) &&
                                         can_change_pmd_writable(k, vma, p, updated);
                    if (upgrade) {
                        updated = updated.with(Pte::write);
                        k.step("the PMD maps an exclusive THP: map it writable right away, no write fault needed "
                               "(can_change_pmd_writable)");
                    } else if (updated != pmd)
                        k.step(prot == Protection::none ? "the PMD becomes PROT_NONE; the THP itself is not touched"
                               : prot == Protection::rw
                                   ? (k.policy().mprotect_makes_exclusive_writable()
                                          ? "the PMD keeps no write bit: the THP is not exclusive (or soft-dirty "
                                            "tracking wants a fault), so the next write fault decides"
                                          : "the PMD keeps no write bit: a write fault grants it")
                               : !pmd.has(Pte::write)
                                   ? "the PMD is no longer PROT_NONE: it maps the THP read-only (there was no write "
                                     "bit to take)"
                               : k.policy().has_anon_exclusive()
                                   ? "write-protect the PMD; the THP's PG_anon_exclusive is not touched"
                                   : "write-protect the PMD; the next write faults");
                    k.set_pmd(vma, p, updated);
                }
                continue;
            }
        }
        if (pmd.is_migration_entry() && pmd.kind() == PmdKind::migration_write && prot != Protection::rw) {
            bool rx = k.policy().has_anon_exclusive() && k.PageAnon(pmd.head());
            k.set_pmd(vma, p, Pmd::make_migration(rx ? PmdKind::migration_read_exclusive : PmdKind::migration_read,
                                                  pmd.head(), pmd.bits()));
            continue;
        }
        for (uint32_t i = lo; i <= hi; ++i)
            if (changing(i))
                change_pte(k, vma, i, prot);
    }
}

} // namespace

// do_mprotect_pkey(): VMA after VMA from the start of the range; a hole
// ends the walk with -ENOMEM, after the VMAs before it were changed.
Outcome mprotect_range(Kernel& k, VmaId vma, uint32_t first, uint32_t last, Protection prot) {
    uint32_t end = first;
    while (end <= last && (k.vma_page(vma, end) & VMA_mapped))
        ++end;
    if (end > first)
        mprotect_fixup(k, vma, first, end - 1, prot);
    if (end <= last) {
        auto scope = k.enter("do_mprotect_pkey");
        k.step(end == first ? "no VMA at the start of the range: -ENOMEM, nothing is changed"
                            : "a hole in the range: the VMAs before it keep their new protection, the rest is "
                              "not looked at: -ENOMEM");
        return Outcome::fail("range not mapped (-ENOMEM)");
    }
    return Outcome::success();
}

Outcome clear_soft_dirty(Kernel& k, ProcessId process) {
    auto scope = k.enter("clear_refs_write");
    k.step("writing 4 (CLEAR_REFS_SOFT_DIRTY) to clear_refs: soft-dirty tracking is armed; each present PTE "
           "loses its soft-dirty bit and is write-protected if it was writable, so the next write faults");
    // pte_is_pinned(): since v5.11 a writable PTE of a possibly pinned page
    // keeps its write bit (and so keeps the pin coherent).
    auto skip = [&](bool writable, Pfn page) {
        return writable && k.policy().clear_refs_skips_maybe_pinned() && k.process(process).has_pinned &&
               !k.is_zero_pfn(page) && k.folio_maybe_dma_pinned(page);
    };
    for (VmaId vma : k.vmas_of(process)) {
        const Vma& v = k.vma(vma);
        for (uint32_t i = 0; i < v.npages; ++i)
            k.set_vma_page(vma, i, k.vma_page(vma, i) & ~VMA_softdirty);
        uint32_t npmds = (v.npages + kPagesPerPmd - 1) / kPagesPerPmd;
        for (uint32_t p = 0; p < npmds; ++p) {
            Pmd pmd = k.pmd(vma, p);
            if (pmd.is_trans_huge()) {
                // clear_soft_dirty_pmd() has no pinned-page exception.
                k.set_pmd(vma, p, pmd.without(Pte::write | Pte::soft_dirty));
                continue;
            }
            if (!pmd.is_table())
                continue;
            for (uint32_t i = p * kPagesPerPmd; i < std::min(v.npages, (p + 1) * kPagesPerPmd); ++i) {
                Pte pte = k.pte(vma, i);
                if (pte.is_present() && skip(pte.has(Pte::write), pte.pfn()))
                    k.step("the page may be pinned (pte_is_pinned): leave its PTE writable");
                else if (pte.is_present())
                    k.set_pte(vma, i, pte.without(Pte::write | Pte::soft_dirty));
                else if (!pte.is_none())
                    k.set_pte(vma, i, pte.without(Pte::soft_dirty));
            }
        }
    }
    return Outcome::success();
}

} // namespace mmt
