#include "race.h"

#include "era_policy.h"
#include "fault.h"
#include "fork.h"
#include "gup.h"
#include "invariants.h"
#include "kernel.h"
#include "memory.h"
#include "migrate.h"
#include "rmap.h"
#include "scenario.h"
#include "swap.h"

#include <set>

namespace mmt {

namespace {

constexpr const char* kLane[2] = {"cpu0", "cpu1"};

bool is_writer(const Command& c) {
    return c.kind == CommandKind::migrate || c.kind == CommandKind::swapout;
}
bool is_gup(const Command& c) {
    return c.kind == CommandKind::pin || c.kind == CommandKind::get;
}

// A sentence that outlives the run (CommandRecord::failure is a static string).
const char* lasting(const std::string& text) {
    static std::set<std::string> texts;
    return texts.insert(text).first->c_str();
}

uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xbf58476d1ce4e5b9ull;
}

// What GUP-fast reads at an address: a PMD that maps a THP, or the PTE.
struct Entry {
    uint64_t raw = 0;
    bool pmd = false;
    bool present = false;
    bool protnone = false;  // present but PROT_NONE: GUP-fast never takes it
    bool writable = false;
    Pfn page;
};

Entry decode(uint64_t raw, bool pmd, uint32_t index) {
    Entry e;
    e.raw = raw;
    e.pmd = pmd;
    if (pmd) {
        Pmd p = Pmd::from_raw(raw);
        e.protnone = (p.is_trans_huge() || p.is_huge_zero()) && p.has(Pte::protnone);
        e.present = (p.is_trans_huge() || p.is_huge_zero()) && !e.protnone;
        e.writable = p.is_trans_huge() && p.has(Pte::write);
        e.page = Pfn(p.head().value + index % kPagesPerPmd);
        return e;
    }
    Pte p = Pte::from_raw(raw);
    e.protnone = p.is_present() && p.has(Pte::protnone);
    e.present = p.is_present() && !p.has(Pte::protnone);
    e.writable = p.is_present() && p.has(Pte::write);
    e.page = p.is_present() ? p.pfn() : Pfn();
    return e;
}

// Coherence is checked when a command ends; inside a race block every atomic
// step ends in a state someone can observe, so it is checked after each, and
// a breach is reported once, at the step that caused it.
void check_coherence_now(Kernel& k) {
    if (!k.check_invariants() || k.steps().empty())
        return;
    k.finish_step();
    for (Violation& v : check_coherence(k)) {
        bool seen = false;
        for (const Violation& old : k.violations())
            seen = seen || (old.kind == v.kind && old.message == v.message);
        if (!seen) {
            v.step = static_cast<uint32_t>(k.steps().size() - 1);
            k.add_violation(std::move(v));
        }
    }
}

Entry read_entry(const Kernel& k, const Address& a) {
    Pmd pmd = k.pmd(a.vma, a.index / kPagesPerPmd);
    if (pmd.is_trans_huge() || pmd.is_huge_zero())
        return decode(pmd.raw(), true, a.index);
    return decode(k.pte(a.vma, a.index).raw(), false, a.index);
}

} // namespace

Race::Race(Kernel& k, const RaceBlock& block) : k_(k), block_(block) {
    // Names get their string ids now, whatever order the steps run in, so
    // that equal states of two interleavings are equal in every field.
    for (const auto& commands : block.cpus)
        for (const Command& c : commands) {
            if (!c.handle.empty())
                k.strings().intern(c.handle);
            if (!c.other_process.empty())
                k.strings().intern(c.other_process);
        }
}

bool Race::done(int cpu) const {
    return cpus_[cpu].command >= block_.cpus[cpu].size();
}

const Command& Race::command(int cpu) const {
    return block_.cpus[cpu][cpus_[cpu].command];
}

Address Race::address(const Command& c) const {
    Address a;
    a.process = k_.find_process(c.process).value_or(ProcessId());
    if (auto vma = k_.find_vma(a.process, c.range.vma))
        a.vma = *vma;
    a.index = c.range.first;
    return a;
}

// Interrupts are off from B1 to the end of the walk (B5 or a back-off).
bool Race::in_gup_walk(int cpu) const {
    if (done(cpu) || !is_gup(command(cpu)))
        return false;
    RaceStep s = cpus_[cpu].next;
    return s == RaceStep::b2_write_check || s == RaceStep::b3_grab || s == RaceStep::b4_recheck ||
           s == RaceStep::b5_unshare_check;
}

