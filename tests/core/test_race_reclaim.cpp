// Race III (swap-out against GUP-fast) and reclaim's batched TLB flush
// (docs/races.md 2). try_to_unmap_one() clears the PTE and leaves the flush
// to reclaim's batch (should_defer_flush, TTU_BATCH_FLUSH): in v5.7 and
// v5.17 for every page, and in v6.2 for an exclusive page too, since v6.1's
// memory barriers (088b8aa537c2) keep A1 before A2 and B3 before B4 without
// a flush. What still waits for GUP-fast is shrink_page_list's
// try_to_unmap_flush_dirty() before pageout(): when a cleared PTE was dirty,
// its flush must complete first, and a CPU inside GUP-fast (interrupts off)
// cannot acknowledge the IPI.
#include "explore.h"
#include "race.h"
#include "scenario_fixture.h"

#include <catch2/catch.hpp>
#include <string>

using namespace mmt;
using namespace mmt::test;

namespace {

const std::string kWritten = "process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\n";

// Reclaim on cpu0 against a GUP-fast FOLL_PIN on cpu1 (with FOLL_WRITE when
// `write`), then `extra` lines inside the block.
std::string race_iii(const std::string& extra = "", const std::string& setup = kWritten, bool write = true) {
    return setup + "race\n  cpu0 swapout P buf[0]\n  cpu1 pin P buf[0]" + (write ? " write" : "") +
           " fast as H\n" + extra + "end\n";
}

ExploreResult explore_text(const std::string& text, Era era) {
    ParseResult parsed = parse_scenario(text, "t.mmt", era);
    REQUIRE(parsed.scenario);
    uint32_t index = first_race_command(*parsed.scenario);
    REQUIRE(index != UINT32_MAX);
    return explore_race(*parsed.scenario, era, index).result;
}

// The block's kernel steps (the race is the command on `line`), as
// "cpuN sentence".
std::vector<std::string> lanes(const Sim& s, uint32_t line) {
    std::vector<std::string> out;
    for (const CommandRecord& c : s.k().commands())
        if (c.line == line)
            for (uint32_t i = c.step_begin; i < c.step_end; ++i)
                out.push_back("cpu" + std::to_string(s.k().steps()[i].cpu) + " " + s.k().step_sentence(i));
    return out;
}

// The index of the first step that starts with `prefix`, or -1.
int find(const std::vector<std::string>& steps, const std::string& prefix) {
    for (size_t i = 0; i < steps.size(); ++i)
        if (steps[i].rfind(prefix, 0) == 0)
            return static_cast<int>(i);
    return -1;
}

} // namespace

TEST_CASE("Era b: an order that runs pageout before B5 makes pageout wait until GUP-fast's walk is over",
          "[race]") {
    // P, B1-B4 (the pin survives: B4 runs before A1), A1-A4, then cpu0 is
    // named for pageout while cpu1 has not finished its walk: it spins. B5
    // ends the walk, and pageout finds the pin: PAGE_KEEP, the pinned page
    // stays unmapped in the swap cache (semantics 3.2 B-2).
    Sim s = Sim::run(race_iii("  order 0 1 1 1 1 0 0 0 0 0 1 0\n"), Era::b);
    std::vector<std::string> steps = lanes(s, 4);
    const int wait = find(steps, "cpu0 try_to_unmap_flush_dirty waits: the PTE reclaim cleared was dirty");
    const int b5 = find(steps, "cpu1 B5 GUP-fast keeps the pin");
    const int flushed = find(steps, "cpu0 try_to_unmap_flush_dirty: a dirty PTE was cleared");
    REQUIRE(wait >= 0);
    CHECK(steps[wait].find("cpu1 is inside GUP-fast with interrupts off") != std::string::npos);
    CHECK(b5 == wait + 1);
    CHECK(flushed == b5 + 1);
    CHECK(s.k().step_path(s.k().commands().back().step_begin + wait) == "cpu0 → shrink_page_list");
    CHECK(s.last_outcome() == "ok");
    CHECK(s.kind("P", "buf", 0) == "swap");
    const Page& pinned = s.held_page("H");
    CHECK(pinned.test(PG_swapcache));
    CHECK(pinned.test(PG_dirty)); // PAGE_KEEP: not written
    CHECK(pinned.mapcount == 0);
}

