#include "scenario_runner.h"

#include <unordered_map>

#include "era_policy.h"
#include "fault.h"
#include "fork.h"
#include "gup.h"
#include "invariants.h"
#include "ksm.h"
#include "madvise.h"
#include "memory.h"
#include "migrate.h"
#include "migrate_device.h"
#include "mprotect.h"
#include "race.h"
#include "swap.h"
#include "huge_memory.h"

namespace mmt {

uint32_t RunResult::passed() const {
    uint32_t n = 0;
    for (const auto& e : expectations)
        n += e.passed;
    return n;
}

uint32_t RunResult::failed() const { return static_cast<uint32_t>(expectations.size()) - passed(); }

std::string expected_pte_name(ExpectedPte kind) {
    switch (kind) {
    case ExpectedPte::none: return "none";
    case ExpectedPte::present_ro: return "present-ro";
    case ExpectedPte::present_rw: return "present-rw";
    case ExpectedPte::swap: return "swap";
    case ExpectedPte::migration_writable: return "migration-writable";
    case ExpectedPte::migration_readable: return "migration-readable";
    case ExpectedPte::migration_readable_exclusive: return "migration-readable-exclusive";
    case ExpectedPte::device_private_rw: return "device-private-rw";
    case ExpectedPte::device_private_ro: return "device-private-ro";
    }
    return "?";
}

std::string observed_pte_kind(const Kernel& k, VmaId vma, uint32_t index) {
    Pmd pmd = k.pmd(vma, index / kPagesPerPmd);
    switch (pmd.kind()) {
    case PmdKind::thp: return pmd.has(Pte::write) ? "present-rw" : "present-ro";
    case PmdKind::huge_zero: return "present-ro";
    case PmdKind::migration_write: return "migration-writable";
    case PmdKind::migration_read: return "migration-readable";
    case PmdKind::migration_read_exclusive: return "migration-readable-exclusive";
    case PmdKind::none:
    case PmdKind::table: break;
    }
    Pte pte = k.pte(vma, index);
    if (pte.is_present())
        return pte.has(Pte::write) ? "present-rw" : "present-ro";
    return std::string(pte_kind_name(pte.kind()));
}

namespace {

class Runner {
public:
    Runner(const Scenario& s, Era era, RunOptions options) : scenario_(s), stop_before_(options.stop_before) {
        result_.era = era;
        result_.kernel = std::make_unique<Kernel>(era);
        result_.kernel->set_check_invariants(options.check_invariants);
        result_.record_of.assign(s.commands.size(), -1);
    }

    RunResult run() {
        for (uint32_t i = 0; i < scenario_.commands.size() && i < stop_before_; ++i) {
            const Command& c = scenario_.commands[i];
            if (is_expectation(c.kind))
                expect(i, c);
            else
                execute(i, c);
        }
        return std::move(result_);
    }

private:
    Kernel& k() { return *result_.kernel; }

    ProcessId process(const std::string& name) { return k().find_process(name).value_or(ProcessId()); }

    bool resolve(const std::string& proc, const PageRange& r, Address* a) {
        ProcessId p = process(proc);
        if (p.value == 0)
            return false;
        auto vma = k().find_vma(p, r.vma);
        if (!vma)
            return false;
        a->process = p;
        a->vma = *vma;
        a->index = r.first;
        return true;
    }

    uint32_t range_last(const Address& a, const PageRange& r) {
        return r.whole ? k().vma(a.vma).npages - 1 : r.last;
    }

    Outcome segv_outside_vma() {
        auto scope = k().enter("do_user_addr_fault");
        k().step("no VMA covers this address: SIGSEGV");
        return Outcome::fail(reason::segv);
    }

    void execute(uint32_t index, const Command& c) {
        result_.record_of[index] = static_cast<int32_t>(k().commands().size());
        k().begin_command(index, c.loc.line);
        std::optional<uint32_t> value;
        Outcome o = dispatch(c, &value);
        k().end_command(o.failure, value);
        last_outcome_ = o.failure;
        have_outcome_ = true;
    }

