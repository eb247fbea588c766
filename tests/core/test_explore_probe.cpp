// The explorer's probe (docs/races.md 4): after each interleaving of a race
// block, each pinning process writes (or reads, then writes) through its
// pinned address, and the pin must still refer to the page the process maps.
// Eras a and b have no PG_anon_exclusive rules, so their invariant checker
// keeps quiet about races that corrupt a pin; the probe does not. Expected
// counts are worked out by hand from the step machines (docs/races.md 2) and
// the kernel's behaviour in each era (semantics reference 3.2, 3.4, 4.4, 4.5).
#include "explore.h"
#include "explore_replay.h"
#include "scenario_fixture.h"

#include <catch2/catch.hpp>
#include <string>

using namespace mmt;
using namespace mmt::test;

namespace {

// Race III in era b's shape: reclaim against a R/W GUP-fast pin.
const std::string kRaceIII = "process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\nrace\n"
                             "  cpu0 swapout P buf[0]\n  cpu1 pin P buf[0] write fast as H\nend\n";
// Race II with fork.
const std::string kRaceIIFork = "process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\nrace\n"
                                "  cpu0 migrate P buf[0]\n  cpu1 pin P buf[0] write fast as H\n"
                                "  cpu1 fork P C\nend\n";

RaceExploreReport explore_report(const std::string& text, Era era, bool prune = true) {
    ParseResult parsed = parse_scenario(text, "t.mmt", era);
    REQUIRE(parsed.scenario);
    uint32_t index = first_race_command(*parsed.scenario);
    REQUIRE(index != UINT32_MAX);
    return explore_race(*parsed.scenario, era, index, ExploreOptions{prune});
}

std::string digits(const std::vector<uint8_t>& schedule) {
    std::string out;
    for (uint8_t cpu : schedule)
        out += char('0' + cpu);
    return out;
}

// Two CPUs of two steps each that never wait. A step breaks an invariant
// when cpu0 runs the schedule's very first step; the probe fails when cpu1
// ran the last step. State: both positions and the CPU that ran last.
class ProbedPair : public Interleavable {
public:
    bool can_run(int cpu) const override { return pos_[cpu] < 2; }
    bool done() const override { return pos_[0] == 2 && pos_[1] == 2; }
    bool run(int cpu) override {
        bool breaks = cpu == 0 && pos_[0] == 0 && pos_[1] == 0;
        history_.push_back(last_);
        last_ = cpu;
        ++pos_[cpu];
        path_.push_back(cpu);
        return breaks;
    }
    void undo() override {
        --pos_[path_.back()];
        path_.pop_back();
        last_ = history_.back();
        history_.pop_back();
    }
    uint64_t hash() const override {
        return uint64_t(pos_[0]) << 16 | uint64_t(pos_[1]) << 8 | uint64_t(last_ + 1);
    }
    bool probe() override { return last_ == 1; }

private:
    int pos_[2] = {0, 0};
    int last_ = -1;
    std::vector<int> history_, path_;
};

} // namespace

TEST_CASE("The probe's counts: by hand on a model, the same with and without pruning", "[race][explore]") {
    // The 6 schedules of 2 + 2 steps: 0011 0101 0110 1001 1010 1100. The probe
    // fails for those that end with cpu1: 0011 0101 1001 = 3; of them, 1001
    // does not start with cpu0, so it breaks no invariant. Breaking: the
    // three that start with cpu0.
    for (bool prune : {false, true}) {
        ProbedPair model;
        ExploreResult r = explore(model, ExploreOptions{prune});
        CHECK(r.interleavings == 6);
        CHECK(r.breaking == 3);
        CHECK(r.incoherent == 3);
        CHECK(r.incoherent_unbroken == 1);
        CHECK(r.shortest_incoherent == std::vector<uint8_t>{0, 0, 1, 1}); // all as long: cpu0 first
        // Without pruning every schedule's end is probed; with it, each of the
        // two end states (cpu0 or cpu1 last) once.
        CHECK(r.probes == (prune ? 2u : 6u));
    }
}