// v6.1 (088b8aa537c2) orders GUP-fast against page_try_share_anon_rmap()
// with memory barriers, and with them lets reclaim batch the flush of an
// exclusive page's PTE: the one policy query says both.
bool Race::barriers_order_gup_fast(const EraPolicy& policy) {
    return policy.has_anon_exclusive() && policy.reclaim_may_defer_flush_of_exclusive();
}

// shrink_page_list calls try_to_unmap_flush_dirty() before pageout(): when A1
// cleared a dirty PTE and left its flush to the batch, the flush IPI must be
// acknowledged first, which a CPU inside GUP-fast cannot do. (The batch's
// last flush, before the freed pages go back, is not a step: after
// __remove_mapping froze the refcount GUP-fast can take no reference anyway.)
bool Race::pageout_waits_for_flush(int cpu) const {
    const RaceCpu& me = cpus_[cpu];
    return !done(cpu) && command(cpu).kind == CommandKind::swapout && me.next == RaceStep::s1_finish &&
           me.flush_batched && Pte::from_raw(me.cleared).has(Pte::dirty) && in_gup_walk(1 - cpu);
}

// try_to_migrate_one / try_to_unmap_one hold the page table lock from A1 to A4.
bool Race::holds_pt_lock(int cpu) const {
    if (done(cpu) || !is_writer(command(cpu)))
        return false;
    RaceStep s = cpus_[cpu].next;
    return s == RaceStep::a1_flush || s == RaceStep::a2_pin_check || s == RaceStep::a3_clear_exclusive ||
           s == RaceStep::a4_install_entry;
}

// From its first step to its last the writer holds the page lock (and, after
// A4, a migration entry or the swap cache page stands for the page).
bool Race::writer_busy(int cpu) const {
    return !done(cpu) && is_writer(command(cpu)) && cpus_[cpu].next != RaceStep::start;
}

// The step machine covers an order-0 anonymous page mapped by one PTE; any
// other page is unmapped by the whole command in one atomic step.
bool Race::unmaps_step_by_step(const Command& c) const {
    Address a = address(c);
    if (a.process.value == 0 || !k_.pmd(a.vma, a.index / kPagesPerPmd).is_table())
        return false;
    Pte pte = k_.pte(a.vma, a.index);
    if (!pte.is_present())
        return false;
    Pfn page = pte.pfn();
    return !k_.is_zero_pfn(page) && k_.PageAnon(page) && !k_.PageKsm(page) && !k_.folio_test_large(page) &&
           !k_.page(page).test(PG_device_private) && k_.page_mapcount(page) == 1;
}

// What makes a present page one the step machine does not cover.
const char* Race::why_whole(const Command& c) const {
    Address a = address(c);
    if (a.process.value == 0)
        return nullptr;
    const Pmd pmd = k_.pmd(a.vma, a.index / kPagesPerPmd);
    if (pmd.is_trans_huge())
        return "the page is a PMD-mapped THP";
    if (!pmd.is_table())
        return nullptr;
    Pte pte = k_.pte(a.vma, a.index);
    if (!pte.is_present() || k_.is_zero_pfn(pte.pfn()))
        return nullptr;
    const Pfn page = pte.pfn();
    if (k_.page(page).test(PG_device_private))
        return "the page is device memory";
    if (k_.PageKsm(page))
        return "the page is a KSM page";
    if (k_.folio_test_large(page))
        return "the page is part of a THP";
    if (k_.page_mapcount(page) != 1)
        return "the page is mapped more than once";
    return nullptr;
}

const char* Race::waits_for(int cpu) const {
    if (done(cpu))
        return nullptr;
    const Command& c = command(cpu);
    const int other = 1 - cpu;
    RaceStep s = cpus_[cpu].next;
    if (is_writer(c) && s == RaceStep::a1_flush && in_gup_walk(other))
        return "A1 waits for the TLB flush: cpu{0} is inside GUP-fast with interrupts off and cannot "
               "acknowledge the flush IPI yet";
    if (pageout_waits_for_flush(cpu))
        return "try_to_unmap_flush_dirty waits: the PTE reclaim cleared was dirty and its TLB flush is "
               "batched, so the flush must complete before pageout; cpu{0} is inside GUP-fast with interrupts "
               "off and cannot acknowledge the flush IPI yet";
    if (is_writer(c) && s == RaceStep::start && !unmaps_step_by_step(c) && in_gup_walk(other))
        return "the unmap waits for its TLB flush: cpu{0} is inside GUP-fast with interrupts off";
    if (is_gup(c) && s == RaceStep::slow_path && writer_busy(other))
        return "the slow path waits: cpu{0} holds the page table lock or the page lock until its migration "
               "or reclaim of the page is over (migration_entry_wait, lock_page)";
    if (c.kind == CommandKind::fork && holds_pt_lock(other))
        return "fork waits for the page table lock, which cpu{0} holds";
    return nullptr;
}

