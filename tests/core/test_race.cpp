// Race blocks (docs/races.md): the seed commit's sections II and III as two
// CPUs' atomic steps, and the explorer that runs every interleaving of them.
// Expected outcomes come from the commit message and semantics reference 4.3
// to 4.5; the explorer's counts are worked out by hand in the comments.
#include "explore.h"
#include "race.h"
#include "scenario_fixture.h"

#include <catch2/catch.hpp>
#include <string>

using namespace mmt;
using namespace mmt::test;

namespace {

const std::string kSetup = "era c\nprocess P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\n";

// A race of `writer` (migrate or swapout) on cpu0 against a R/W GUP-fast pin on cpu1.
std::string race(const std::string& writer, const std::string& extra = "") {
    return kSetup + "race\n  cpu0 " + writer + " P buf[0]\n  cpu1 pin P buf[0] write fast as H\n" + extra +
           "end\n";
}

ExploreResult explore_text(const std::string& text, Era era = Era::c) {
    ParseResult parsed = parse_scenario(text, "t.mmt", era);
    REQUIRE(parsed.scenario);
    uint32_t index = first_race_command(*parsed.scenario);
    REQUIRE(index != UINT32_MAX);
    return explore_race(*parsed.scenario, era, index).result;
}

std::string first_error(const std::string& text) {
    ParseResult parsed = parse_scenario(text, "t.mmt");
    return parsed.errors.empty() ? "" : parsed.errors.front().format();
}

uint64_t binomial(uint64_t n, uint64_t k) {
    uint64_t r = 1;
    for (uint64_t i = 1; i <= k; ++i)
        r = r * (n - k + i) / i;
    return r;
}

// The steps of the command on `line` (the race block), as "cpuN sentence".
std::vector<std::string> lanes(const Sim& s, uint32_t line) {
    std::vector<std::string> out;
    for (const CommandRecord& c : s.k().commands())
        if (c.line == line)
            for (uint32_t i = c.step_begin; i < c.step_end; ++i)
                out.push_back("cpu" + std::to_string(s.k().steps()[i].cpu) + " " + s.k().step_sentence(i));
    return out;
}

} // namespace

TEST_CASE("A race block is one command holding each CPU's commands", "[race]") {
    ParseResult parsed =
        parse_scenario(race("migrate", "  cpu1 fork P C\n  flush off\n  order 1 0 0110 1\n"), "t.mmt");
    REQUIRE(parsed.scenario);
    const Command& c = parsed.scenario->commands.back();
    REQUIRE(c.kind == CommandKind::race);
    const RaceBlock& b = *c.race;
    CHECK(b.cpus[0].size() == 1);
    CHECK(b.cpus[0][0].kind == CommandKind::migrate);
    REQUIRE(b.cpus[1].size() == 2);
    CHECK(b.cpus[1][0].kind == CommandKind::pin);
    CHECK(b.cpus[1][0].fast);
    CHECK(b.cpus[1][1].kind == CommandKind::fork);
    CHECK_FALSE(b.flush);
    CHECK(b.order == std::vector<uint8_t>{1, 0, 0, 1, 1, 0, 1});
    CHECK(b.end_line == 11);
    CHECK(c.loc.line == 5);
    // The handle and the child exist after the block.
    CHECK(
        parse_scenario(race("migrate", "  cpu1 fork P C\n") + "release H\nexpect C buf[0] shared\n", "t.mmt")
            .scenario);
}

