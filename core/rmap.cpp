#include "rmap.h"

#include "era_policy.h"
#include "kernel.h"

namespace mmt {

void anon_vma_prepare(Kernel& k, VmaId vma) {
    if (!k.vma(vma).has_anon_vma) [[unlikely]]
        k.set_vma_has_anon_vma(vma, true);
}

void page_add_new_anon_rmap(Kernel& k, Pfn page, VmaId vma, uint32_t index, bool compound) {
    auto scope = k.enter("page_add_new_anon_rmap");
    // The fault paths call anon_vma_prepare() before they allocate; a new
    // anonymous page always comes with its VMA's anon_vma.
    anon_vma_prepare(k, vma);
    uint32_t name = k.vma(vma).anon_vma;
    uint32_t n = compound ? kPagesPerPmd : 1;
    // A fresh page is exclusive (I.1): for a THP the head's bit stands for
    // the whole PMD mapping. A system page goes on the LRU (the per-CPU
    // pagevec is taken as drained); a device page never does. It is not
    // PG_dirty: a write marks the entry dirty, and the page learns of it when
    // the entry goes. One write of the flags word per page.
    uint32_t head_flags = PG_anon | PG_swapbacked | (k.page(page).test(PG_device_private) ? 0u : uint32_t(PG_lru));
    if (k.policy().has_anon_exclusive())
        head_flags |= PG_anon_exclusive;
    for (uint32_t i = 0; i < n; ++i) {
        Pfn p(page.value + i);
        k.set_page(p, PageField::flags, k.page(p).flags | (i == 0 ? head_flags : PG_anon | PG_swapbacked));
        k.set_page(p, PageField::anon_vma, name);
        k.set_page(p, PageField::index, index + i);
    }
    if (compound)
        k.folio_entire_mapcount_add(page, 1);
    else
        k.page_mapcount_add(page, 1);
    k.folio_in_flight_add(page, -1);
}

void page_add_anon_rmap(Kernel& k, Pfn page, bool compound, bool exclusive) {
    if (compound)
        k.folio_entire_mapcount_add(page, 1);
    else
        k.page_mapcount_add(page, 1);
    if (exclusive && k.policy().has_anon_exclusive())
        k.SetPageAnonExclusive(page);
}

void page_remove_rmap(Kernel& k, Pfn page, bool compound) {
    // PG_anon_exclusive is left as it is: stale once unmapped.
    if (compound)
        k.folio_entire_mapcount_add(page, -1);
    else
        k.page_mapcount_add(page, -1);
}

bool page_try_dup_anon_rmap(Kernel& k, Pfn page, bool compound, ProcessId parent) {
    // The era decides whether a possibly pinned page must be copied for the
    // child (era c: only pages still exclusive; era b: any; era a: never).
    if (!k.page(page).test(PG_device_private) && k.policy().fork_must_copy_for_dma(k, parent, page))
        return false;
    k.ClearPageAnonExclusive(page);
    if (compound)
        k.folio_entire_mapcount_add(page, 1);
    else
        k.page_mapcount_add(page, 1);
    return true;
}

bool page_try_share_anon_rmap(Kernel& k, Pfn page, const char* cleared) {
    if (!k.PageAnonExclusive(page))
        return true;
    if (!k.page(page).test(PG_device_private) && k.folio_maybe_dma_pinned(page))
        return false;
    if (cleared != nullptr)
        k.step(cleared);
    k.ClearPageAnonExclusive(page);
    return true;
}

void page_move_anon_rmap(Kernel& k, Pfn page, VmaId vma) {
    auto scope = k.enter("page_move_anon_rmap");
    k.step(k.policy().has_anon_exclusive()
               ? "the page is ours alone: point its mapping at this VMA's anon_vma and remember it as exclusive"
               : "the page is ours alone: point its mapping at this VMA's anon_vma, so rmap walks need not "
                 "search the VMAs of related processes");
    Pfn head = k.folio(page);
    k.set_page(head, PageField::anon_vma, k.vma(vma).anon_vma);
    if (k.policy().has_anon_exclusive())
        k.SetPageAnonExclusive(page);
}

std::vector<RmapEntry> rmap_walk(const Kernel& k, Pfn page, bool only_subpage) {
    std::vector<RmapEntry> out;
    Pfn head = k.folio(page);
    const Page& h = k.page(head);
    uint32_t n = only_subpage ? 1 : (1u << h.order);
    Pfn first = only_subpage ? page : head;
    bool scan_all = k.page(first).test(PG_ksm) || k.page(first).anon_vma == 0;
    for (uint32_t v = 0; v < k.vma_count(); ++v) {
        const Vma& vma = k.vma(VmaId(v));
        if (!k.process(vma.process).alive)
            continue;
        if (!scan_all && vma.anon_vma != k.page(first).anon_vma)
            continue;
        // This VMA's PMD mappings found so far: each of a THP's 512 subpages
        // leads to the same PMD, which is one mapping.
        const size_t vma_first = out.size();
        auto check = [&](uint32_t index, Pfn target) {
            if (index >= vma.npages)
                return;
            Pmd pmd = k.pmd(VmaId(v), index / kPagesPerPmd);
            if (pmd.is_trans_huge()) {
                if (pmd.head() == head && !only_subpage) {
                    uint32_t start = index - index % kPagesPerPmd;
                    for (size_t e = vma_first; e < out.size(); ++e)
                        if (out[e].pmd && out[e].index == start)
                            return;
                    out.push_back({VmaId(v), start, true});
                }
                return;
            }
            Pte pte = k.pte(VmaId(v), index);
            if ((pte.is_present() || pte.is_device_private_entry()) && pte.pfn() == target)
                out.push_back({VmaId(v), index, false});
        };
        if (scan_all) {
            for (uint32_t i = 0; i < vma.npages; ++i) {
                Pmd pmd = k.pmd(VmaId(v), i / kPagesPerPmd);
                if (pmd.is_trans_huge()) {
                    check(i, head);
                    i += kPagesPerPmd - 1 - i % kPagesPerPmd;
                    continue;
                }
                Pte pte = k.pte(VmaId(v), i);
                if ((pte.is_present() || pte.is_device_private_entry()) && k.folio(pte.pfn()) == head &&
                    (!only_subpage || pte.pfn() == page))
                    out.push_back({VmaId(v), i, false});
            }
        } else {
            for (uint32_t i = 0; i < n; ++i)
                check(k.page(Pfn(first.value + i)).index, Pfn(first.value + i));
        }
    }
    return out;
}

} // namespace mmt
