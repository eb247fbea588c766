#include "fault.h"

#include "era_policy.h"
#include "huge_memory.h"
#include "kernel.h"
#include "memory.h"
#include "migrate_device.h"
#include "rmap.h"
#include "swap.h"

namespace mmt {

Pfn mapped_page(const Kernel& k, const Address& a) {
    Pmd pmd = k.pmd(a.vma, a.index / kPagesPerPmd);
    if (pmd.is_trans_huge() || pmd.is_huge_zero())
        return Pfn(pmd.head().value + a.index % kPagesPerPmd);
    Pte pte = k.pte(a.vma, a.index);
    return pte.is_present() ? pte.pfn() : Pfn();
}

bool access_permitted(const Kernel& k, const Address& a, bool write) {
    Pmd pmd = k.pmd(a.vma, a.index / kPagesPerPmd);
    if (pmd.is_trans_huge())
        return !write || pmd.has(Pte::write);
    if (pmd.is_huge_zero())
        return !write;
    Pte pte = k.pte(a.vma, a.index);
    return pte.is_present() && !pte.has(Pte::protnone) && (!write || pte.has(Pte::write));
}

void do_anonymous_page(Kernel& k, const Address& a, FaultKind kind) {
    auto scope = k.enter("do_anonymous_page");
    // A THP-eligible VMA takes the fault on a PTE when an mprotect or madvise
    // of part of it split the kernel VMA inside the 2 MiB range: say where.
    const bool table = k.pmd(a.vma, a.index / kPagesPerPmd).is_none();
    const std::optional<uint32_t> split = table ? thp_range_split_at(k, a.vma, a.index) : std::nullopt;
    if (kind != FaultKind::write) {
        if (split)
            k.step("a read fault on an empty PTE maps the shared zero page read-only: no memory is allocated until "
                   "someone writes. No huge zero page: the VMA asked for huge pages, but mprotect, madvise or "
                   "munmap split it at page {0}, so the 2 MiB range around the address is not inside one VMA",
                   int32_t(*split));
        else
            k.step("a read fault on an empty PTE maps the shared zero page read-only: no memory is allocated "
                   "until someone writes");
        k.set_pte(a.vma, a.index, Pte::make_present(k.zero_pfn(), Pte::young));
        return;
    }
    // The kernel's order: the page table (pte_alloc), the VMA's anon_vma
    // (anon_vma_prepare), then the page.
    const bool first = !k.vma(a.vma).has_anon_vma;
    if (split)
        k.step(first ? "a write fault on an empty PTE: allocate the page table it lives in, give the VMA its "
                       "anon_vma (anon_vma_prepare: its first page), and allocate a zeroed page. A 4 KiB page: the "
                       "VMA asked for huge pages, but mprotect, madvise or munmap split it at page {0}, so the "
                       "2 MiB range around the address is not inside one VMA"
                     : "a write fault on an empty PTE: allocate the page table it lives in and a zeroed page. A 4 KiB "
                       "page: the VMA asked for huge pages, but mprotect, madvise or munmap split it at page {0}, so "
                       "the 2 MiB range around the address is not inside one VMA",
               int32_t(*split));
    else
        k.step(table && first ? "a write fault on an empty PTE: allocate the page table it lives in, give the VMA its "
                                "anon_vma (anon_vma_prepare: its first page), and allocate a zeroed page"
               : table        ? "a write fault on an empty PTE: allocate the page table it lives in and a zeroed page"
               : first        ? "a write fault on an empty PTE: give the VMA its anon_vma (anon_vma_prepare: its first "
                                "page) and allocate a zeroed page"
                              : "a write fault on an empty PTE: allocate a zeroed page");
    k.pte_alloc(a.vma, a.index);
    anon_vma_prepare(k, a.vma);
    Pfn page = k.alloc_page(0);
    k.step(k.policy().has_anon_exclusive()
               ? "the fresh page is mapped writable and dirty, and joins the LRU; page_add_new_anon_rmap marks it "
                 "anonymous and exclusive"
               : "the fresh page is mapped writable and dirty, and joins the LRU; page_add_new_anon_rmap marks it "
                 "anonymous");
    k.set_pte(a.vma, a.index, Pte::make_present(page, Pte::write | Pte::dirty | Pte::young | Pte::soft_dirty));
    page_add_new_anon_rmap(k, page, a.vma, a.index, false);
}

void wp_page_reuse(Kernel& k, const Address& a, FaultKind kind) {
    auto scope = k.enter("wp_page_reuse");
    Pte pte = k.pte(a.vma, a.index);
    if (kind == FaultKind::unshare) {
        k.step("unshare: the page is exclusive now, so GUP may pin it; the PTE stays read-only");
        return;
    }
    // Every era's reuse test rules out other mappings; only era b's
    // page_count test rules out GUP references too, so say no more.
    k.step("reuse the page in place: set the PTE writable and dirty; no other process maps this page");
    uint32_t bits = Pte::young | Pte::dirty | Pte::soft_dirty;
    if (k.vma_page(a.vma, a.index) & VMA_write)
        bits |= Pte::write;
    k.set_pte(a.vma, a.index, pte.with(bits));
}

void wp_page_copy(Kernel& k, const Address& a, FaultKind kind) {
    auto scope = k.enter("wp_page_copy");
    Pte old_pte = k.pte(a.vma, a.index);
    Pfn old = old_pte.pfn();
    bool from_zero = k.is_zero_pfn(old);
    if (from_zero)
        k.step(k.vma(a.vma).has_anon_vma
                   ? "the PTE maps the zero page: allocate a zeroed page instead of copying"
                   : "the PTE maps the zero page: give the VMA its anon_vma (anon_vma_prepare: its first page) and "
                     "allocate a zeroed page instead of copying");
    else
        k.step("copy: take a temporary reference on the old page and copy its contents into a new page");
    if (!from_zero) {
        k.folio_get_in_flight(old);
    }
    anon_vma_prepare(k, a.vma);
    Pfn page = k.alloc_page(from_zero ? 0 : k.page(old).contents);
    uint32_t bits = Pte::young;
    const uint8_t vma_bits = k.vma_page(a.vma, a.index);
    if (kind == FaultKind::write) {
        bits |= Pte::dirty | Pte::soft_dirty;
        const bool writable = vma_bits & VMA_write;
        if (writable)
            bits |= Pte::write;
        // Only KSM's break_ksm write-faults a VMA without VM_WRITE (v5.x):
        // maybe_mkwrite leaves the copy read-only there.
        k.step(!writable ? "map the new page dirty but read-only (maybe_mkwrite: the VMA has no VM_WRITE); "
                           "page_add_new_anon_rmap makes it a new anonymous page of this process; it joins the LRU"
               : k.policy().has_anon_exclusive()
                   ? "map the new page writable; page_add_new_anon_rmap makes it exclusive to this process; it "
                     "joins the LRU"
                   : "map the new page writable; page_add_new_anon_rmap makes it a new anonymous page of this "
                     "process; it joins the LRU");
    } else {
        bits |= old_pte.bits() & Pte::soft_dirty;
        k.step("unshare: map the new exclusive page read-only (the next write fault will simply reuse it)");
    }
    // mk_pte with the VMA's protection: only break_ksm faults a PROT_NONE
    // range, and its copy stays PROT_NONE.
    if (!(vma_bits & (VMA_read | VMA_write))) [[unlikely]]
        bits = (bits & ~uint32_t(Pte::write)) | Pte::protnone;
    k.set_pte(a.vma, a.index, Pte::make_present(page, bits));
    page_add_new_anon_rmap(k, page, a.vma, a.index, false);
    if (!from_zero) {
        k.step(k.policy().has_anon_exclusive()
                   ? "the old page loses this mapping and the mapping's reference (its PG_anon_exclusive, clear, "
                     "is left alone); then the temporary reference is dropped"
                   : "the old page loses this mapping and the mapping's reference; then the temporary reference "
                     "is dropped");
        page_remove_rmap(k, old, false);
        k.folio_ref_add(old, -1);
        k.folio_in_flight_add(old, -1);
        if (k.policy().cow_frees_swap_cache())
            free_swap_cache(k, old);
        k.folio_put(old);
    }
}

void do_wp_page(Kernel& k, const Address& a, FaultKind kind) {
    auto scope = k.enter("do_wp_page");
    Pte pte = k.pte(a.vma, a.index);
    Pfn page = pte.pfn();
    if (k.is_zero_pfn(page)) {
        wp_page_copy(k, a, kind);
        return;
    }
    if (k.PageAnon(page) && k.policy().do_wp_page_anon(k, page, kind == FaultKind::unshare) == WpDecision::reuse) {
        if (kind == FaultKind::unshare) {
            k.step("unshare: the page is exclusive now, so GUP may pin it; the PTE stays read-only");
            return;
        }
        wp_page_reuse(k, a, kind);
        return;
    }
    wp_page_copy(k, a, kind);
}

Outcome handle_mm_fault(Kernel& k, const Address& a, FaultKind kind) {
    auto scope = k.enter("handle_mm_fault");
    uint32_t pmd_index = a.index / kPagesPerPmd;
    Pmd pmd = k.pmd(a.vma, pmd_index);
    if (pmd.is_none() && thp_eligible(k, a.vma, a.index)) {
        do_huge_pmd_anonymous_page(k, a, kind == FaultKind::write);
        return Outcome::success();
    }
    if (pmd.is_huge_zero() || pmd.is_trans_huge()) {
        if (kind == FaultKind::read)
            return Outcome::success();
        if (pmd.is_trans_huge() && pmd.has(Pte::write))
            return Outcome::success();
        if (do_huge_pmd_wp_page(k, a, kind))
            return Outcome::success();
        // VM_FAULT_FALLBACK: the PMD was split; handle the fault on PTEs.
    }
    Pte pte = k.pte(a.vma, a.index);
    if (pte.is_none()) {
        do_anonymous_page(k, a, kind);
    } else if (pte.is_present()) {
        if (kind != FaultKind::read && !pte.has(Pte::write))
            do_wp_page(k, a, kind);
    } else if (pte.is_swap_entry()) {
        do_swap_page(k, a, kind);
    } else if (pte.is_device_private_entry()) {
        if (!do_swap_page_device_private(k, a))
            return Outcome::fail(reason::sigbus);
    } else {
        k.step("a migration entry: wait for the migration to finish, then retry (migration_entry_wait)");
    }
    return Outcome::success();
}

namespace {

// The CPU's side of an access: check the VMA, try the access, fault, retry.
Outcome user_access(Kernel& k, const Address& a, bool write, Pfn* page) {
    if (!vma_allows(k, a, write)) {
        auto scope = k.enter("do_user_addr_fault");
        bool mapped = (k.vma_page(a.vma, a.index) & VMA_mapped) != 0;
        k.step(!mapped ? "no VMA maps this address (bad_area): SIGSEGV"
               : write ? "the VMA does not allow writes (access_error): SIGSEGV"
                       : "the VMA does not allow reads (access_error): SIGSEGV");
        return Outcome::fail(reason::segv);
    }
    for (int attempt = 0; attempt < 8; ++attempt) {
        if (access_permitted(k, a, write)) {
            *page = mapped_page(k, a);
            return Outcome::success();
        }
        Outcome o = handle_mm_fault(k, a, write ? FaultKind::write : FaultKind::read);
        if (!o.ok())
            return o;
    }
    return Outcome::fail(reason::sigbus);
}

} // namespace

Outcome user_write(Kernel& k, const Address& a, uint32_t contents) {
    Pfn page;
    Outcome o = user_access(k, a, true, &page);
    if (!o.ok())
        return o;
    auto scope = k.enter("user store");
    // The MMU marks a writable entry dirty (and accessed) on the first store
    // through it; most are made dirty already, but not the PTEs a split PMD
    // leaves before v6.1 (split_huge_pmd gave the PMD's dirty bit only to
    // the page), nor those mprotect makes writable without a fault.
    Pmd pmd = k.pmd(a.vma, a.index / kPagesPerPmd);
    Pte pte = pmd.is_table() ? k.pte(a.vma, a.index) : Pte();
    // The store dirties the entry, not the page: PG_dirty comes later, when
    // an unmap moves the entry's dirty bit to the page (or add_to_swap).
    if (pte.is_present() && !pte.has(Pte::dirty)) {
        k.step("the CPU stores the data into the page through the writable PTE, and the MMU sets the PTE's "
               "dirty and accessed bits");
        k.set_pte(a.vma, a.index, pte.with(Pte::dirty | Pte::young));
    } else if (pmd.is_trans_huge() && !pmd.has(Pte::dirty)) {
        k.step("the CPU stores the data into the THP through the writable PMD, and the MMU sets the PMD's "
               "dirty and accessed bits");
        k.set_pmd(a.vma, a.index / kPagesPerPmd, pmd.with(Pte::dirty | Pte::young));
    } else {
        k.step("the CPU stores the data into the page through the writable entry");
    }
    k.set_page(page, PageField::contents, contents);
    return o;
}

Outcome user_read(Kernel& k, const Address& a, uint32_t* contents) {
    Pfn page;
    Outcome o = user_access(k, a, false, &page);
    if (!o.ok())
        return o;
    auto scope = k.enter("user load");
    k.step("the CPU loads from the page the entry maps");
    *contents = k.page(page).contents;
    return o;
}

} // namespace mmt