TEST_CASE("Race III in era b: a pin taken between reclaim's pin test and try_to_unmap is lost to a later "
          "read and write",
          "[race][explore]") {
    // Era b (v5.11-v5.17, semantics 3.1 B2 and 3.2 B-2): shrink_page_list's
    // page_maybe_dma_pinned test (the prologue, P) is not synchronised with
    // GUP-fast, and try_to_unmap_one batches the TLB flush and does not look
    // for pins. cpu0: P A1 A2 A3 A4 S1 (six steps); cpu1: B1 .. B5. S1 begins
    // with try_to_unmap_flush_dirty(): the cleared PTE was dirty, so the
    // batched flush must complete before pageout, and it cannot while cpu1
    // is inside GUP-fast (B1 done, B5 not yet). The pin survives reclaim when
    // B3 comes after P (else P sees it and reclaim gives up) and B4 before A1
    // (else B4 sees the cleared PTE and backs off to the slow path, which
    // waits for reclaim and swaps the page in with a write fault). Then the
    // pinned page is in the swap cache, unmapped: P's read maps it read-only,
    // and its write copies it (page_count > 1). Counting the gaps between
    // cpu0's steps (0 before P, 1 between P and A1, 2..6 after A1..S1) where
    // cpu1's steps go: B3 and B4 in gap 1, B1 <= B2 in gaps 0..1 (3 ways), B5
    // in gaps 1..5, before S1 (5 ways): 15 interleavings, and no invariant of
    // era b breaks.
    RaceExploreReport b = explore_report(kRaceIII, Era::b);
    CHECK(b.result.interleavings == 105);
    CHECK(b.result.breaking == 0);
    CHECK(b.result.incoherent == 15);
    CHECK(b.result.incoherent_unbroken == 15);
    // The shortest (all are 11 steps; ties: cpu0 first): P, B1-B4, A1-A4, B5, S1.
    CHECK(b.incoherent_order == "01111000010");
    REQUIRE(b.probe);
    CHECK(b.probe->holder == "H");
    CHECK(b.probe->process == "P");
    CHECK(b.probe->address == "buf[0]");
    CHECK(b.probe->read_first); // a write alone reuses: reuse_swap_page counts mappings only
    // Pruning changes the work, not the answer.
    RaceExploreReport plain = explore_report(kRaceIII, Era::b, false);
    CHECK(plain.result.incoherent == 15);
    CHECK(plain.result.incoherent_unbroken == 15);
    CHECK(plain.incoherent_order == b.incoherent_order);

    // Era a (v5.7, 3.3 and 3.5 S5): the page goes to the swap cache pinned
    // too, but the write fault reuses it (mapcount + swap count is 1).
    RaceExploreReport a = explore_report(kRaceIII, Era::a);
    CHECK(a.result.interleavings == 117);
    CHECK(a.result.breaking == 0);
    CHECK(a.result.incoherent == 0);
    CHECK_FALSE(a.probe);
    // Era c (v6.2): the seed's fix with v6.1's barriers. A1 clears the PTE
    // (its flush batched) before A2 looks for pins, B3 pins before B4
    // re-reads: either A2 sees the pin and refuses the page, or B4 sees the
    // cleared PTE and backs off, so the pin always stays with the mapped,
    // exclusive page.
    RaceExploreReport c = explore_report(kRaceIII, Era::c);
    CHECK(c.result.interleavings == 102);
    CHECK(c.result.breaking == 0);
    CHECK(c.result.incoherent == 0);
    CHECK(c.incoherent_order.empty());
}

TEST_CASE(
    "Race II with fork in eras a and b: the pinned page is shared with the child and P's write copies it",
    "[race][explore]") {
    // Era a (3.4 A-2): fork never looks for pins, so whatever the order, the
    // pinned page ends up shared with C and P's next write copies it
    // (mapcount 2): every interleaving leaves the pin incoherent.
    RaceExploreReport a = explore_report(kRaceIIFork, Era::a);
    CHECK(a.result.interleavings == 17);
    CHECK(a.result.breaking == 0);
    CHECK(a.result.incoherent == 17);
    CHECK(a.result.incoherent_unbroken == 17);
    CHECK(a.incoherent_order == "1111110"); // GUP-fast, fork, then migration
    REQUIRE(a.probe);
    CHECK(a.probe->holder == "H");
    CHECK_FALSE(a.probe->read_first);

    // Era b (3.1, 4.4): fork copies a pinned page only when it finds it
    // mapped (page_needs_cow_for_dma); migration does not look for pins.
    // The pin survives the unmap when B1-B4 run before A1 (A1's flush then
    // waits for B5). A1 goes before or after B5 (2 ways); fork must run while
    // the page is behind the writable migration entry, after A4 (fork waits
    // for the page table lock until then) and before M2: before or after M1
    // (2 ways). Fork turns the entry readable in both, M2 fails on the pin
    // and restores read-only PTEs in both: 2 x 2 = 4 (semantics 4.4 steps
    // 7-10), none breaking an invariant of era b.
    RaceExploreReport b = explore_report(kRaceIIFork, Era::b);
    CHECK(b.result.interleavings == 17);
    CHECK(b.result.breaking == 0);
    CHECK(b.result.incoherent == 4);
    CHECK(b.result.incoherent_unbroken == 4);
    CHECK(b.incoherent_order == "1111010000010");
    REQUIRE(b.probe);
    CHECK_FALSE(b.probe->read_first);
    RaceExploreReport plain = explore_report(kRaceIIFork, Era::b, false);
    CHECK(plain.result.incoherent == 4);
    CHECK(plain.incoherent_order == b.incoherent_order);

    // Era c, the seed's fix: no order leaves the pin incoherent.
    RaceExploreReport c = explore_report(kRaceIIFork, Era::c);
    CHECK(c.result.interleavings == 15);
    CHECK(c.result.breaking == 0);
    CHECK(c.result.incoherent == 0);
    CHECK_FALSE(c.probe);
}

