// Shared helper of the core tests: run a scenario text on the engine and read
// the resulting kernel state by the names the scenario uses, so that a test
// reads like the kernel example it checks:
//
//     auto s = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\n");
//     CHECK(s.kind("P", "buf", 0) == "present-rw");
//     CHECK(s.page("P", "buf", 0).refcount == 1);
//
// Expected values in the tests come from the kernel (shared/reference/
// semantics.md and the seed commit message), never from engine output.
#pragma once

#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "address.h"
#include "invariants.h"
#include "kernel.h"
#include "scenario.h"
#include "scenario_runner.h"

namespace mmt::test {

class Sim {
public:
    // Parses and runs `text` in `era`; a text that does not parse fails the test.
    static Sim run(std::string_view text, Era era = Era::c, bool check_invariants = true) {
        ParseResult parsed = parse_scenario(text, "t.mmt", era);
        for (const ScenarioError& e : parsed.errors)
            FAIL_CHECK(e.format());
        REQUIRE(parsed.scenario);
        RunOptions options;
        options.check_invariants = check_invariants;
        Sim s;
        s.scenario_ = std::move(*parsed.scenario);
        s.result_ = run_scenario(s.scenario_, era, options);
        return s;
    }

    Kernel& k() { return *result_.kernel; }
    const Kernel& k() const { return *result_.kernel; }
    const RunResult& result() const { return result_; }
    const mmt::Scenario& scenario() const { return scenario_; }

    // --- outcomes ----------------------------------------------------------
    // The outcome of the last command that ran kernel code: "ok" or the reason.
    std::string last_outcome() const { return outcome_text(k().commands().back().failure); }
    // The outcome of the scenario's command on `line`.
    std::string outcome_at_line(uint32_t line) const {
        for (const CommandRecord& c : k().commands())
            if (c.line == line)
                return outcome_text(c.failure);
        FAIL("no command ran on line " << line);
        return "";
    }
    // The value the last read returned.
    std::string last_value() const {
        const CommandRecord& c = k().commands().back();
        REQUIRE(c.value);
        return k().strings().text(*c.value);
    }

    // --- addresses ---------------------------------------------------------
    ProcessId process(std::string_view p) const {
        auto id = k().find_process(p);
        REQUIRE(id);
        return *id;
    }
    VmaId vma(std::string_view p, std::string_view v) const {
        auto id = k().find_vma(process(p), v);
        REQUIRE(id);
        return *id;
    }
    Address address(std::string_view p, std::string_view v, uint32_t i) const { return {process(p), vma(p, v), i}; }

    Pte pte(std::string_view p, std::string_view v, uint32_t i) const { return k().pte(vma(p, v), i); }
    Pmd pmd(std::string_view p, std::string_view v, uint32_t i) const { return k().pmd(vma(p, v), i / kPagesPerPmd); }
    // What `expect P A pte KIND` would see: "present-rw", "swap", ...
    std::string kind(std::string_view p, std::string_view v, uint32_t i) const {
        return observed_pte_kind(k(), vma(p, v), i);
    }
    // The page an address stands for (present, PMD, migration or device entry,
    // or the swap cache page of a swap entry); 0 if none.
    Pfn pfn(std::string_view p, std::string_view v, uint32_t i) const { return resolve_page(k(), vma(p, v), i); }
    const Page& page(std::string_view p, std::string_view v, uint32_t i) const {
        Pfn f = pfn(p, v, i);
        REQUIRE(f.value != 0);
        return k().page(f);
    }
    // The folio head of the page at the address (refcount, pincount live there).
    const Page& head(std::string_view p, std::string_view v, uint32_t i) const {
        Pfn f = pfn(p, v, i);
        REQUIRE(f.value != 0);
        return k().head_page(f);
    }
    bool exclusive(std::string_view p, std::string_view v, uint32_t i) const {
        return page(p, v, i).test(PG_anon_exclusive);
    }
    const SwapSlotInfo& slot(std::string_view p, std::string_view v, uint32_t i) const {
        Pte e = pte(p, v, i);
        REQUIRE(e.is_swap_entry());
        return k().swap_slot(e.swap_slot());
    }
    std::string data(Pfn f) const { return k().strings().text(k().page(f).contents); }
    std::string data(std::string_view p, std::string_view v, uint32_t i) const { return data(pfn(p, v, i)); }

    // --- holders -----------------------------------------------------------
    const Holder& holder(std::string_view name) const {
        auto id = k().find_holder(name);
        REQUIRE(id);
        return k().holder(*id);
    }
    const Page& held_page(std::string_view name) const { return k().page(holder(name).pfn); }
    std::string held_data(std::string_view name) const { return data(holder(name).pfn); }