    Outcome dispatch(const Command& c, std::optional<uint32_t>* value) {
        Address a, b;
        switch (c.kind) {
        case CommandKind::process: {
            auto scope = k().enter("fork/exec");
            k().step("a new process with an empty address space");
            k().create_process(c.process);
            return Outcome::success();
        }
        case CommandKind::map: {
            auto scope = k().enter("do_mmap");
            ProcessId p = process(c.process);
            k().step(c.thp ? "a private anonymous mapping, THP-eligible (VM_HUGEPAGE); nothing is allocated until "
                             "it is touched"
                           : "a private anonymous mapping; nothing is allocated until it is touched");
            uint8_t bits = VMA_mapped | VMA_read | VMA_softdirty;
            if (c.protection == Protection::rw)
                bits |= VMA_write | VMA_account; // accountable_mapping()
            k().create_vma(p, k().strings().intern(c.vma), c.npages, c.thp, bits, k().next_vma_start(p));
            return Outcome::success();
        }
        case CommandKind::write:
            if (!resolve(c.process, c.range, &a))
                return segv_outside_vma();
            return user_write(k(), a, k().strings().intern(c.data));
        case CommandKind::read: {
            if (!resolve(c.process, c.range, &a))
                return segv_outside_vma();
            uint32_t contents = 0;
            Outcome o = user_read(k(), a, &contents);
            if (o.ok())
                *value = contents;
            return o;
        }
        case CommandKind::fork:
            fork_process(k(), process(c.process), c.other_process);
            return Outcome::success();
        case CommandKind::exit:
            return exit_mm(k(), process(c.process));
        case CommandKind::unmap:
            if (!resolve(c.process, c.range, &a))
                return Outcome::fail("no such VMA");
            return munmap_range(k(), a.vma, a.index, range_last(a, c.range));
        case CommandKind::protect:
            if (!resolve(c.process, c.range, &a))
                return Outcome::fail("no such VMA");
            return mprotect_range(k(), a.vma, a.index, range_last(a, c.range), c.protection);
        case CommandKind::madvise:
            if (!resolve(c.process, c.range, &a))
                return Outcome::fail("no such VMA");
            return madvise_range(k(), a.vma, a.index, range_last(a, c.range), c.advice);
        case CommandKind::clear_softdirty:
            return clear_soft_dirty(k(), process(c.process));
        case CommandKind::pin:
        case CommandKind::get:
        case CommandKind::vmsplice: {
            if (!resolve(c.process, c.range, &a)) {
                auto scope = k().enter("get_user_pages");
                k().step("no VMA covers this address: -EFAULT");
                return Outcome::fail(reason::efault);
            }
            GupFlags flags;
            flags.pin = c.kind == CommandKind::pin;
            flags.write = c.foll_write;
            flags.longterm = c.foll_longterm;
            flags.fast = c.fast || c.kind == CommandKind::vmsplice;
            if (c.kind == CommandKind::vmsplice) {
                auto scope = k().enter("vmsplice");
                k().step("vmsplice hands the page to a pipe: get_user_pages_fast without FOLL_WRITE (a FOLL_GET "
                         "reference)");
                HolderId h;
                Outcome o = get_user_pages(k(), a, flags, c.handle, &h);
                if (o.ok())
                    handles_[c.handle] = h;
                return o;
            }
            HolderId h;
            Outcome o = get_user_pages(k(), a, flags, c.handle, &h);
            if (o.ok())
                handles_[c.handle] = h;
            return o;
        }
        case CommandKind::release: {
            auto it = handles_.find(c.handle);
            if (it == handles_.end())
                return no_reference();
            return release_holder(k(), it->second);
        }
        case CommandKind::dma_write: {
            auto it = handles_.find(c.handle);
            if (it == handles_.end())
                return no_reference();
            return holder_write(k(), it->second, k().strings().intern(c.data));
        }
        case CommandKind::dma_read: {
            auto it = handles_.find(c.handle);
            if (it == handles_.end())
                return no_reference();
            uint32_t contents = 0;
            Outcome o = holder_read(k(), it->second, &contents);
            if (o.ok())
                *value = contents;
            return o;
        }
        case CommandKind::swapout:
            if (!resolve(c.process, c.range, &a))
                return Outcome::fail(reason::no_page);
            return shrink_folio(k(), a);
        case CommandKind::migrate:
            if (!resolve(c.process, c.range, &a))
                return Outcome::fail(reason::no_page);
            return migrate_page_at(k(), a);
        case CommandKind::migrate_to_device:
            if (!resolve(c.process, c.range, &a))
                return Outcome::fail(reason::no_page);
            return migrate_vma_to_device(k(), a.process, a.vma, a.index, range_last(a, c.range));
        case CommandKind::ksm_merge:
            if (!resolve(c.process, c.range, &a) || !resolve(c.other_process, c.other_range, &b))
                return Outcome::fail(reason::not_anon);
            return ksm_merge(k(), a, b);
        case CommandKind::split_pmd:
            if (!resolve(c.process, c.range, &a))
                return Outcome::fail(reason::no_page);
            split_huge_pmd(k(), a.vma, a.index / kPagesPerPmd);
            return Outcome::success();
        case CommandKind::race: {
            std::vector<std::pair<std::string, HolderId>> taken;
            Outcome o = run_race(k(), *c.race, &taken);
            for (const auto& [name, holder] : taken)
                handles_[name] = holder;
            return o;
        }
        default: break;
        }
        return Outcome::success();
    }