TEST_CASE("Era b: a reference GUP-fast drops at B4 can no longer make pageout keep the page", "[race]") {
    // The audit's order (P, B1-B3, A1-A4, S1, B4, slow path): B3's pin is
    // transient, B4 sees the cleared PTE and drops it. Without the wait,
    // pageout would have run between B3 and B4, seen the extra reference
    // and kept the page unwritten in the swap cache with nobody holding it.
    // Pageout waits for B4 instead, then writes and frees the page; the slow
    // path swaps it back in and pins it.
    Sim s = Sim::run(race_iii("  order 0 1 1 1 0 0 0 0 0 1 1\n"), Era::b);
    std::vector<std::string> steps = lanes(s, 4);
    const int wait = find(steps, "cpu0 try_to_unmap_flush_dirty waits");
    REQUIRE(wait >= 0);
    CHECK(steps[wait + 1].rfind("cpu1 B4 re-reads the PTE: it changed since B1", 0) == 0);
    CHECK(find(steps, "cpu0 is_page_cache_freeable fails") < 0);
    CHECK(find(steps, "cpu0 page_ref_freeze succeeds") > wait);
    CHECK(s.last_outcome() == "ok");
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.holder("H").pfn == s.pfn("P", "buf", 0));
    CHECK(s.data("P", "buf", 0) == "x");
    CHECK_FALSE(s.page("P", "buf", 0).test(PG_swapcache)); // the write fault let go of the slot
}

TEST_CASE("Era c: a swap-out's A1 no longer waits for a CPU inside GUP-fast, and B4 then backs off",
          "[race]") {
    // B1 reads the writable PTE; reclaim's prologue; A1 clears the PTE of
    // the exclusive page and leaves the flush to the batch (v6.1): cpu1 runs
    // B2 right after it, nobody spins. B3 pins, and B4 (after the barrier
    // that follows the pin) sees the cleared PTE: it drops the pin, and A2,
    // after its own barrier, finds none. The page goes to swap; the slow
    // path brings it back with a write fault and pins the exclusive page.
    Sim s = Sim::run(race_iii("  order 1 0 0 1 1 1 0 0 0 0 1\n"), Era::c);
    std::vector<std::string> steps = lanes(s, 4);
    const int a1 = find(steps, "cpu0 A1 take the page table lock and clear the PTE, its TLB flush batched");
    REQUIRE(a1 >= 0);
    CHECK(steps[a1 + 1].rfind("cpu1 B2", 0) == 0);
    CHECK(steps[a1 + 2].find("then a memory barrier (smp_mb__after_atomic)") != std::string::npos);
    CHECK(steps[a1 + 3].rfind("cpu1 B4 re-reads the PTE: it changed since B1", 0) == 0);
    CHECK(steps[a1 + 4].rfind("cpu0 A2 page_try_share_anon_rmap: a full memory barrier (smp_mb), then "
                              "page_maybe_dma_pinned() sees no pin",
                              0) == 0);
    for (const std::string& step : steps)
        CHECK(step.find("waits") == std::string::npos);
    CHECK(s.last_outcome() == "ok");
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.holder("H").pfn == s.pfn("P", "buf", 0));
    CHECK(s.k().violations().empty());
    // Migration still clears and flushes at once in v6.2 (batched migration
    // flushes came later): the same start makes its A1 spin.
    Sim m = Sim::run(kWritten + "race\n  cpu0 migrate P buf[0]\n  cpu1 pin P buf[0] write fast as H\n"
                                "  order 1 0 0 1 1 1 0\nend\n",
                     Era::c);
    CHECK(find(lanes(m, 4), "cpu0 A1 waits for the TLB flush: cpu1 is inside GUP-fast") >= 0);
}

TEST_CASE("Era c: a pin taken between A1 and A2 is seen by A2, and B4 finds the PTE it restored", "[race]") {
    // P, B1, B2, A1, B3, A2, B4, B5: the barriers order A1 before A2 and B3
    // before B4, so A2 sees the pin; it restores the PTE, and B4 reads back
    // exactly what B1 read: GUP-fast keeps a pin on the mapped, exclusive
    // page and reclaim gives up.
    Sim s = Sim::run(race_iii("  order 0 1 1 0 1 0 1 1 0\n"), Era::c);
    std::vector<std::string> steps = lanes(s, 4);
    CHECK(find(steps, "cpu0 A2 page_try_share_anon_rmap fails: page_maybe_dma_pinned() sees a pin") >= 0);
    CHECK(find(steps, "cpu1 B4 re-reads the PTE: unchanged since B1") >= 0);
    CHECK(s.last_outcome() == "cpu0 swapout: page is pinned");
    CHECK(s.kind("P", "buf", 0) == "present-rw");
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.holder("H").pfn == s.pfn("P", "buf", 0));
    CHECK(s.k().violations().empty());
}

