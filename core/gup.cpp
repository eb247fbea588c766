#include "gup.h"

#include "era_policy.h"
#include "fault.h"
#include "kernel.h"
#include "memory.h"

namespace mmt {

void try_grab_page(Kernel& k, Pfn page, bool pin, bool fast) {
    if (fast && pin && !k.folio_test_large(page) && k.policy().gup_fast_grabs_one_then_bias()) {
        k.folio_ref_add(page, 1);
        k.folio_ref_add(page, kGupPinCountingBias - 1);
    } else if (!pin) {
        k.folio_ref_add(page, 1);
    } else if (k.folio_test_large(page)) {
        // Large folios count pins exactly in compound_pincount (v5.7:
        // hpage_pinned_refcount).
        k.folio_ref_add(page, 1);
        k.folio_pincount_add(page, 1);
    } else {
        k.folio_ref_add(page, kGupPinCountingBias);
    }
}

void gup_put_folio(Kernel& k, Pfn page, bool pin) {
    if (pin && k.folio_test_large(page)) {
        k.folio_pincount_add(page, -1);
        k.folio_put(page);
    } else if (pin && k.policy().unpin_puts_bias_minus_one_then_one()) {
        // v5.14..v5.17 put_compound_head -> put_page_refs: 1023, then put_page.
        k.folio_ref_add(page, -(kGupPinCountingBias - 1));
        k.folio_put(page);
    } else if (pin) {
        // One subtraction of the whole bias (v5.7 unpin_user_page, v6.2
        // gup_put_folio -> folio_put_refs).
        k.folio_put_refs(page, kGupPinCountingBias);
    } else {
        k.folio_put(page);
    }
}

namespace {

struct Entry {
    bool present = false;
    bool writable = false;
    bool huge = false;  // a PMD maps it
    bool protnone = false;  // present, but PROT_NONE: no walk takes it
    Pfn page;
};

Entry read_entry(const Kernel& k, const Address& a) {
    Entry e;
    Pmd pmd = k.pmd(a.vma, a.index / kPagesPerPmd);
    if (pmd.is_trans_huge() || pmd.is_huge_zero()) {
        if (pmd.has(Pte::protnone)) {
            e.protnone = true;
            return e;
        }
        e.present = true;
        e.huge = true;
        e.writable = pmd.is_trans_huge() && pmd.has(Pte::write);
        e.page = Pfn(pmd.head().value + a.index % kPagesPerPmd);
        return e;
    }
    Pte pte = k.pte(a.vma, a.index);
    e.protnone = pte.is_present() && pte.has(Pte::protnone);
    if (pte.is_present() && !pte.has(Pte::protnone)) {
        e.present = true;
        e.writable = pte.has(Pte::write);
        e.page = pte.pfn();
    }
    return e;
}

// The page whose PG_anon_exclusive stands for this mapping: the head for a
// PMD-mapped THP, the subpage otherwise.
Pfn exclusivity_page(const Kernel& k, const Address& a, Pfn page) {
    Pmd pmd = k.pmd(a.vma, a.index / kPagesPerPmd);
    return pmd.is_trans_huge() ? pmd.head() : page;
}

HolderId record_holder(Kernel& k, const Address& a, GupFlags flags, std::string_view name, Pfn page) {
    Holder h;
    h.name = k.strings().intern(name);
    h.kind = flags.pin ? HolderKind::pin : HolderKind::get;
    h.write = flags.write;
    h.longterm = flags.longterm;
    h.fast = flags.fast;
    h.pfn = page;
    h.process = a.process;
    h.vma = a.vma;
    h.index = a.index;
    return k.create_holder(h);
}

// gup_pte_range()/gup_huge_pmd(): lockless, never faults. Returns false to
// fall back to the slow path.
bool gup_fast(Kernel& k, const Address& a, GupFlags flags, Pfn* out) {
    auto scope = k.enter(k.policy().name_of(EraPolicy::Function::gup_fast));
    if (flags.pin && (k.process(a.process).write_protect_seq & 1)) {
        k.step("write_protect_seq is odd: fork is copying page tables; GUP-fast gives up");
        return false;
    }
    Entry e = read_entry(k, a);
    if (!e.present) {
        k.step(e.protnone ? "GUP-fast reads the entry: PROT_NONE, which a lockless walk never takes; fall back to "
                            "the slow path"
                          : "GUP-fast reads the entry: not present; fall back to the slow path, which can fault");
        return false;
    }
    if (flags.write && !e.writable) {
        k.step("GUP-fast: FOLL_WRITE but the entry is not writable; fall back to the slow path");
        return false;
    }
    // pte_special: the small zero page. gup_huge_pmd has no such test, so a
    // huge zero PMD is grabbed like a THP (and gup_must_unshare may undo it).
    if (k.is_zero_pfn(e.page) && !e.huge) {
        k.step("GUP-fast: a special mapping (the zero page); fall back to the slow path");
        return false;
    }
    if (!flags.pin)
        k.step(k.policy().has_anon_exclusive()
                   ? "GUP-fast read the entry; take a reference (try_grab_folio), then re-read the entry to be sure "
                     "it did not change under us"
                   : "GUP-fast read the entry; take a reference (try_grab_compound_head), then re-read the entry to "
                     "be sure it did not change under us");
    else
        k.step(k.policy().has_anon_exclusive()
                   ? "GUP-fast read the entry; take a pin (try_grab_folio: a 4 KiB page's refcount rises by "
                     "GUP_PIN_COUNTING_BIAS, 1 first and the rest after; a THP's by 1, its pin count by 1), then "
                     "re-read the entry to be sure it did not change under us"
                   : "GUP-fast read the entry; take a pin (try_grab_compound_head: a 4 KiB page's refcount rises by "
                     "GUP_PIN_COUNTING_BIAS; a THP's by 1, its pin count by 1), then re-read the entry to be sure it "
                     "did not change under us");
    try_grab_page(k, e.page, flags.pin, true);
    if (!e.writable && k.policy().gup_must_unshare(k, flags.pin, flags.longterm, exclusivity_page(k, a, e.page))) {
        k.step("the entry is read-only and the page may be shared (gup_must_unshare): undo the pin and let the "
               "slow path unshare");
        gup_put_folio(k, e.page, flags.pin);
        return false;
    }
    *out = e.page;
    return true;
}

Outcome gup_slow(Kernel& k, const Address& a, GupFlags flags, Pfn* out) {
    auto scope = k.enter("__get_user_pages");
    for (int attempt = 0; attempt < 8; ++attempt) {
        Entry e = read_entry(k, a);
        FaultKind fault = FaultKind::read;
        bool need_fault = false;
        if (!e.present) {
            k.step(flags.write ? "follow_page_mask finds no present entry: fault it in for writing"
                               : "follow_page_mask finds no present entry: fault it in");
            fault = flags.write ? FaultKind::write : FaultKind::read;
            need_fault = true;
        } else if (flags.write && !e.writable) {
            k.step("FOLL_WRITE but the entry is read-only: take a write fault (breaks COW if needed)");
            fault = FaultKind::write;
            need_fault = true;
        } else if (!e.writable &&
                   k.policy().gup_must_unshare(k, flags.pin, flags.longterm, exclusivity_page(k, a, e.page))) {
            k.step("a read-only pin of a page that may be shared: trigger an unshare fault "
                   "(FAULT_FLAG_UNSHARE) so that the pinned page is exclusive");
            fault = FaultKind::unshare;
            need_fault = true;
        }
        if (need_fault) {
            auto faultin = k.enter("faultin_page");
            Outcome o = handle_mm_fault(k, a, fault);
            if (!o.ok())
                return Outcome::fail(reason::efault);
            continue;
        }
        {
        auto grab = k.enter("try_grab_page");
        if (flags.pin)
            k.step(!k.folio_test_large(e.page)
                       ? "FOLL_PIN on an order-0 page: refcount + GUP_PIN_COUNTING_BIAS (1024)"
                   : k.policy().pincount_is_hpage_pinned_refcount()
                       ? "FOLL_PIN on a compound page: refcount +1 and hpage_pinned_refcount +1"
                       : "FOLL_PIN on a large folio: refcount +1 and compound_pincount +1");
        else
            k.step("FOLL_GET: refcount +1 (an ordinary reference, invisible as a pin)");
        try_grab_page(k, e.page, flags.pin);
        }
        if (flags.write) {
            // FOLL_TOUCH with FOLL_WRITE: a PMD is made young and dirty
            // (touch_pmd); behind a PTE the page is dirtied, unless the PTE or
            // the page says so already (follow_page_pte).
            const uint32_t pmd_index = a.index / kPagesPerPmd;
            const Pmd pmd = k.pmd(a.vma, pmd_index);
            if (e.huge) {
                if (pmd.is_trans_huge() && pmd.with(Pte::young | Pte::dirty) != pmd) {
                    k.step("FOLL_TOUCH on a write GUP: the PMD is made young and dirty (touch_pmd)");
                    k.set_pmd(a.vma, pmd_index, pmd.with(Pte::young | Pte::dirty));
                }
            } else if (!k.pte(a.vma, a.index).has(Pte::dirty) && !k.page(k.folio(e.page)).test(PG_dirty)) {
                k.step("FOLL_TOUCH on a write GUP: the PTE is not dirty, so the page is marked dirty "
                       "(set_page_dirty), as the holder may write to it");
                k.set_page_flag(k.folio(e.page), PG_dirty, true);
            }
        }
        *out = e.page;
        return Outcome::success();
    }
    return Outcome::fail(reason::efault);
}

} // namespace

Outcome refuse_vma_access(Kernel& k, const Address& a, bool write) {
    // No FOLL_FORCE here. GUP-fast does not look at VMAs: a PROT_NONE or
    // missing entry makes it fall back to the slow path, which refuses the
    // address here.
    if (!(k.vma_page(a.vma, a.index) & VMA_mapped)) {
        k.step("find_extend_vma: no VMA covers the address: -EFAULT");
        return Outcome::fail(reason::efault);
    }
    if (!vma_allows(k, a, write)) {
        k.step("check_vma_flags: the VMA does not allow this access: -EFAULT");
        return Outcome::fail(reason::efault);
    }
    return Outcome::success();
}

Outcome get_user_pages(Kernel& k, const Address& a, GupFlags flags, std::string_view name, HolderId* holder) {
    auto scope = k.enter(flags.pin ? (flags.fast ? "pin_user_pages_fast" : "pin_user_pages")
                                   : (flags.fast ? "get_user_pages_fast" : "get_user_pages"));
    // The flag is set on entry, before any VMA is looked at: a pin that then
    // fails leaves it set too.
    if (flags.pin && k.policy().has_mmf_has_pinned() && !k.process(a.process).has_pinned) {
        k.step("first FOLL_PIN in this mm: set MMF_HAS_PINNED (it stays set)");
        k.set_process(a.process, ProcessField::has_pinned, 1);
    }
    // GUP-fast walks the page tables without looking at VMAs; only the slow
    // path (find_extend_vma, check_vma_flags) may refuse the address.
    Pfn page;
    if (flags.fast && gup_fast(k, a, flags, &page)) {
        k.step(flags.pin ? "the pin is taken: the holder now sees this physical page"
                         : "the reference is taken: the holder now sees this physical page");
        *holder = record_holder(k, a, flags, name, page);
        return Outcome::success();
    }
    return gup_fast_fallback(k, a, flags, name, holder);
}

Outcome gup_fast_fallback(Kernel& k, const Address& a, GupFlags flags, std::string_view name, HolderId* holder) {
    if (Outcome refused = refuse_vma_access(k, a, flags.write); !refused.ok())
        return refused;
    Pfn page;
    if (Outcome o = gup_slow(k, a, flags, &page); !o.ok())
        return o;
    k.step(flags.pin ? "the pin is taken: the holder now sees this physical page"
                     : "the reference is taken: the holder now sees this physical page");
    flags.fast = false;  // "fast" records how the reference was really taken
    *holder = record_holder(k, a, flags, name, page);
    return Outcome::success();
}

Outcome release_holder(Kernel& k, HolderId id) {
    const Holder h = k.holder(id);
    auto scope = k.enter(h.kind == HolderKind::pin ? "unpin_user_page" : "put_page");
    if (h.released) {
        k.step("this reference was already released");
        return Outcome::fail(reason::released);
    }
    k.step(h.kind != HolderKind::pin ? "put_page: drop the reference"
           : !k.folio_test_large(h.pfn)  ? "unpin: drop the pin's share of the refcount"
           : k.policy().pincount_is_hpage_pinned_refcount()
               ? "unpin: drop the pin's share of the refcount and of hpage_pinned_refcount"
               : "unpin: drop the pin's share of the refcount and of compound_pincount");
    k.set_holder(id, HolderField::released, 1);
    gup_put_folio(k, h.pfn, h.kind == HolderKind::pin);
    return Outcome::success();
}

Outcome holder_read(Kernel& k, HolderId id, uint32_t* contents) {
    const Holder& h = k.holder(id);
    auto scope = k.enter("dma read");
    if (h.released) {
        k.step("this reference was released: nothing to read through");
        return Outcome::fail(reason::released);
    }
    k.step("the holder reads the physical page it holds, whatever the process maps now");
    *contents = k.page(h.pfn).contents;
    return Outcome::success();
}

Outcome holder_write(Kernel& k, HolderId id, uint32_t contents) {
    const Holder h = k.holder(id);
    auto scope = k.enter("dma write");
    if (h.released) {
        k.step("this reference was released: nothing to write through");
        return Outcome::fail(reason::released);
    }
    // A reference taken without FOLL_WRITE lets the device read the page,
    // never write it: a read-only pin may even hold the shared zero page,
    // and a store through it would change what every zero mapping reads.
    if (!h.write) {
        k.step("this reference was taken without FOLL_WRITE: the device may only read through it");
        return Outcome::fail(reason::read_only_reference);
    }
    k.step("the holder writes into the physical page it holds (the model marks the page dirty now; the kernel "
           "does when the holder lets it go, unpin_user_pages_dirty_lock)");
    k.set_page(h.pfn, PageField::contents, contents);
    k.set_page_flag(k.folio(h.pfn), PG_dirty, true);
    return Outcome::success();
}

} // namespace mmt