TEST_CASE("Race block errors name the line and say what was expected", "[race]") {
    CHECK(first_error(kSetup + "race\n  cpu0 migrate P buf[0]\n") ==
          "t.mmt:5:1: error: expected end to close this race block, got end of file");
    CHECK(first_error(kSetup + "end\n") ==
          "t.mmt:5:1: error: expected a command, got \"end\" (no race block is open)");
    CHECK(first_error(kSetup + "race\n  cpu0 migrate P buf[0]\n  cpu1 pin P buf[0] write as H\nend\n") ==
          "t.mmt:7:8: error: expected fast: a race block interleaves the lockless GUP-fast walk (pin P A ... "
          "fast as H)");
    CHECK(first_error(kSetup +
                      "race\n  cpu0 migrate P buf[0]\n  cpu0 fork P C\n  cpu1 pin P buf[0] fast as H\nend\n")
              .find("t.mmt:7:8: error: expected fork after the pin or get on the same CPU") == 0);
    CHECK(first_error(kSetup + "race\n  cpu0 migrate P buf[0]\n  cpu1 swapout P buf[0]\nend\n") ==
          "t.mmt:7:8: error: expected one migrate or swapout in a race block, got a second");
    CHECK(first_error(kSetup + "race\n  cpu0 migrate P buf[0]\nend\n") ==
          "t.mmt:7:1: error: expected a race block with migrate or swapout on one CPU and pin or get ... "
          "fast on the other, got no pin or get");
    CHECK(first_error(race("migrate", "  order 1 2\n")) ==
          "t.mmt:8:11: error: expected 0 or 1 for each atomic step (order 1 0 0 1, or grouped: order 1001), "
          "got \"2\"");
    CHECK(first_error(race("migrate", "  flush on\n  flush off\n")) ==
          "t.mmt:9:3: error: expected at most one flush line in a race block, got a second (the first is at "
          "line 8)");
    CHECK(
        first_error(race("migrate", "  expect invariants\n")) ==
        "t.mmt:8:3: error: expected cpu0, cpu1, flush, order or end in the race block opened at line 5, got "
        "\"expect\"");
    CHECK(first_error(race("migrate", "  race\n")).find("(race blocks do not nest)") != std::string::npos);
    CHECK(first_error(race("migrate", "  cpu1 write P buf[0] \"y\"\n")) ==
          "t.mmt:8:8: error: expected a command a race block interleaves (migrate, swapout, pin ... fast, "
          "get ... fast or fork), got \"write\"");
    // An order line holds at most 15 groups: more would be cut by the lexer.
    CHECK(
        first_error(race("migrate", "  order 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1\n")).find("groups of digits") !=
        std::string::npos);
    CHECK(first_error(race("migrate", "  order 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0  # fifteen\n")).empty());
}

TEST_CASE("GUP-fast entirely before or after the unmap ends as the plain commands do", "[race]") {
    // The step machines make the changes migrate.cpp and swap.cpp make.
    auto same = [](const std::string& raced, const std::string& plain) {
        Sim a = Sim::run(kSetup + raced), b = Sim::run(kSetup + plain);
        CHECK(a.k().state().pages.same_live(b.k().state().pages));
        CHECK(a.k().state().ptes.same_live(b.k().state().ptes));
        CHECK(a.k().state().swap_slots.same_live(b.k().state().swap_slots));
        CHECK(a.k().state().processes.same_live(b.k().state().processes));
        CHECK(a.holder("H").pfn == b.holder("H").pfn);
        CHECK(a.violations_text() == b.violations_text());
    };
    const std::string block = "  cpu1 pin P buf[0] write fast as H\n";
    same("race\n  cpu0 migrate P buf[0]\n" + block + "  order 1 1 1 1 1\nend\n",
         "pin P buf[0] write fast as H\nmigrate P buf[0]\n");
    same("race\n  cpu0 migrate P buf[0]\n" + block + "  order 0 0 0 0 0 0 0\nend\n",
         "migrate P buf[0]\npin P buf[0] write fast as H\n");
    same("race\n  cpu0 swapout P buf[0]\n" + block + "  order 1 1 1 1 1\nend\n",
         "pin P buf[0] write fast as H\nswapout P buf[0]\n");
    same("race\n  cpu0 swapout P buf[0]\n" + block + "  order 0 0 0 0 0 0 0\nend\n",
         "swapout P buf[0]\npin P buf[0] write fast as H\n");
}

TEST_CASE("Each atomic step is a kernel step on its CPU's lane, and history steps through it", "[race]") {
    Sim s = Sim::run(race("migrate", "  order 1 0 0 1 1 1 0\n"));
    std::vector<std::string> steps = lanes(s, 5);
    REQUIRE(steps.size() >= 8);
    CHECK(steps[0].rfind("cpu1 B1 GUP-fast reads the PTE", 0) == 0);
    CHECK(steps[1].rfind("cpu0 isolate the page", 0) == 0);
    CHECK(steps[2].rfind("cpu0 A1 take the page table lock and clear the PTE", 0) == 0);
    CHECK(steps[3].rfind("cpu0 A1 waits for the TLB flush: cpu1 is inside GUP-fast", 0) == 0); // the IPI
    CHECK(steps[4].rfind("cpu1 B2", 0) == 0);
    CHECK(steps[5].rfind("cpu1 B3", 0) == 0);
    CHECK(steps[6].rfind("cpu1 B4 re-reads the PTE: it changed since B1", 0) == 0);
    CHECK(steps[7].rfind("cpu0 A1 the flush IPI is acknowledged", 0) == 0);
    // Stepping back to before the block and forward again gives the same states.
    Kernel& k = s.k();
    KernelState end = k.state();
    uint32_t first = k.commands().back().step_begin;
    k.seek(first);
    CHECK(k.pte(s.vma("P", "buf"), 0).writable());
    k.seek(static_cast<uint32_t>(k.steps().size()));
    CHECK(k.state() == end);
    CHECK(s.exclusive("P", "buf", 0));
    CHECK(s.holder("H").pfn == s.pfn("P", "buf", 0));
}