void Race::finish(int cpu, const Command& c, const char* failure) {
    RaceCpu& me = cpus_[cpu];
    me.next = RaceStep::done;
    if (failure && !me.failure) {
        std::string word = c.source.substr(0, c.source.find(' '));
        me.failure = lasting(word + ": " + failure);
    }
}

void Race::run(int cpu) {
    const Command& c = command(cpu);
    k_.set_cpu(static_cast<uint8_t>(cpu));
    {
        auto lane = k_.enter(kLane[cpu]);
        if (is_gup(c)) {
            gup_step(cpu, c);
        } else if (c.kind == CommandKind::migrate) {
            migrate_step(cpu, c);
        } else if (c.kind == CommandKind::swapout) {
            swapout_step(cpu, c);
        } else { // fork: one atomic step, under the page table lock
            fork_process(k_, address(c).process, c.other_process);
            finish(cpu, c, nullptr);
        }
    }
    k_.set_cpu(0);
    check_coherence_now(k_);
    RaceCpu& me = cpus_[cpu];
    if (me.next == RaceStep::done) {
        RaceCpu next;
        next.command = me.command + 1;
        next.holder = me.holder;
        next.failure = me.failure;
        me = next;
    }
}

void Race::wait(int cpu) {
    k_.set_cpu(static_cast<uint8_t>(cpu));
    {
        auto lane = k_.enter(kLane[cpu]);
        const Command& c = command(cpu);
        const EraPolicy& policy = k_.policy();
        auto scope = k_.enter(
            is_gup(c)                        ? "__get_user_pages"
            : c.kind == CommandKind::fork    ? "dup_mmap"
            : c.kind == CommandKind::migrate ? policy.name_of(EraPolicy::Function::try_to_migrate_one)
            : pageout_waits_for_flush(cpu)   ? policy.name_of(EraPolicy::Function::shrink_page_list)
                                             : "try_to_unmap_one");
        k_.step(waits_for(cpu), 1 - cpu);
    }
    k_.set_cpu(0);
}

