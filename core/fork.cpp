#include "fork.h"

#include "era_policy.h"
#include "huge_memory.h"
#include "kernel.h"
#include "memory.h"
#include "rmap.h"
#include "swap.h"

namespace mmt {

namespace {

// copy_present_page(): the parent's page may be pinned, so the child gets a
// copy now and the parent keeps its page (and its writable PTE) untouched.
void copy_present_page(Kernel& k, VmaId dst, uint32_t index, Pfn page) {
    auto scope = k.enter("copy_present_page");
    k.step("the page may be pinned (page_maybe_dma_pinned with MMF_HAS_PINNED): copy it for the child now "
           "so the pin keeps pointing at the parent's page; the parent's PTE stays as it is");
    Pfn copy = k.alloc_page(k.page(page).contents);
    // mk_pte with the child VMA's vm_page_prot: PAGE_NONE in a PROT_NONE range.
    uint32_t bits = Pte::dirty | Pte::young | Pte::soft_dirty;
    if (k.vma_page(dst, index) & VMA_write)
        bits |= Pte::write;
    if (vma_prot_none(k, dst, index))
        bits |= Pte::protnone;
    k.set_pte(dst, index, Pte::make_present(copy, bits));
    page_add_new_anon_rmap(k, copy, dst, index, false);
}

void copy_present_pte(Kernel& k, ProcessId parent, VmaId src, VmaId dst, uint32_t index, Pte pte) {
    auto scope = k.enter(k.policy().name_of(EraPolicy::Function::copy_present_pte));
    Pfn page = pte.pfn();
    if (k.is_zero_pfn(page)) {
        k.step("the zero page is shared as it is: no counts, already read-only");
        k.set_pte(dst, index, pte.without(Pte::young));
        return;
    }
    bool was_exclusive = k.PageAnonExclusive(page);
    bool writable = pte.has(Pte::write);
    bool anon_exclusive_era = k.policy().has_anon_exclusive();
    if (k.policy().fork_must_copy_for_dma(k, parent, page)) {
        k.step(anon_exclusive_era ? "get_page; page_try_dup_anon_rmap refuses (-EBUSY): the page may be pinned "
                                    "(MMF_HAS_PINNED and page_maybe_dma_pinned), so the child must not share it; "
                                    "put_page"
                                  : "page_needs_cow_for_dma: the page may be pinned (the mm has pinned pages and "
                                    "page_maybe_dma_pinned), so the child must not share it");
        if (anon_exclusive_era) {
            // v5.19 takes the child's reference before it asks, and gives it
            // back when the answer is no.
            k.folio_ref_add(page, 1);
            k.folio_ref_add(page, -1);
        }
        copy_present_page(k, dst, index, page);
        return;
    }
    // One step per PTE: fork of a large process stays cheap to record.
    if (was_exclusive)
        k.step(writable ? "get_page; page_try_dup_anon_rmap: the exclusive page is not pinned, so clear "
                          "PG_anon_exclusive and share it; write-protect the parent's PTE, map it read-only in the "
                          "child: the next write on either side faults (COW)"
                        : "get_page; page_try_dup_anon_rmap: the exclusive page is not pinned, so clear "
                          "PG_anon_exclusive and share it read-only with the child");
    else if (anon_exclusive_era)
        k.step(writable ? "get_page; page_try_dup_anon_rmap shares the page with the child; write-protect the "
                          "parent's PTE and map it read-only in the child: the next write on either side faults"
                        : "get_page; page_try_dup_anon_rmap shares the page with the child, read-only in both");
    else
        k.step(writable ? "get_page; page_dup_rmap shares the page with the child; write-protect the parent's PTE "
                          "and map it read-only in the child: the next write on either side faults (COW)"
                        : "get_page; page_dup_rmap shares the page with the child, read-only in both");
    k.folio_ref_add(page, 1);
    (void)page_try_dup_anon_rmap(k, page, false, parent);
    k.set_pte(src, index, pte.without(Pte::write));
    k.set_pte(dst, index, pte.without(Pte::write | Pte::young));
}

void copy_nonpresent_pte(Kernel& k, VmaId src, VmaId dst, uint32_t index, Pte pte) {
    auto scope = k.enter(k.policy().name_of(EraPolicy::Function::copy_nonpresent_pte));
    if (pte.is_swap_entry()) {
        k.step(k.policy().has_anon_exclusive()
                   ? "a swap entry: swap_duplicate raises the slot's count; the parent's entry loses its "
                     "exclusive bit, the slot is now shared"
                   : "a swap entry: swap_duplicate raises the slot's count; parent and child now share the slot");
        swap_duplicate(k, pte.swap_slot());
        k.set_pte(src, index, pte.without(Pte::swp_exclusive));
        k.set_pte(dst, index, pte.without(Pte::swp_exclusive));
        return;
    }
    if (pte.is_migration_entry()) {
        Pte readable = Pte::make_readable_migration_entry(pte.pfn(), pte.bits());
        if (pte.kind() != PteKind::migration_read)
            k.step(k.policy().has_anon_exclusive()
                       ? "a writable or readable-exclusive migration entry becomes readable, in parent and "
                         "child: the page is possibly shared now"
                       : "a writable migration entry becomes readable in parent and child: the page is shared "
                         "now, and the next write in either faults (COW)");
        else
            k.step("a readable migration entry is copied as it is");
        k.set_pte(src, index, readable);
        k.set_pte(dst, index, readable);
        return;
    }
    if (pte.is_device_private_entry()) {
        Pfn page = pte.pfn();
        const bool writable = pte.kind() == PteKind::device_private_write;
        if (k.policy().has_anon_exclusive())
            k.step(writable ? "a writable device-private entry: get_page and page_try_dup_anon_rmap, which always "
                              "succeeds here because GUP never pins a device-private page; both sides get a "
                              "readable entry, without soft-dirty"
                            : "a readable device-private entry: get_page and page_try_dup_anon_rmap, which always "
                              "succeeds here because GUP never pins a device-private page; the child gets "
                              "the same entry");
        else
            k.step(writable ? "a writable device-private entry: get_page and page_dup_rmap; it becomes readable, "
                              "so both sides get a readable entry, without soft-dirty"
                            : "a readable device-private entry: get_page and page_dup_rmap; the child gets the "
                              "same entry");
        k.folio_ref_add(page, 1);
        (void)page_try_dup_anon_rmap(k, page, false, ProcessId());
        // Only a writable entry is rewritten, and the new one is built from
        // the page alone: soft-dirty survives only in a readable entry.
        if (writable) {
            Pte readable = Pte::make_readable_device_private_entry(page, 0);
            k.set_pte(src, index, readable);
            k.set_pte(dst, index, readable);
        } else {
            k.set_pte(dst, index, pte);
        }
    }
}

bool copy_huge_pmd(Kernel& k, ProcessId parent, VmaId src, VmaId dst, uint32_t pmd_index) {
    auto scope = k.enter("copy_huge_pmd");
    Pmd pmd = k.pmd(src, pmd_index);
    if (pmd.is_huge_zero()) {
        k.step("the huge zero page is mapped by both");
        k.set_pmd(dst, pmd_index, pmd);
        return true;
    }
    Pfn head = pmd.head();
    if (k.policy().has_anon_exclusive()) {
        // v5.19 takes the reference first and gives it back if the page
        // may be pinned.
        k.step("get_page on the THP, then page_try_dup_anon_rmap(compound) decides whether the child may share it");
        k.folio_ref_add(head, 1);
        if (!page_try_dup_anon_rmap(k, head, true, parent)) {
            k.step("the THP may be pinned: drop the reference, split the parent's PMD and copy at PTE level "
                   "(-EAGAIN)");
            k.folio_ref_add(head, -1);
            split_huge_pmd(k, src, pmd_index);
            return false;
        }
    } else if (k.policy().fork_copies_maybe_pinned() && k.policy().fork_must_copy_for_dma(k, parent, head)) {
        // Before v5.19 the pin test comes first; no reference is taken.
        k.step("page_needs_cow_for_dma: the THP may be pinned; split the parent's PMD and copy at PTE level "
               "(-EAGAIN)");
        split_huge_pmd(k, src, pmd_index);
        return false;
    } else {
        k.step(k.policy().fork_copies_maybe_pinned()
                   ? "page_needs_cow_for_dma: the THP is not pinned; get_page and page_dup_rmap(compound): the "
                     "child shares it"
                   : "get_page on the THP and page_dup_rmap(compound): the child shares it (fork does not look "
                     "for pins)");
        k.folio_ref_add(head, 1);
        (void)page_try_dup_anon_rmap(k, head, true, parent);
    }
    k.step("write-protect the parent's PMD and map the THP read-only in the child");
    k.set_pmd(src, pmd_index, pmd.without(Pte::write));
    k.set_pmd(dst, pmd_index, pmd.without(Pte::write | Pte::young));
    return true;
}

void copy_page_range_tables(Kernel& k, ProcessId parent, VmaId src, VmaId dst);

void copy_page_range(Kernel& k, ProcessId parent, VmaId src, VmaId dst) {
    auto scope = k.enter("copy_page_range");
    const Vma& v = k.vma(src);
    if (!v.has_anon_vma) {
        // vma_needs_copy() (v6.2; the same test opens copy_page_range before):
        // nothing but the zero page was ever mapped here, and the child's
        // faults will map it again.
        k.step("this VMA has no anon_vma (only the zero page was ever mapped in it): copy_page_range copies "
               "nothing, the child faults its own");
        return;
    }
    // v5.11+: around the copy of each private (COW) VMA, not around all of
    // dup_mmap; a VMA copy_page_range skips leaves it alone.
    const bool seq = k.policy().has_write_protect_seq();
    if (seq) {
        k.step("a COW mapping: write_protect_seq becomes odd while its page tables are copied, so that a FOLL_PIN "
               "GUP-fast that overlaps backs off");
        k.set_process(parent, ProcessField::write_protect_seq, k.process(parent).write_protect_seq + 1);
    }
    copy_page_range_tables(k, parent, src, dst);
    if (seq) {
        k.step("this VMA is copied: write_protect_seq is even again");
        k.set_process(parent, ProcessField::write_protect_seq, k.process(parent).write_protect_seq + 1);
    }
}

// copy_p4d_range() down to copy_pte_range(): every PMD and PTE of the VMA.
void copy_page_range_tables(Kernel& k, ProcessId parent, VmaId src, VmaId dst) {
    const Vma& v = k.vma(src);
    uint32_t npmds = (v.npages + kPagesPerPmd - 1) / kPagesPerPmd;
    for (uint32_t p = 0; p < npmds; ++p) {
        Pmd pmd = k.pmd(src, p);
        if (pmd.is_none())
            continue;
        uint32_t base = p * kPagesPerPmd;
        if ((pmd.is_trans_huge() || pmd.is_huge_zero())) {
            // A PMD maps within one VMA (madvise splits it where a boundary
            // falls inside), so its pages are copied all or none: a
            // VM_DONTCOPY or VM_WIPEONFORK VMA is skipped by dup_mmap and the
            // parent's PMD stays as it is.
            size_t copied = 0;
            for (uint32_t i = 0; i < kPagesPerPmd; ++i) {
                uint8_t bits = k.vma_page(src, base + i);
                copied += (bits & VMA_mapped) && !(bits & (VMA_dontcopy | VMA_wipeonfork));
            }
            if (copied == 0)
                continue;
            if (copied == kPagesPerPmd && copy_huge_pmd(k, parent, src, dst, p))
                continue;
            if (copied != kPagesPerPmd)
                split_huge_pmd(k, src, p);
        }
        uint32_t end = std::min(v.npages, base + kPagesPerPmd);
        for (uint32_t i = base; i < end; ++i) {
            uint8_t bits = k.vma_page(src, i);
            if (!(bits & VMA_mapped) || (bits & (VMA_dontcopy | VMA_wipeonfork)))
                continue;
            Pte pte = k.pte(src, i);
            if (pte.is_none())
                continue;
            if (pte.is_present())
                copy_present_pte(k, parent, src, dst, i, pte);
            else
                copy_nonpresent_pte(k, src, dst, i, pte);
        }
    }
}

} // namespace

ProcessId fork_process(Kernel& k, ProcessId parent, std::string_view child_name) {
    auto scope = k.enter("dup_mmap");
    k.step("fork: create the child's mm and copy the parent's VMAs, and their page tables, one by one");
    ProcessId child = k.create_process(child_name);
    for (VmaId src : k.vmas_of(parent)) {
        const Vma v = k.vma(src);
        uint8_t any = 0;
        for (uint32_t i = 0; i < v.npages; ++i)
            any |= k.vma_page(src, i);
        if (!(any & VMA_mapped))
            continue;
        // VM_DONTCOPY ranges do not exist in the child; VM_WIPEONFORK ranges
        // exist (with the flag) but start empty.
        auto child_bits = [&](uint32_t i) {
            uint8_t bits = k.vma_page(src, i);
            return (bits & VMA_mapped) && !(bits & VMA_dontcopy) ? bits : uint8_t(0);
        };
        // The usual case, one protection over the whole VMA, is created with
        // it in one growth of the table instead of a change per page.
        uint8_t uniform = child_bits(0);
        for (uint32_t i = 1; i < v.npages && uniform != 0; ++i)
            if (child_bits(i) != uniform)
                uniform = 0;
        // anon_vma_fork() gives the child's VMA an anon_vma when the parent's
        // has one; a VM_WIPEONFORK VMA starts without (v6.2 dup_mmap).
        bool wipe_all = true;
        for (uint32_t i = 0; i < v.npages && wipe_all; ++i)
            wipe_all = !(child_bits(i) & VMA_mapped) || (child_bits(i) & VMA_wipeonfork);
        VmaId dst = k.create_vma(child, v.name, v.npages, v.hugepage, uniform, v.start, v.anon_vma,
                                 v.has_anon_vma && !wipe_all);
        bool dontcopy_all = uniform == 0;
        if (uniform == 0) {
            for (uint32_t i = 0; i < v.npages; ++i) {
                if (uint8_t bits = child_bits(i)) {
                    k.set_vma_page(dst, i, bits);
                    dontcopy_all = false;
                }
            }
        }
        // dup_mmap calls copy_page_range only for a VMA without
        // VM_WIPEONFORK (and with something to copy).
        if (dontcopy_all || wipe_all)
            continue;
        copy_page_range(k, parent, src, dst);
    }
    return child;
}

} // namespace mmt
