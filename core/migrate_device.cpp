#include "migrate_device.h"

#include <vector>

#include "era_policy.h"
#include "huge_memory.h"
#include "kernel.h"
#include "migrate.h"
#include "rmap.h"

namespace mmt {

namespace {

// One element of the src[]/dst[] arrays.
struct MigratePfn {
    uint32_t index = 0;
    bool migrate = false;  // MIGRATE_PFN_MIGRATE
    bool write = false;    // MIGRATE_PFN_WRITE
    Pfn src;               // 0: a hole (none or zero page)
    Pfn dst;
};

enum class Select : uint8_t { system, device_private };

// migrate_vma_collect_pmd(), PTE part, for one present page or device entry.
void collect_page(Kernel& k, VmaId vma, uint32_t index, MigratePfn& m) {
    Pte pte = k.pte(vma, index);
    Pfn page = pte.pfn();
    k.step("get_page and trylock {P0}", page.value);
    k.folio_get_in_flight(page);
    k.set_page_flag(page, PG_locked, true);
    bool anon_exclusive = k.PageAnon(page) && k.PageAnonExclusive(page);
    bool writable = pte.is_present() ? pte.has(Pte::write) : pte.is_writable_device_private_entry();
    if (anon_exclusive) {
        if (pte.is_present())
            k.step("the page is exclusive: clear the PTE and flush the TLB now, then page_try_share_anon_rmap");
        else
            k.step("the device page is exclusive: page_try_share_anon_rmap (cannot fail: device pages cannot be "
                   "pinned)");
        k.set_pte(vma, index, Pte());
        if (!page_try_share_anon_rmap(k, page)) {
            k.step("page_try_share_anon_rmap fails: the page may be pinned; restore the PTE and skip it");
            k.set_pte(vma, index, pte);
            k.set_page_flag(page, PG_locked, false);
            k.folio_put_in_flight(page);
            return;
        }
    } else if (pte.is_present()) {
        k.step(k.policy().has_anon_exclusive()
                   ? "the page is not exclusive: clear the PTE (the TLB flush comes at the end of the walk)"
               : pte.has(Pte::dirty) && !k.policy().migrate_vma_collect_keeps_dirty()
                   ? "clear the PTE (ptep_get_and_clear; the TLB flush comes at the end of the walk); its dirty bit is "
                     "lost here, not passed to the page (fixed in v6.0)"
                   : "clear the PTE (ptep_get_and_clear; the TLB flush comes at the end of the walk)");
        k.set_pte(vma, index, Pte());
    }
    if (pte.is_present() && pte.has(Pte::dirty) && k.policy().migrate_vma_collect_keeps_dirty()) {
        const bool already = k.page(page).test(PG_dirty);
        if (k.policy().migration_entry_keeps_young_dirty())
            k.step(already ? "the cleared PTE was dirty: so is the page already (the migration entry keeps the bit "
                             "as well)"
                           : "the cleared PTE was dirty: mark the page dirty; the migration entry "
                             "keeps the bit as well");
        else
            k.step(already ? "the cleared PTE was dirty: so is the page already, which matters because the "
                             "migration entry will not carry the bit"
                           : "the cleared PTE was dirty: mark the page dirty, because the migration "
                             "entry will not carry the bit");
        k.set_page_flag(page, PG_dirty, true);
    }
    uint32_t bits = pte.is_present() ? migration_entry_bits(k, pte.bits()) : pte.bits() & Pte::soft_dirty;
    Pte entry;
    if (writable) {
        entry = Pte::make_writable_migration_entry(page, bits);
        k.step("install a writable migration entry (MIGRATE_PFN_WRITE); as in any unmap, the PTE's mapping and "
               "its reference go (the collect reference keeps the page)");
    } else if (anon_exclusive) {
        entry = Pte::make_readable_exclusive_migration_entry(page, bits);
        k.step("install a readable-exclusive migration entry: the page was exclusive; as in any unmap, the PTE's "
               "mapping and its reference go (the collect reference keeps the page)");
    } else {
        entry = Pte::make_readable_migration_entry(page, bits);
        k.step(k.policy().has_anon_exclusive()
                   ? "install a readable migration entry: possibly shared; as in any unmap, the PTE's mapping and "
                     "its reference go (the collect reference keeps the page)"
                   : "install a readable migration entry: the PTE was read-only; as in any unmap, the PTE's mapping "
                     "and its reference go (the collect reference keeps the page)");
    }
    k.set_pte(vma, index, entry);
    page_remove_rmap(k, page, false);
    k.folio_put(page);  // the mapping's reference; the collect reference keeps the page
    m.src = page;
    m.migrate = true;
    m.write = writable;
}

std::vector<MigratePfn> migrate_vma_collect(Kernel& k, VmaId vma, uint32_t first, uint32_t last, Select select) {
    auto scope = k.enter("migrate_vma_collect");
    std::vector<MigratePfn> out;
    for (uint32_t p = first / kPagesPerPmd; p <= last / kPagesPerPmd; ++p) {
        Pmd pmd = k.pmd(vma, p);
        auto pmd_scope = k.enter("migrate_vma_collect_pmd");
        if (pmd.is_huge_zero()) {
            k.step("the huge zero page: split the PMD and treat the zero PTEs as holes");
            split_huge_pmd(k, vma, p);
        } else if (pmd.is_trans_huge()) {
            Pfn head = pmd.head();
            k.step("a PMD-mapped THP: get_page and trylock it, split it into 4 KiB pages (split_huge_page), then "
                   "unlock and put it");
            if (!split_huge_page_held(k, head)) {
                k.step("the THP cannot be split (a GUP reference or pin holds it): skip the whole 2 MiB range");
                uint32_t lo = std::max(first, p * kPagesPerPmd), hi = std::min(last, p * kPagesPerPmd + 511);
                for (uint32_t i = lo; i <= hi; ++i) {
                    MigratePfn hole;
                    hole.index = i;
                    out.push_back(hole);
                }
                continue;
            }
        }
        uint32_t lo = std::max(first, p * kPagesPerPmd), hi = std::min(last, p * kPagesPerPmd + 511);
        for (uint32_t i = lo; i <= hi; ++i) {
            MigratePfn m;
            m.index = i;
            Pte pte = k.pte(vma, i);
            if (!(k.vma_page(vma, i) & VMA_mapped)) {
                // outside the VMA: migrate_vma_setup rejects such ranges
            } else if (select == Select::system && (pte.is_none() ||
                                                    (pte.is_present() && k.is_zero_pfn(pte.pfn())))) {
                k.step("a hole (or the zero page) at index {0}: the driver may fill it with a new page", i);
                m.migrate = true;
            } else if (select == Select::system && pte.is_present()) {
                if (k.folio_test_large(pte.pfn()))
                    k.step("a PTE-mapped THP subpage (still compound): skipped");
                else
                    collect_page(k, vma, i, m);
            } else if (select == Select::device_private && pte.is_device_private_entry()) {
                collect_page(k, vma, i, m);
            } else {
                k.step(pte.is_swap_entry() ? "a swap entry: swapped-out pages are not migrated"
                       : pte.is_device_private_entry() ? "already device-private: not selected"
                                                      : "not a page this migration selects: skipped");
            }
            out.push_back(m);
        }
    }
    return out;
}

void restore_one(Kernel& k, MigratePfn& m) {
    remove_migration_ptes(k, m.src, m.src);
    k.set_page_flag(m.src, PG_locked, false);
    if (!k.page(m.src).test(PG_device_private))
        k.set_page_flag(m.src, PG_lru, true);
    k.folio_put_in_flight(m.src);
    m.migrate = false;
    m.src = Pfn();
}

// migrate_vma_check_page(): no references beyond ours and the mappings. A
// swap cache page has a page_mapping(), whose reference is one more
// (page_has_private() is false: the entry is in page->private, but PG_private
// is not set). fault_page: the device page a CPU fault holds a reference on.
bool migrate_vma_check_page(const Kernel& k, Pfn page, Pfn fault_page) {
    int32_t extra = 1 + (k.page(page).test(PG_device_private) ? 1 : 0) + (page == fault_page ? 1 : 0) +
                    (k.page(page).test(PG_swapcache) ? 1 : 0);
    return k.page_count(page) - extra <= k.folio_mapcount(page);
}

void isolate_collected(Kernel& k, const MigratePfn& m) {
    if (k.page(m.src).test(PG_device_private))
        return;  // ZONE_DEVICE pages are not on the LRU
    k.step("isolate {P0} from the LRU: the collect reference becomes the isolation reference", m.src.value);
    k.set_page_flag(m.src, PG_lru, false);
}

// fault_page: the device page a CPU fault holds a reference on (0: none).
void migrate_vma_unmap(Kernel& k, std::vector<MigratePfn>& pfns, Pfn fault_page = Pfn()) {
    const bool prepare = k.policy().has_migrate_vma_prepare();
    if (prepare) {
        // v5.7: migrate_vma_prepare() isolates and checks each page before
        // any other mapping of it is touched.
        auto scope = k.enter("migrate_vma_prepare");
        for (MigratePfn& m : pfns) {
            if (!m.migrate || m.src.value == 0)
                continue;
            isolate_collected(k, m);
            if (!migrate_vma_check_page(k, m.src, fault_page)) {
                k.step("migrate_vma_check_page: {P0} has unexpected references (refcount {1}): restore its "
                       "entry, it stays",
                       m.src.value, k.page_count(m.src));
                restore_one(k, m);
            }
        }
    }
    auto scope = k.enter("migrate_vma_unmap");
    for (MigratePfn& m : pfns) {
        if (!m.migrate || m.src.value == 0)
            continue;
        if (!prepare)
            isolate_collected(k, m);
        if (k.folio_mapcount(m.src) > 0) {
            k.step("{P0} is still mapped elsewhere (shared after fork, or a KSM page): unmap those mappings to "
                   "migration entries too",
                   m.src.value);
            (void)try_to_migrate(k, m.src);
        }
        bool still_mapped = k.folio_mapcount(m.src) > 0;
        if (still_mapped || !migrate_vma_check_page(k, m.src, fault_page)) {
            k.step(still_mapped ? "{P0} is still mapped: restore its entries, it stays in system memory"
                                : "migrate_vma_check_page: {P0} has unexpected references (refcount {1}): "
                                  "restore its entries, it stays",
                   m.src.value, k.page_count(m.src));
            restore_one(k, m);
        }
    }
}

} // namespace

namespace {

// One migrate_vma_setup / pages / finalize round over pages of one VMA.
Outcome migrate_vma_range(Kernel& k, ProcessId process, VmaId vma, uint32_t first, uint32_t last) {
    std::vector<MigratePfn> pfns;
    {
        auto setup = k.enter("migrate_vma_setup");
        k.step(k.policy().has_migrate_vma_select_flags()
                   ? "migrate_vma_setup with MIGRATE_VMA_SELECT_SYSTEM: collect the range's pages, then unmap them"
                   : "migrate_vma_setup with no src_owner (system pages): collect the range's pages, then unmap "
                     "them (the driver shown is v5.8's test_hmm, standing in for a v5.7 device driver)");
        pfns = migrate_vma_collect(k, vma, first, last, Select::system);
        migrate_vma_unmap(k, pfns);
    }
    {
        auto driver = k.enter("dmirror_migrate_alloc_and_copy");
        for (MigratePfn& m : pfns) {
            if (!m.migrate)
                continue;
            if (k.policy().zone_device_page_has_extra_ref())
                k.step(m.src.value ? "the driver takes a free device page (refcount 1: ZONE_DEVICE keeps one "
                                     "of its own) with get_page (2), locks it and copies {P0} into it"
                                   : "the driver takes a free device page (refcount 1: ZONE_DEVICE keeps one "
                                     "of its own) with get_page (2) for the hole at index {1}; it is zeroed",
                       m.src.value, m.index);
            else
                k.step(m.src.value ? "the driver allocates a device page, locks it and copies {P0} into it"
                                   : "the driver allocates a zeroed device page for the hole at index {1}",
                       m.src.value, m.index);
            m.dst = k.alloc_device_private_page();
            k.set_page_flag(m.dst, PG_locked, true);
            if (m.src.value)
                k.set_page(m.dst, PageField::contents, k.page(m.src).contents);
        }
    }
    {
        auto pages = k.enter("migrate_vma_pages");
        for (MigratePfn& m : pfns) {
            if (!m.migrate)
                continue;
            if (m.src.value == 0) {
                auto insert = k.enter("migrate_vma_insert_page");
                Pte pte = k.pte(vma, m.index);
                if (!pte.is_none() && !(pte.is_present() && k.is_zero_pfn(pte.pfn()))) {
                    k.step("the hole was filled meanwhile: abort this page");
                    m.migrate = false;
                    continue;
                }
                const bool no_table = k.pmd(vma, m.index / kPagesPerPmd).is_none();
                if (no_table || !k.vma(vma).has_anon_vma) {
                    k.step(no_table && !k.vma(vma).has_anon_vma
                               ? "first the hole's page table (pte_alloc) and the VMA's anon_vma (anon_vma_prepare)"
                           : no_table ? "first the hole's page table (pte_alloc)"
                                      : "first the VMA's anon_vma (anon_vma_prepare)");
                    anon_vma_prepare(k, vma);
                    k.pte_alloc(vma, m.index);
                }
                bool writable = k.vma_page(vma, m.index) & VMA_write;
                if (k.policy().has_anon_exclusive())
                    k.step(writable ? "map the new device page with a writable device-private entry; "
                                      "page_add_new_anon_rmap makes it exclusive"
                                    : "map the new device page with a readable device-private entry; "
                                      "page_add_new_anon_rmap makes it exclusive");
                else
                    k.step(writable ? "map the new device page with a writable device-private entry; "
                                      "page_add_new_anon_rmap makes it anonymous"
                                    : "map the new device page with a readable device-private entry; "
                                      "page_add_new_anon_rmap makes it anonymous");
                k.folio_get_in_flight(m.dst);
                k.set_pte(vma, m.index, writable ? Pte::make_writable_device_private_entry(m.dst, 0)
                                                 : Pte::make_readable_device_private_entry(m.dst, 0));
                page_add_new_anon_rmap(k, m.dst, vma, m.index, false);
                continue;
            }
            if (k.page(m.src).test(PG_swapcache)) {
                k.step("{P0} has a mapping (it is in the swap cache): only anonymous memory without one moves "
                       "to device-private memory, so it stays",
                       m.src.value);
                m.migrate = false;
                continue;
            }
            if (!folio_migrate_mapping(k, m.src, m.dst, 1)) {
                m.migrate = false;
                continue;
            }
            folio_migrate_flags(k, m.src, m.dst);
            k.set_page_flag(m.dst, PG_lru, false);
        }
    }
    {
        auto finalize = k.enter("migrate_vma_finalize");
        for (MigratePfn& m : pfns) {
            if (m.src.value == 0) {
                if (m.dst.value) {
                    k.step("unlock the new device page and drop the driver's allocation reference");
                    k.set_page_flag(m.dst, PG_locked, false);
                    k.folio_put_in_flight(m.dst);
                }
                continue;
            }
            Pfn target = m.src;
            if (m.migrate && m.dst.value) {
                target = m.dst;
            } else if (m.dst.value) {
                k.step("{P0} did not migrate: free the device page the driver allocated", m.src.value);
                k.set_page_flag(m.dst, PG_locked, false);
                k.folio_put_in_flight(m.dst);
            }
            remove_migration_ptes(k, m.src, target);
            k.step(target == m.src ? "unlock {P0} and put it back on the LRU"
                                   : "unlock {P0} and drop the isolation reference: it is freed",
                   m.src.value);
            k.set_page_flag(m.src, PG_locked, false);
            if (target == m.src)
                k.set_page_flag(m.src, PG_lru, true);
            k.folio_put_in_flight(m.src);
            if (target != m.src) {
                k.step("then {P0}, the new page: unlock it and drop the driver's allocation reference; its "
                       "mapping holds it now",
                       target.value);
                k.set_page_flag(target, PG_locked, false);
                k.folio_put_in_flight(target);
            }
        }
    }
    (void)process;
    return Outcome::success();
}

} // namespace

// The test driver (lib/test_hmm.c, dmirror_migrate_to_device; dmirror_migrate
// before v6.0) walks the
// range VMA by VMA (here: runs of pages with the same attributes): a hole or
// a VMA without VM_READ ends the walk with -EINVAL, after the pieces before
// it have migrated (hmm-tests.c "migrate_mixed").
Outcome migrate_vma_to_device(Kernel& k, ProcessId process, VmaId vma, uint32_t first, uint32_t last) {
    auto scope = k.enter(k.policy().name_of(EraPolicy::Function::dmirror_migrate_to_device));
    for (uint32_t i = first; i <= last;) {
        uint8_t bits = k.vma_page(vma, i);
        uint32_t run_last = i;
        while (run_last < last && k.vma_page(vma, run_last + 1) == bits)
            ++run_last;
        if (!(bits & VMA_mapped) || !(bits & VMA_read)) {
            const bool find_vma =
                k.policy().names(EraPolicy::Function::vma_lookup, "find_vma");
            k.step(!(bits & VMA_mapped) ? (find_vma ? "no VMA at index {0} (find_vma finds none there): the driver "
                                                      "stops with -EINVAL"
                                                    : "no VMA at index {0} (vma_lookup fails): the driver stops "
                                                      "with -EINVAL")
                                        : "the VMA at index {0} is not readable (no VM_READ): the driver stops "
                                          "with -EINVAL",
                   i);
            return Outcome::fail(reason::einval);
        }
        Outcome o = migrate_vma_range(k, process, vma, i, run_last);
        if (!o.ok())
            return o;
        i = run_last + 1;
    }
    return Outcome::success();
}

namespace {

// The driver's migrate_to_ram (lib/test_hmm.c dmirror_devmem_fault), for the
// one page the CPU touched. fault_page: the page do_swap_page holds a
// reference on, which migrate_vma_setup and migrate_vma_pages then expect.
bool migrate_to_ram(Kernel& k, const Address& a, Pfn fault_page) {
    auto scope = k.enter("dmirror_devmem_fault");
    std::vector<MigratePfn> pfns;
    {
        auto setup = k.enter("migrate_vma_setup");
        k.step(k.policy().has_migrate_vma_select_flags()
                   ? "a CPU access to a device-private entry: the driver migrates that page back to system memory "
                     "(MIGRATE_VMA_SELECT_DEVICE_PRIVATE)"
                   : "a CPU access to a device-private entry: the driver migrates that page back to system memory "
                     "(src_owner: the driver's own device pages)");
        pfns = migrate_vma_collect(k, a.vma, a.index, a.index, Select::device_private);
        migrate_vma_unmap(k, pfns, fault_page);
    }
    MigratePfn& m = pfns.front();
    if (!m.migrate)
        return false;
    {
        auto driver = k.enter("dmirror_devmem_fault_alloc_and_copy");
        k.step("allocate a system page, lock it and copy the device page into it");
        m.dst = k.alloc_page(k.page(m.src).contents);
        k.set_page_flag(m.dst, PG_locked, true);
    }
    {
        auto pages = k.enter("migrate_vma_pages");
        // migrate_folio_extra() counts the fault's reference in (v6.1).
        if (!folio_migrate_mapping(k, m.src, m.dst, m.src == fault_page ? 2 : 1))
            m.migrate = false;
        else
            folio_migrate_flags(k, m.src, m.dst);
    }
    auto finalize = k.enter("migrate_vma_finalize");
    Pfn target = m.migrate ? m.dst : m.src;
    remove_migration_ptes(k, m.src, target);
    k.step("unlock and put the device page; unlock the system page and put it on the LRU");
    k.set_page_flag(m.src, PG_locked, false);
    if (target != m.src) {
        k.set_page_flag(m.dst, PG_locked, false);
        k.set_page_flag(m.dst, PG_lru, true);
        k.folio_put_in_flight(m.dst);
    } else {
        k.set_page_flag(m.dst, PG_locked, false);
        k.folio_put_in_flight(m.dst);
    }
    k.folio_put_in_flight(m.src);
    return m.migrate;
}

} // namespace

bool do_swap_page_device_private(Kernel& k, const Address& a) {
    auto scope = k.enter("do_swap_page");
    Pfn page = k.pte(a.vma, a.index).pfn();
    const bool hold = k.policy().device_fault_holds_page_ref();
    if (hold) {
        k.step("a device-private entry: while the page table lock still shows it mapped, do_swap_page takes its own "
               "reference on the device page, so the page outlives the driver's work; then it calls the driver's "
               "migrate_to_ram");
        k.folio_get_in_flight(page);
    } else {
        k.step("a device-private entry: call the driver's migrate_to_ram with the device page (no reference is "
               "taken on it first)");
    }
    bool migrated = migrate_to_ram(k, a, hold ? page : Pfn());
    if (hold) {
        k.step("back from migrate_to_ram: drop the reference taken for the fault");
        k.folio_put_in_flight(page);
    }
    return migrated;
}

} // namespace mmt