TEST_CASE(
    "The probe's finding replays: the scenario ends with the access and a failing coherence expectation",
    "[race][explore]") {
    ParseResult parsed = parse_scenario(kRaceIII, "t.mmt", Era::b);
    REQUIRE(parsed.scenario);
    ExploreFinding f = explore_first_race(*parsed.scenario, kRaceIII, Era::b);
    CHECK(f.replay.empty()); // nothing breaks an invariant
    REQUIRE_FALSE(f.incoherent_replay.empty());
    const std::string tail = "  order 0 1 1 1 1 0 0 0 0 1 0\nend\nread P buf[0]\nwrite P buf[0] \"later\"\n"
                             "expect H coherent P buf[0]\n";
    CHECK(f.incoherent_replay.substr(f.incoherent_replay.size() - tail.size()) == tail);
    Sim s = Sim::run(f.incoherent_replay, Era::b);
    REQUIRE(s.result().expectations.size() == 1);
    CHECK_FALSE(s.result().expectations[0].passed);
    bool coherence = false;
    for (const Violation& v : s.k().violations())
        coherence = coherence || v.rule == "pin coherence";
    CHECK(coherence);
    // The same order in era c keeps the pin with the page (reclaim gives up).
    Sim c = Sim::run(f.incoherent_replay, Era::c);
    CHECK(c.result().failed() == 0);
}

TEST_CASE("Era c: the probe finds nothing with the flush, and only what already breaks without it",
          "[race][explore]") {
    const std::string setup = "process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\nrace\n";
    auto race = [&](const std::string& writer, const std::string& extra) {
        return setup + "  cpu0 " + writer + " P buf[0]\n  cpu1 pin P buf[0] write fast as H\n" + extra +
               "end\n";
    };
    for (const char* writer : {"migrate", "swapout"})
        for (const char* fork : {"", "  cpu1 fork P C\n"})
            CHECK(explore_report(race(writer, fork), Era::c).result.incoherent == 0);
    // Without the flush (a teaching switch, not the kernel), race II with
    // fork reaches the state of semantics 4.4 step 9: the pinned page mapped
    // read-only by P and C and not exclusive, so P's write copies it (step 10).
    // Every such interleaving already broke I2 at B5.
    RaceExploreReport ii = explore_report(race("migrate", "  cpu1 fork P C\n  flush off\n"), Era::c);
    CHECK(ii.result.breaking == 197);
    CHECK(ii.result.incoherent == 128);
    CHECK(ii.result.incoherent_unbroken == 0);
    // Race III without the flush and without fork: the swap entry's exclusive
    // bit (1493a1913e34, era c) makes the swap-in map the page exclusive
    // again, so P's read and write keep it (the I2 breach at B5 stays).
    RaceExploreReport iii = explore_report(race("swapout", "  flush off\n"), Era::c);
    CHECK(iii.result.breaking == 157);
    CHECK(iii.result.incoherent == 0);
}

TEST_CASE("FOLL_GET references are not probed: the seed makes pins reliable, not them", "[race][explore]") {
    // The seed commit: FOLL_GET users "if fork() is *not* involved" improve,
    // "however swapout and fork() are still problematic" (semantics 3.5 S8,
    // S9). The probe asks what the commit promises: only pins.
    const std::string get = "process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\nrace\n"
                            "  cpu0 swapout P buf[0]\n  cpu1 get P buf[0] write fast as H\nend\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        RaceExploreReport r = explore_report(get, era);
        CHECK(r.result.incoherent == 0);
        CHECK(r.result.probes > 0);
    }
}

TEST_CASE("The explorer says when a writer ran as one atomic step, so its counts do not cover that unmap",
          "[explore][race]") {
    // The step machine covers an order-0 page mapped by one PTE (docs/races.md,
    // "One PTE"). Reclaim of a PMD-mapped THP runs whole: era b's kernel can
    // let a fast pin in between the split and try_to_unmap, which no
    // interleaving here shows, and the report must not read as "all clear".
    const std::string thp = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"x\"\nrace\n"
                            "  cpu0 swapout P buf[0]\n  cpu1 pin P buf[0] write fast as H\nend\n";
    RaceExploreReport whole = explore_report(thp, Era::b);
    REQUIRE(whole.whole_writer != nullptr);
    CHECK(std::string(whole.whole_writer) == "the page is a PMD-mapped THP");
    // A page shared with a child is mapped twice.
    const std::string shared = "process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\nfork P C\nrace\n"
                               "  cpu0 migrate P buf[0]\n  cpu1 get P buf[0] fast as G\nend\n";
    RaceExploreReport twice = explore_report(shared, Era::c);
    REQUIRE(twice.whole_writer != nullptr);
    CHECK(std::string(twice.whole_writer) == "the page is mapped more than once");
    // Race III on an order-0 page goes step by step.
    CHECK(explore_report(kRaceIII, Era::b).whole_writer == nullptr);
    CHECK(explore_report(kRaceIIFork, Era::c).whole_writer == nullptr);
}