TEST_CASE("A clean PTE leaves no dirty flush pending: reclaim frees the page while GUP-fast is in its walk",
          "[race]") {
    // Swapped out and read back: the page is in the swap cache, clean, mapped
    // by a clean read-only PTE. A1's batched flush is not "writable", so
    // try_to_unmap_flush_dirty() has nothing to wait for, and a clean page
    // skips pageout anyway: __remove_mapping freezes the refcount and the
    // page goes while cpu1 is between B1 and B2. B3 finds the count 0 and
    // gives up; the slow path reads the page back from swap.
    const std::string setup = kWritten + "swapout P buf[0]\nread P buf[0]\n";
    for (Era era : {Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        Sim s = Sim::run(race_iii("  order 1 0 0 0 0 0 0 1 1 1\n", setup, false), era);
        std::vector<std::string> steps = lanes(s, 6);
        for (const std::string& step : steps)
            CHECK(step.find("waits") == std::string::npos);
        // __remove_mapping freezes with folio_ref_freeze from v5.18.
        const int freed = find(steps, era == Era::c ? "cpu0 folio_ref_freeze succeeds" : "cpu0 page_ref_freeze succeeds");
        REQUIRE(freed >= 0);
        CHECK(find(steps, "cpu1 B2") > freed);
        CHECK(find(steps, "cpu1 B3 the page's refcount is 0") > freed);
        CHECK(find(steps, "cpu0 try_to_unmap_flush_dirty") < 0);
        CHECK(s.last_outcome() == "ok");
        CHECK(s.holder("H").pfn == s.pfn("P", "buf", 0));
    }
}

TEST_CASE("Race III: exact explorer counts per era, with and without fork", "[race][explore]") {
    // Era b by hand. cpu0: P A1 A2 A3 A4 S1 (P is reclaim's prologue, S1 is
    // try_to_unmap_flush_dirty + pageout + __remove_mapping, which waits
    // while cpu1 is inside its walk); cpu1: B1 .. B5, or B1 .. B4 and the
    // slow path S, which waits until cpu0 is done.
    //  - B1 after A1 (it reads no present PTE): S after S1. B1 in one of the
    //    4 gaps between A1 and S1, or after S1: 5.
    //  - B3 before P: P sees the pin and reclaim stops (cpu0 is P alone); B4
    //    and B5 keep the pin. P after B3: 3.
    //  - B1 before A1, B3 after P, B4 before A1: the pin survives. P in one
    //    of the 3 gaps before B3; B5 before A1 (1 way) or in one of the 4
    //    gaps from A1 to S1: 3 x 5 = 15. These are the 15 incoherent ones.
    //  - B1 before A1, B4 after A1: B4 backs off, S1 after B4, S last. A1
    //    after B1 (P before it and before B3), A2..A4 among the rest of B2..B4:
    //    A1 after B1: 2 x C(6,3) = 40; after B2: 3 x C(5,2) = 30; after B3:
    //    3 x C(4,1) = 12: 82.
    //  5 + 3 + 15 + 82 = 105.
    ExploreResult b = explore_text(race_iii(), Era::b);
    CHECK(b.interleavings == 105);
    CHECK(b.breaking == 0);
    CHECK(b.incoherent == 15);
    // Era a: no prologue pin test, no wait-free pin; the write reuses the
    // swap cache page (reuse_swap_page), so nothing is incoherent.
    ExploreResult a = explore_text(race_iii(), Era::a);
    CHECK(a.interleavings == 117);
    CHECK(a.incoherent == 0);
    // Era c: A2 can refuse the page (then PB, put back); none incoherent.
    ExploreResult c = explore_text(race_iii(), Era::c);
    CHECK(c.interleavings == 102);
    CHECK(c.breaking == 0);
    CHECK(c.incoherent == 0);
    // With fork after the pin (fork shares the pinned page in era a, copies a
    // page it finds pinned in eras b and c).
    const std::string fork = "  cpu1 fork P C\n";
    ExploreResult af = explore_text(race_iii(fork), Era::a);
    ExploreResult bf = explore_text(race_iii(fork), Era::b);
    ExploreResult cf = explore_text(race_iii(fork), Era::c);
    CHECK(af.interleavings == 150);
    CHECK(af.incoherent == 150);
    CHECK(bf.interleavings == 124);
    CHECK(bf.incoherent == 33);
    CHECK(cf.interleavings == 123);
    CHECK(cf.breaking == 0);
    CHECK(cf.incoherent == 0);
    // The teaching switch: nothing synchronises the clear with GUP-fast, so
    // nothing waits either; in era c the pinned page loses its flag (I2).
    ExploreResult off = explore_text(race_iii("  flush off\n"), Era::c);
    CHECK(off.interleavings == 238);
    CHECK(off.breaking == 157);
}