    // --- transient entries -------------------------------------------------
    // Every PTE (or PMD) value the command on `line` wrote, in order: shows
    // the entries that exist only inside one command (migration entries, a
    // cleared PTE).
    template <typename Entry>
    std::vector<Entry> entries_written_at_line(uint32_t line, ChangeKind kind) const {
        std::vector<Entry> out;
        for (const CommandRecord& c : k().commands()) {
            if (c.line != line || c.step_begin == c.step_end)
                continue;
            for (const Change& change : k().changes_of_steps(c.step_begin, c.step_end))
                if (change.kind == kind)
                    out.push_back(Entry::from_raw(change.after()));
        }
        return out;
    }
    std::vector<Pte> ptes_written_at_line(uint32_t line) const {
        return entries_written_at_line<Pte>(line, ChangeKind::pte);
    }
    std::vector<Pmd> pmds_written_at_line(uint32_t line) const {
        return entries_written_at_line<Pmd>(line, ChangeKind::pmd);
    }
    bool wrote_kind_at_line(uint32_t line, PteKind kind) const {
        for (Pte p : ptes_written_at_line(line))
            if (p.kind() == kind)
                return true;
        return false;
    }

    // "path – sentence" of every kernel step the command on `line` took.
    std::vector<std::string> steps_at_line(uint32_t line) const {
        std::vector<std::string> out;
        for (const CommandRecord& c : k().commands())
            if (c.line == line)
                for (uint32_t step = c.step_begin; step < c.step_end; ++step)
                    out.push_back(k().step_path(step) + " – " + k().step_sentence(step));
        return out;
    }
    // Whether a step of the command on `line` says `words` (path or sentence).
    bool step_says(uint32_t line, std::string_view words) const {
        for (const std::string& s : steps_at_line(line))
            if (s.find(words) != std::string::npos)
                return true;
        return false;
    }

    // --- checks ------------------------------------------------------------
    std::vector<Violation> violations(std::string_view kind) const {
        std::vector<Violation> out;
        for (const Violation& v : k().violations())
            if (v.kind == kind)
                out.push_back(v);
        return out;
    }
    // Every breach, for a failure message.
    std::string violations_text() const {
        std::string out;
        for (const Violation& v : k().violations())
            out += "[" + v.kind + "] " + v.rule + ": " + v.message + "\n";
        return out;
    }
    std::string failed_expectations() const {
        std::string out;
        for (const ExpectationResult& e : result_.expectations)
            if (!e.passed)
                out += "line " + std::to_string(e.line) + ": expected " + e.expected + ", got " + e.got + "\n";
        return out;
    }

private:
    static std::string outcome_text(const char* failure) { return failure ? failure : "ok"; }