TEST_CASE("With the flush, the commit's order II backs GUP-fast off, without, it ends as section II says",
          "[race]") {
    // The commit's steps: B1; try_to_migrate (A1-A4); GUP-fast pins (B2-B5);
    // fork; the refcount test fails; the entries are restored.
    const std::string fork = "  cpu1 fork P C\n";
    Sim off = Sim::run(race("migrate", fork + "  flush off\n  order 1 0 0 0 0 1 1 1 1 1 0 0\n"));
    CHECK(off.last_outcome() == "cpu0 migrate: page is pinned");
    CHECK(off.kind("P", "buf", 0) == "present-ro");
    CHECK(off.kind("C", "buf", 0) == "present-ro");
    CHECK(off.pfn("P", "buf", 0) == off.pfn("C", "buf", 0));
    CHECK_FALSE(off.exclusive("P", "buf", 0));            // PG_anon_exclusive is lost ...
    CHECK(off.holder("H").pfn == off.pfn("P", "buf", 0)); // ... on a pinned page
    CHECK(off.head("P", "buf", 0).refcount == 2 + kPin);
    // I2 is reported first at B5, where GUP-fast keeps the pin on a page A3
    // made possibly shared.
    REQUIRE_FALSE(off.violations("invariant").empty());
    const Violation v = off.violations("invariant").front();
    CHECK(v.rule == "I2 pinned => exclusive");
    CHECK(off.k().step_sentence(v.step).rfind("B5 GUP-fast keeps the pin", 0) == 0);
    CHECK(off.k().steps()[v.step].cpu == 1);

    // The same order with the flush: A1's flush spins until the walk is over,
    // B4 sees the cleared PTE, and the pin ends on the migrated page.
    Sim on = Sim::run(race("migrate", fork + "  order 1 0 0 1 1 1 0 0 0 0 0 0 1 1\n"));
    CHECK(on.last_outcome() == "ok");
    CHECK(on.exclusive("P", "buf", 0));
    CHECK(on.holder("H").pfn == on.pfn("P", "buf", 0));
    CHECK(on.pfn("C", "buf", 0) != on.pfn("P", "buf", 0));
    CHECK(on.k().violations().empty());
}

TEST_CASE("Without the flush, the commit's order III pins a page behind a swap entry that is not exclusive",
          "[race]") {
    Sim s = Sim::run(race("swapout", "  flush off\n  order 1 0 0 0 0 0 1 1 1 1 0\n"));
    CHECK(s.last_outcome() == "ok");
    CHECK(s.kind("P", "buf", 0) == "swap");
    CHECK(s.pte("P", "buf", 0).has(Pte::swp_exclusive)); // the entry remembers ...
    CHECK_FALSE(s.exclusive("P", "buf", 0));             // ... the pinned page does not
    CHECK(s.page("P", "buf", 0).test(PG_swapcache));
    CHECK(s.holder("H").pfn == s.pfn("P", "buf", 0));
    REQUIRE_FALSE(s.violations("invariant").empty());
    const Violation v = s.violations("invariant").front();
    CHECK(v.rule == "I2 pinned => exclusive");
    CHECK(s.k().step_sentence(v.step).rfind("B5", 0) == 0);
}

TEST_CASE("An order names the CPU of each step, a waiting CPU spins, a finished one is an error", "[race]") {
    Sim extra = Sim::run(race("migrate", "  order 1 1 1 1 1 1\n"));
    CHECK(extra.last_outcome() == "the order names a CPU that has finished");
    // No order: the CPUs take turns, starting with cpu0, passing over a waiting CPU.
    Sim turns = Sim::run(race("migrate"));
    std::vector<std::string> steps = lanes(turns, 5);
    REQUIRE(steps.size() > 3);
    CHECK(steps[0].rfind("cpu0 isolate", 0) == 0);
    CHECK(steps[2].rfind("cpu1 B1 GUP-fast reads the PTE with interrupts off: not present", 0) == 0);
    CHECK(turns.last_outcome() == "ok");
    CHECK(turns.exclusive("P", "buf", 0));
}