    Outcome no_reference() {
        auto scope = k().enter("holder");
        k().step("no such reference: the command that should have taken it failed");
        return Outcome::fail("no such reference");
    }

    void record(uint32_t index, const Command& c, bool passed, std::string expected, std::string got) {
        ExpectationResult r;
        r.command_index = index;
        r.line = c.loc.line;
        r.passed = passed;
        r.expected = std::move(expected);
        r.got = std::move(got);
        result_.expectations.push_back(std::move(r));
    }

    std::string page_state(const Address& a, bool* exclusive) {
        Kernel& kk = k();
        Pmd pmd = kk.pmd(a.vma, a.index / kPagesPerPmd);
        if (pmd.is_trans_huge()) {
            *exclusive = kk.PageAnonExclusive(pmd.head());
            return "";
        }
        Pte pte = kk.pte(a.vma, a.index);
        if (pte.is_swap_entry()) {
            // The swap entry stands for the page that was swapped out; its
            // exclusivity lives in the entry's exclusive bit.
            *exclusive = pte.has(Pte::swp_exclusive);
            return "";
        }
        Pfn page = resolve_page(kk, a.vma, a.index);
        if (page.value == 0) {
            *exclusive = false;
            return "no page";
        }
        *exclusive = kk.PageAnon(page) && kk.PageAnonExclusive(page);
        return "";
    }