    mmt::Scenario scenario_;
    RunResult result_;
};

// The order-0 page count a FOLL_PIN adds (GUP_PIN_COUNTING_BIAS).
inline constexpr int32_t kPin = kGupPinCountingBias;

// A random scenario that always parses: `commands` commands over a few
// processes (forks, exits), small VMAs and sometimes one 512-page THP VMA,
// touching every command of the language (ksm-merge only if `ksm`). Same
// seed, same text.
inline std::string random_scenario(uint64_t seed, uint32_t commands, bool ksm = true) {
    std::mt19937_64 rng(seed);
    auto below = [&](size_t n) { return static_cast<size_t>(std::uniform_int_distribution<size_t>(0, n - 1)(rng)); };
    auto chance = [&](int percent) { return below(100) < size_t(percent); };
    struct V { std::string name; uint32_t npages; };
    struct P { std::string name; std::vector<V> vmas; bool alive = true; };
    std::vector<P> procs;
    std::vector<std::string> held;
    int next_proc = 0, next_vma = 0, next_handle = 0;
    std::string out;
    const char* words[] = {"a", "b", "same", "same"};

    auto new_process = [&]() {
        procs.push_back({"P" + std::to_string(next_proc++), {}});
        out += "process " + procs.back().name + "\n";
    };
    auto new_vma = [&](P& p) {
        bool thp = chance(25);
        V v{"v" + std::to_string(next_vma++), thp ? 512u : uint32_t(1 + below(4))};
        p.vmas.push_back(v);
        out += "map " + p.name + " " + v.name + " " + std::to_string(v.npages) + (chance(85) ? " rw" : " ro") +
               (thp ? " thp" : "") + "\n";
    };
    auto index = [&](const V& v) -> uint32_t {
        if (v.npages < 512 || chance(70))
            return uint32_t(below(std::min<uint32_t>(v.npages, 4)));
        return chance(50) ? v.npages - 1 : uint32_t(below(v.npages));
    };
    auto alive = [&]() -> P* {
        std::vector<P*> live;
        for (P& p : procs)
            if (p.alive && !p.vmas.empty())
                live.push_back(&p);
        return live.empty() ? nullptr : live[below(live.size())];
    };
    auto addr = [&](P& p) {
        const V& v = p.vmas[below(p.vmas.size())];
        return p.name + " " + v.name + "[" + std::to_string(index(v)) + "]";
    };
    auto range = [&](P& p) {
        const V& v = p.vmas[below(p.vmas.size())];
        if (chance(40))
            return p.name + " " + v.name;
        uint32_t a = index(v), b = index(v);
        return p.name + " " + v.name + "[" + std::to_string(std::min(a, b)) + ".." + std::to_string(std::max(a, b)) +
               "]";
    };

    new_process();
    new_vma(procs[0]);
    for (uint32_t n = 0; n < commands; ++n) {
        P* p = alive();
        if (!p) {
            new_process();
            new_vma(procs.back());
            continue;
        }
        const std::string word = words[below(4)];
        switch (below(24)) {
        case 0: new_vma(*p); break;
        case 1: case 2: case 3: out += "write " + addr(*p) + " \"" + word + "\"\n"; break;
        case 4: case 5: out += "read " + addr(*p) + "\n"; break;
        case 6:
            if (procs.size() < 6) {
                const std::string parent = p->name;
                P child{"P" + std::to_string(next_proc++), p->vmas};
                procs.push_back(std::move(child));  // p may dangle from here on
                out += "fork " + parent + " " + procs.back().name + "\n";
            }
            break;
        case 7: if (chance(30)) { out += "exit " + p->name + "\n"; p->alive = false; } break;
        case 8: out += "unmap " + range(*p) + "\n"; break;
        case 9: out += "protect " + range(*p) + (chance(50) ? " ro" : chance(70) ? " rw" : " none") + "\n"; break;
        case 10: {
            const char* advice[] = {"dontneed", "dontfork", "dofork", "wipeonfork", "keeponfork", "pageout", "collapse"};
            out += "madvise " + range(*p) + " " + advice[below(7)] + "\n";
            break;
        }
        case 11: out += "clear-softdirty " + p->name + "\n"; break;
        case 12: case 13: {
            std::string h = "H" + std::to_string(next_handle++);
            held.push_back(h);
            out += "pin " + addr(*p) + (chance(50) ? " write" : "") + (chance(50) ? " longterm" : "") +
                   (chance(30) ? " fast" : "") + " as " + h + "\n";
            break;
        }
        case 14: {
            std::string h = "H" + std::to_string(next_handle++);
            held.push_back(h);
            out += chance(30) ? "vmsplice " + addr(*p) + " as " + h + "\n"
                              : "get " + addr(*p) + (chance(30) ? " write" : "") + (chance(30) ? " fast" : "") +
                                    " as " + h + "\n";
            break;
        }
        case 15: case 16:
            if (!held.empty()) {
                size_t i = below(held.size());
                out += "release " + held[i] + "\n";
                held.erase(held.begin() + long(i));
            }
            break;
        case 17:
            if (!held.empty())
                out += (chance(50) ? "dma-read " + held[below(held.size())]
                                   : "dma-write " + held[below(held.size())] + " \"" + word + "\"") + "\n";
            break;
        case 18: out += "swapout " + addr(*p) + "\n"; break;
        case 19: out += "migrate " + addr(*p) + "\n"; break;
        case 20: out += "migrate-to-device " + range(*p) + "\n"; break;
        case 21: {
            if (!ksm) {
                out += "read " + addr(*p) + "\n";
                break;
            }
            P* q = alive();
            out += "ksm-merge " + addr(*p) + " " + addr(*q) + "\n";
            break;
        }
        case 22: out += "split-pmd " + addr(*p) + "\n"; break;
        default: out += "read " + addr(*p) + "\n"; break;
        }
    }
    return out;
}

} // namespace mmt::test

// Readable failure messages: "pfn 515", "present-rw → pfn 515 [bits 0x7]".
namespace Catch {
template <typename Tag>
struct StringMaker<mmt::DistinctIndex<Tag>> {
    static std::string convert(const mmt::DistinctIndex<Tag>& v) { return "#" + std::to_string(v.value); }
};
template <>
struct StringMaker<mmt::Pte> {
    static std::string convert(const mmt::Pte& p) {
        return std::string(mmt::pte_kind_name(p.kind())) + " payload " + std::to_string(p.payload()) + " bits 0x" +
               [](uint32_t b) { char buf[16]; snprintf(buf, sizeof buf, "%x", b); return std::string(buf); }(p.bits());
    }
};
} // namespace Catch