// gup_pte_range() one step at a time (semantics 2.8 and 4.3).
void Race::gup_step(int cpu, const Command& c) {
    RaceCpu& me = cpus_[cpu];
    const int other = 1 - cpu;
    const Address a = address(c);
    const bool pin = c.kind == CommandKind::pin;
    auto scope = k_.enter(pin ? "pin_user_pages_fast" : "get_user_pages_fast");
    const Entry seen = decode(me.seen, me.seen_pmd, a.index);
    auto give_up = [&] { me.next = RaceStep::slow_path; };
    switch (me.next) {
    case RaceStep::start: {
        auto walk = k_.enter("gup_pte_range");
        // The pin flag is set on entry, so a refused pin leaves it set too
        // (set after the step, so that the change is the step's).
        auto set_has_pinned = [&] {
            if (pin && k_.policy().has_mmf_has_pinned() && !k_.process(a.process).has_pinned)
                k_.set_process(a.process, ProcessField::has_pinned, 1);
        };
        // No VMA is looked at: a refused address gives up here and is
        // refused by the slow path.
        Entry e = read_entry(k_, a);
        // The small zero page's PTE is special and refused; gup_huge_pmd has
        // no such test and grabs the huge zero page like any THP.
        const bool special = e.present && !e.pmd && k_.is_zero_pfn(e.page);
        if (e.protnone)
            k_.step(e.pmd ? "B1 GUP-fast reads the PMD with interrupts off: PROT_NONE, which a lockless walk never "
                            "takes; it gives up (the slow path refuses the address)"
                          : "B1 GUP-fast reads the PTE with interrupts off: PROT_NONE, which a lockless walk never "
                            "takes; it gives up (the slow path refuses the address)");
        else if (!e.present || special)
            k_.step(
                e.present
                    ? "B1 GUP-fast reads the PTE with interrupts off: the zero page, a special mapping; it "
                      "gives up (the slow path will handle it)"
                    : "B1 GUP-fast reads the PTE with interrupts off: not present; it gives up (the slow "
                      "path can fault)");
        else if (e.pmd)
            k_.step(
                e.writable
                    ? "B1 GUP-fast reads the PMD locklessly, interrupts off: a THP, present and writable, page #{0}"
                    : "B1 GUP-fast reads the PMD locklessly, interrupts off: present, read-only, page #{0}",
                static_cast<int32_t>(e.page.value));
        else
            k_.step(
                e.writable
                    ? "B1 GUP-fast reads the PTE locklessly, interrupts off: present and writable, page #{0}"
                    : "B1 GUP-fast reads the PTE locklessly, interrupts off: present, read-only, page #{0}",
                static_cast<int32_t>(e.page.value));
        set_has_pinned();
        if (!e.present || special)
            return give_up();
        me.seen = e.raw;
        me.seen_pmd = e.pmd;
        me.page = e.page.value;
        me.next = RaceStep::b2_write_check;
        return;
    }
    case RaceStep::b2_write_check: {
        auto walk = k_.enter("gup_pte_range");
        if (c.foll_write && !seen.writable) {
            k_.step("B2 FOLL_WRITE, but the entry B1 read is not writable: GUP-fast gives up (the slow path "
                    "takes a write fault)");
            return give_up();
        }
        k_.step(c.foll_write ? "B2 FOLL_WRITE: the entry B1 read is writable"
                             : "B2 no FOLL_WRITE: a present entry will do");
        me.next = RaceStep::b3_grab;
        return;
    }
    case RaceStep::b3_grab: {
        // The folio conversion renamed it in v5.18; eras a and b say it as v5.7 and v5.17 did.
        auto grab = k_.enter(k_.policy().has_anon_exclusive() ? "try_grab_folio" : "try_grab_compound_head");
        Pfn page(me.page);
        if (!k_.page(page).test(PG_allocated) || k_.page_count(page) == 0) {
            k_.step("B3 the page's refcount is 0: it was freed (or frozen to be freed) since B1 read the "
                    "PTE, so no reference can be taken; GUP-fast gives up");
            return give_up();
        }
        // v6.1 (088b8aa537c2) follows the pin with a full barrier, paired
        // with the one before page_try_share_anon_rmap's pin check.
        const bool barrier = pin && block_.flush && barriers_order_gup_fast(k_.policy());
        k_.step(!pin ? "B3 FOLL_GET: refcount +1"
                : k_.folio_test_large(page)
                    ? (k_.policy().pincount_is_hpage_pinned_refcount()
                           ? "B3 FOLL_PIN on a compound page: refcount +1 and "
                             "hpage_pinned_refcount +1; page_maybe_dma_pinned() sees it "
                             "from now on"
                       : barrier ? "B3 FOLL_PIN on a large folio: refcount +1 and "
                                   "compound_pincount +1, then a memory barrier "
                                   "(smp_mb__after_atomic): page_maybe_dma_pinned() sees the pin "
                                   "before B4 re-reads the PTE"
                                 : "B3 FOLL_PIN on a large folio: refcount +1 and "
                                   "compound_pincount +1; page_maybe_dma_pinned() sees it from "
                                   "now on")
                : barrier
                    ? "B3 FOLL_PIN: refcount + GUP_PIN_COUNTING_BIAS (1024), then a memory barrier "
                      "(smp_mb__after_atomic): page_maybe_dma_pinned() sees the pin before B4 re-reads the "
                      "PTE"
                    : "B3 FOLL_PIN: refcount + GUP_PIN_COUNTING_BIAS (1024); page_maybe_dma_pinned() sees it "
                      "from now on");
        try_grab_page(k_, page, pin, true);
        me.next = RaceStep::b4_recheck;
        return;
    }
    case RaceStep::b4_recheck: {
        auto walk = k_.enter("gup_pte_range");
        if (!block_.flush) {
            k_.step("B4 re-reads the PTE. flush off, a teaching switch that is NOT the kernel: nothing "
                    "synchronises cpu{0}'s clear of the PTE with this walk, so this CPU still sees the value "
                    "B1 read and keeps the reference",
                    other);
        } else if (read_entry(k_, a).raw != me.seen) {
            k_.step(k_.policy().has_anon_exclusive()
                        ? "B4 re-reads the PTE: it changed since B1 (cpu{0} cleared it): undo the reference "
                          "(gup_put_folio) and give up; the slow path will retry under the page table lock"
                        : "B4 re-reads the PTE: it changed since B1 (cpu{0} cleared it): undo the reference "
                          "(put_compound_head) and give up; the slow path will retry under the page table lock",
                    other);
            gup_put_folio(k_, Pfn(me.page), pin);
            return give_up();
        } else {
            k_.step("B4 re-reads the PTE: unchanged since B1, so the reference is on the page it still maps");
        }
        me.next = RaceStep::b5_unshare_check;
        return;
    }
    case RaceStep::b5_unshare_check: {
        auto walk = k_.enter("gup_pte_range");
        Pfn page(me.page);
        Pfn bit = me.seen_pmd ? k_.folio(page) : page;
        if (!seen.writable && k_.policy().gup_must_unshare(k_, pin, c.foll_longterm, bit)) {
            k_.step("B5 the PTE is read-only and the page may be shared (gup_must_unshare): undo the pin and "
                    "give up; the slow path unshares first");
            gup_put_folio(k_, page, pin);
            return give_up();
        }
        k_.step(pin ? "B5 GUP-fast keeps the pin: interrupts on again, the page is returned, the pin is taken"
                    : "B5 GUP-fast keeps the reference: interrupts on again, the page is returned");
        Holder h;
        h.name = k_.strings().intern(c.handle);
        h.kind = pin ? HolderKind::pin : HolderKind::get;
        h.write = c.foll_write;
        h.longterm = c.foll_longterm;
        h.fast = true;
        h.pfn = page;
        h.process = a.process;
        h.vma = a.vma;
        h.index = a.index;
        me.holder = k_.create_holder(h).value;
        return finish(cpu, c, nullptr);
    }
    case RaceStep::slow_path: {
        const bool mmap_sem =
            k_.policy().names(EraPolicy::Function::mmap_lock, "mmap_sem");
        k_.step(mmap_sem ? "GUP-fast gave up: the slow path (__get_user_pages) runs with mmap_sem and the page table "
                           "lock; cpu{0} holds no lock on the page now, so nothing holds it up"
                         : "GUP-fast gave up: the slow path (__get_user_pages) runs with mmap_lock and the page "
                           "table lock; cpu{0} holds no lock on the page now, so nothing holds it up",
                other);
        GupFlags flags;
        flags.pin = pin;
        flags.write = c.foll_write;
        flags.longterm = c.foll_longterm;
        HolderId holder;
        Outcome o = gup_fast_fallback(k_, a, flags, c.handle, &holder);
        if (o.ok())
            me.holder = holder.value;
        return finish(cpu, c, o.failure);
    }
    default:
        return;
    }
}