    void expect(uint32_t index, const Command& c) {
        Address a, b;
        switch (c.kind) {
        case CommandKind::expect_ok:
        case CommandKind::expect_failed: {
            bool want_ok = c.kind == CommandKind::expect_ok;
            std::string got = !have_outcome_ ? "nothing" : last_outcome_ ? std::string("failed: ") + last_outcome_ : "ok";
            bool passed = have_outcome_ && (want_ok ? last_outcome_ == nullptr : last_outcome_ != nullptr);
            record(index, c, passed, want_ok ? "ok" : "failed", got);
            return;
        }
        case CommandKind::expect_read: {
            // A real user load: it may fault, so it runs as a command.
            result_.record_of[index] = static_cast<int32_t>(k().commands().size());
            k().begin_command(index, c.loc.line);
            uint32_t contents = 0;
            Outcome o = resolve(c.process, c.range, &a) ? user_read(k(), a, &contents) : segv_outside_vma();
            k().end_command(o.failure, o.ok() ? std::optional<uint32_t>(contents) : std::nullopt);
            std::string got = o.ok() ? quote_string(k().strings().text(contents)) : std::string("failed: ") + o.failure;
            record(index, c, o.ok() && k().strings().text(contents) == c.data, "read " + quote_string(c.data),
                   "read " + got);
            return;
        }
        case CommandKind::expect_dma_read: {
            auto it = handles_.find(c.handle);
            if (it == handles_.end()) {
                record(index, c, false, "dma-read " + quote_string(c.data), "no such reference");
                return;
            }
            const Holder& h = k().holder(it->second);
            std::string got = h.released ? "released" : k().strings().text(k().page(h.pfn).contents);
            record(index, c, !h.released && got == c.data, "dma-read " + quote_string(c.data),
                   h.released ? "the reference was released" : "dma-read " + quote_string(got));
            return;
        }
        case CommandKind::expect_pte: {
            std::string want = expected_pte_name(c.expected_pte);
            std::string got = resolve(c.process, c.range, &a) ? observed_pte_kind(k(), a.vma, a.index) : "none";
            record(index, c, got == want, "pte " + want, "pte " + got);
            return;
        }
        case CommandKind::expect_exclusive:
        case CommandKind::expect_shared: {
            bool want = c.kind == CommandKind::expect_exclusive;
            bool exclusive = false;
            std::string none = resolve(c.process, c.range, &a) ? page_state(a, &exclusive) : "no page";
            std::string got = !none.empty() ? none : exclusive ? "exclusive" : "shared";
            record(index, c, none.empty() && exclusive == want, want ? "exclusive" : "shared", got);
            return;
        }
        case CommandKind::expect_same_page:
        case CommandKind::expect_other_page: {
            bool want_same = c.kind == CommandKind::expect_same_page;
            Pfn pa, pb;
            bool same = false;
            if (resolve(c.process, c.range, &a) && resolve(c.other_process, c.other_range, &b)) {
                Pte ta = k().pte(a.vma, a.index), tb = k().pte(b.vma, b.index);
                if (ta.is_swap_entry() && tb.is_swap_entry() && ta.swap_slot() == tb.swap_slot())
                    same = true;
                pa = resolve_page(k(), a.vma, a.index);
                pb = resolve_page(k(), b.vma, b.index);
                same = same || (pa.value != 0 && pa == pb);
            }
            auto name = [&](Pfn p) { return p.value ? k().page_name(p) : std::string("no page"); };
            std::string got = same ? "the same page (" + name(pa) + ")" : name(pa) + " and " + name(pb);
            record(index, c, same == want_same, want_same ? "same page" : "different pages", got);
            return;
        }
        case CommandKind::expect_coherent: {
            auto it = handles_.find(c.handle);
            if (it == handles_.end() || !resolve(c.process, c.range, &a)) {
                record(index, c, false, "coherent", "no such reference");
                return;
            }
            const Holder& h = k().holder(it->second);
            Pfn mapped = resolve_page(k(), a.vma, a.index);
            bool ok = !h.released && mapped == h.pfn;
            record(index, c, ok, "coherent (" + c.handle + " holds what " + c.process + " maps)",
                   h.released ? "the reference was released"
                              : c.handle + " holds " + k().page_name(h.pfn) + ", " + c.process + " maps " +
                                    (mapped.value ? k().page_name(mapped) : std::string("no page")));
            return;
        }
        case CommandKind::expect_invariants: {
            std::vector<Violation> v = check_all_invariants(k());
            std::string got = v.empty() ? "all hold" : v.front().rule + ": " + v.front().message;
            if (v.size() > 1)
                got += " (and " + std::to_string(v.size() - 1) + " more)";
            record(index, c, v.empty(), "invariants hold", got);
            return;
        }
        default: return;
        }
    }

    const Scenario& scenario_;
    uint32_t stop_before_;
    RunResult result_;
    std::unordered_map<std::string, HolderId> handles_;
    const char* last_outcome_ = nullptr;
    bool have_outcome_ = false;
};

} // namespace

RunResult run_scenario(const Scenario& scenario, Era era, RunOptions options) {
    return Runner(scenario, era, options).run();
}

} // namespace mmt