TEST_CASE("Explorer counts on the synthetic model: C(m+n, m) interleavings, breaking ones by hand",
          "[race][explore]") {
    // Two CPUs of m and n steps that never wait: a schedule is the choice of
    // which m of the m+n steps are cpu0's, so C(m+n, m) of them.
    // Breaking: cpu1's 2nd step after cpu0's 2nd (m = n = 3). Paths on the
    // grid (cpu0 steps x, cpu1 steps y) that take cpu1's 2nd step at x <= 1
    // do not break: x=0: 1 way to (0,1) times C(4,1)=4 ways from (0,2) to
    // (3,3); x=1: 2 ways to (1,1) times C(3,1)=3 from (1,2): 4+6 = 10. So
    // 20 - 10 = 10 break. A search without pruning runs one step per edge of
    // the prefix tree: sum over 0<=i<=m, 0<=j<=n of C(i+j, i), minus the
    // root, = C(m+n+2, m+1) - 2 = C(8, 4) - 2 = 68.
    for (bool prune : {false, true}) {
        SyntheticRace model(3, 3, 2, 2);
        ExploreResult r = explore(model, ExploreOptions{prune});
        CHECK(r.interleavings == binomial(6, 3));
        CHECK(r.interleavings == 20);
        CHECK(r.breaking == 10);
        CHECK(r.steps_unpruned == 68);
        CHECK(r.shortest == std::vector<uint8_t>{0, 0, 0, 1, 1, 1}); // all equally long: cpu0 first
        if (!prune)
            CHECK(r.steps_run == r.steps_unpruned);
        else
            CHECK(r.steps_run < r.steps_unpruned);
    }
    // m = 2, n = 4, cpu1's 3rd step after cpu0's 1st: it does not break only
    // when cpu1 runs its first three steps before cpu0 starts: the schedules
    // 1 1 1 then any order of the last 3 steps (two cpu0): C(3, 2) = 3.
    SyntheticRace model(2, 4, 1, 3);
    ExploreResult r = explore(model);
    CHECK(r.interleavings == binomial(6, 2));
    CHECK(r.breaking == 15 - 3);
    CHECK(r.steps_unpruned == binomial(8, 3) - 2);
}

TEST_CASE("Explorer counts of race II without the flush, worked out by hand", "[race][explore]") {
    // Model: cpu0 migrate (A1 A2 A3 A4 M1 M2; A1 holds isolation, the flush
    // is off so there is no flush step; when A2 sees a pin: A1 A2 M2), cpu1
    // pin write fast (B1 B2 B3 B4 B5; after a give-up, the slow path S, which
    // waits until cpu0 is done). Without the flush B4 never sees a change.
    //  X  B1 after M2: cpu0 then cpu1 in one block: 1 schedule, no breach.
    //  Y  B1 after A1, before M2 (it reads none or a migration entry and
    //     gives up): 5 gaps for B1, S at the end: 5 schedules, no breach.
    //  Z  B1 first (before A1):
    //     Z1 B3 before A2: A2 sees the pin, migration fails (A1 A2 M2).
    //        Schedules of A1 A2 M2 with B2..B5 where B3 comes before A2:
    //        sum over j=2..4 of (j+1)(5-j) = 9 + 8 + 5 = 22. No breach.
    //     Z2 B3 after A2: migration goes on with the page unpinned at A2.
    //        Z2a B3 after M2: the old page is freed, B3 cannot grab it, S:
    //            B2 in any of 7 gaps: 7 schedules, no breach.
    //        Z2b B3 after A2, before M2: the page is pinned while A3 cleared
    //            PG_anon_exclusive. B3 at cpu0 position i=2..5: sum of
    //            (i+1) C(8-i, 2) = 45 + 40 + 30 + 18 = 133 schedules. They
    //            break, except when B3 comes before M1 (the refcount test then
    //            fails and M2 restores the writable entry as exclusive) and B5
    //            after M2: the pin is only returned once the page is exclusive
    //            again: i=2..4, B5 last, B4 anywhere between: sum (i+1)(7-i)
    //            = 15 + 16 + 15 = 46. Breaking: 133 - 46 = 87.
    //  Total 1 + 5 + 22 + 7 + 133 = 168; breaking 87.
    ExploreResult off = explore_text(race("migrate", "  flush off\n"));
    CHECK(off.interleavings == 168);
    CHECK(off.breaking == 87);
    CHECK(off.stuck == 0);
    CHECK(off.steps_run < off.steps_unpruned);

    // With the flush (A1 clear, A1 flush): B1 first, A1 before B4 (3 places):
    // B4 gives up, then cpu0 to the end, then S: 3; A1 after B4: A2 sees the
    // pin, 2 places for A1 around B5: 2; A1 first: B1 in one of 6 gaps before
    // the end (gives up, S last) or after M2: 7. Total 12, none breaks.
    ExploreResult on = explore_text(race("migrate"));
    CHECK(on.interleavings == 12);
    CHECK(on.breaking == 0);
    CHECK(on.shortest.empty());
}