const char* Race::failure() const {
    for (const RaceCpu& cpu : cpus_)
        if (cpu.failure)
            return lasting(std::string(&cpu == &cpus_[0] ? "cpu0 " : "cpu1 ") + cpu.failure);
    return nullptr;
}

std::vector<std::pair<std::string, HolderId>> Race::holders() const {
    std::vector<std::pair<std::string, HolderId>> out;
    for (int cpu = 0; cpu < 2; ++cpu)
        if (cpus_[cpu].holder != UINT32_MAX)
            out.emplace_back(k_.strings().text(k_.holder(HolderId(cpus_[cpu].holder)).name),
                             HolderId(cpus_[cpu].holder));
    return out;
}

uint64_t Race::hash() const {
    uint64_t h = 0x243f6a8885a308d3ull;
    for (const RaceCpu& c : cpus_) {
        for (uint64_t v :
             {uint64_t(c.command), uint64_t(c.next), c.seen, uint64_t(c.seen_pmd), uint64_t(c.page),
              uint64_t(c.target), c.cleared, uint64_t(c.anon_exclusive), uint64_t(c.flush_batched),
              uint64_t(c.moved), uint64_t(reinterpret_cast<uintptr_t>(c.pending)), uint64_t(c.holder),
              uint64_t(reinterpret_cast<uintptr_t>(c.failure))})
            h = mix(h, v);
    }
    return h;
}

Outcome run_race(Kernel& k, const RaceBlock& block, std::vector<std::pair<std::string, HolderId>>* holders) {
    Race race(k, block);
    size_t next_order = 0;
    int last = 1; // the default schedule starts with cpu0
    const char* order_error = nullptr;
    while (!race.done()) {
        int cpu = 1 - last;
        if (next_order < block.order.size()) {
            cpu = block.order[next_order++];
            if (race.done(cpu)) {
                order_error = "the order names a CPU that has finished";
                continue;
            }
            if (!race.can_run(cpu)) {
                race.wait(cpu);
                last = cpu;
                continue;
            }
        } else if (!race.can_run(cpu)) {
            cpu = last;
            if (!race.can_run(cpu)) {
                order_error = "both CPUs wait for each other"; // no step machine can get here
                break;
            }
        }
        race.run(cpu);
        last = cpu;
    }
    if (next_order < block.order.size())
        order_error = "the order names a CPU that has finished";
    if (holders)
        *holders = race.holders();
    // A schedule the block cannot follow is the file's mistake: say so first.
    if (order_error)
        return Outcome::fail(order_error);
    if (const char* f = race.failure())
        return Outcome::fail(f);
    return Outcome::success();
}

} // namespace mmt