TEST_CASE("With the flush no interleaving of II (with fork) or III breaks an invariant, without, some do",
          "[race][explore]") {
    const std::string fork = "  cpu1 fork P C\n";
    CHECK(explore_text(race("migrate", fork)).breaking == 0);
    CHECK(explore_text(race("swapout")).breaking == 0);
    CHECK(explore_text(race("swapout", fork)).breaking == 0);
    ExploreResult ii = explore_text(race("migrate", fork + "  flush off\n"));
    ExploreResult iii = explore_text(race("swapout", "  flush off\n"));
    CHECK(ii.breaking > 0);
    CHECK(iii.breaking > 0);
    // The shortest breaking schedule replays to a breach.
    std::string order;
    for (uint8_t cpu : iii.shortest)
        order += char('0' + cpu);
    Sim replay = Sim::run(race("swapout", "  flush off\n  order " + order + "\n"));
    CHECK_FALSE(replay.k().violations().empty());
    // Pruning changes the work, not the answer.
    ExploreResult plain = [&] {
        ParseResult parsed = parse_scenario(race("swapout", "  flush off\n"), "t.mmt");
        return explore_race(*parsed.scenario, Era::c, first_race_command(*parsed.scenario),
                            ExploreOptions{false})
            .result;
    }();
    CHECK(plain.interleavings == iii.interleavings);
    CHECK(plain.breaking == iii.breaking);
    CHECK(plain.shortest == iii.shortest);
    CHECK(plain.steps_run == iii.steps_unpruned);
}

TEST_CASE("Race blocks run in eras a and b (no PG_anon_exclusive to clear)", "[race]") {
    for (Era era : {Era::a, Era::b}) {
        Sim s = Sim::run(race("migrate", "  order 1 1 1 1 1\n"), era);
        // Pins are not checked before unmapping: the refcount test fails
        // instead and the entry is restored.
        CHECK((s.last_outcome() == "cpu0 migrate: page has unexpected references" ||
               s.last_outcome() == "cpu0 migrate: page is pinned"));
        CHECK(s.kind("P", "buf", 0) == "present-rw");
        CHECK(s.holder("H").pfn == s.pfn("P", "buf", 0));
        CHECK(explore_text(race("swapout", "  cpu1 fork P C\n"), era).interleavings > 0);
    }
}

TEST_CASE("GUP-fast in a race block gives up on a PROT_NONE PMD, as gup_pmd_range does", "[race][thp]") {
    const std::string text = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"x\"\nprotect P buf none\n"
                             "race\n  cpu0 migrate P buf[0]\n  cpu1 pin P buf[0] fast as H\n  order 1 1 0\nend\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        const std::vector<std::string> steps = lanes(s, 5);
        REQUIRE(steps.size() >= 3);
        CHECK(steps[0].starts_with("cpu1 B1 GUP-fast reads the PMD with interrupts off: PROT_NONE"));
        CHECK(steps[2] == "cpu1 check_vma_flags: the VMA does not allow this access: -EFAULT");
        CHECK(s.last_outcome() == "cpu1 pin: bad address (-EFAULT)");
        CHECK_FALSE(s.k().find_holder("H"));
        // The migration is not held up by a pin: the THP moved.
        CHECK(s.pmd("P", "buf", 0).is_trans_huge());
        CHECK(s.pmd("P", "buf", 0).has(Pte::protnone));
        CHECK(s.data("P", "buf", 0) == "x");
    }
}

TEST_CASE("GUP-fast in a race block grabs the huge zero page, only the small zero page's PTE is special",
          "[race][thp]") {
    const std::string text = "process P\nmap P buf 512 rw thp\nread P buf[0]\n"
                             "race\n  cpu0 swapout P buf[1]\n  cpu1 pin P buf[0] fast as H\n  order 1 1 1 1 1 0\nend\n";
    auto s = Sim::run(text, Era::b);
    const std::vector<std::string> steps = lanes(s, 4);
    REQUIRE_FALSE(steps.empty());
    CHECK(steps[0].starts_with("cpu1 B1 GUP-fast reads the PMD locklessly, interrupts off: present, read-only"));
    REQUIRE(s.k().find_holder("H"));
    CHECK(s.k().is_zero_pfn(s.holder("H").pfn));
}
