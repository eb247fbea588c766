// The invariant checker (semantics.md 4.1): quiet on correct states of every
// era, and reporting the era-a/b bugs (sections 3.2, 3.4, matrix 3.5) as the
// coherence breaches they are, while era c has none.
#include <catch2/catch.hpp>
#include <string>

#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {

// A run through every operation that leaves nothing wrong in any era.
const std::string kEverything =
    "process P\nmap P buf 4 rw\nmap P huge 512 rw thp\n"
    "write P buf[0] \"a\"\nread P buf[1]\nwrite P buf[2] \"b\"\nwrite P huge[0] \"h\"\n"
    "pin P buf[0] write longterm as H\nget P buf[2] as G\nfork P C\n"
    "write C buf[0] \"c\"\nswapout C buf[2]\nread C buf[2]\nmigrate P buf[0]\n"
    "migrate-to-device P buf[3]\nread P buf[3]\nprotect P buf ro\nprotect P buf rw\n"
    "clear-softdirty C\nsplit-pmd C huge[0]\nmadvise C buf[1] dontneed\n"
    "release H\nrelease G\nksm-merge P buf[0] C buf[0]\nexit C\nmadvise P huge pageout\n";

} // namespace

TEST_CASE("A run through every operation breaks no invariant in any era", "[invariants]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(kEverything, era);
        CHECK(s.violations_text() == "");
        CHECK(check_all_invariants(s.k()).empty());
    }
}

TEST_CASE("Every command boundary is a quiescent state where all identities hold", "[invariants]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(kEverything, era);
        Kernel& k = s.k();
        for (const CommandRecord& c : std::vector<CommandRecord>(k.commands().begin(), k.commands().end())) {
            k.seek(c.step_end);
            for (const Violation& v : check_all_invariants(k))
                FAIL_CHECK("after line " << c.line << ": " << v.rule << ": " << v.message);
        }
    }
}

TEST_CASE("The checker finds breaches in a state where they exist: era b's lost R/W pin (B-1)",
          "[invariants]") {
    const std::string text = "process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\npin P buf[0] write longterm as H\n"
                             "protect P buf ro\nprotect P buf rw\nwrite P buf[0] \"b\"\n";
    auto b = Sim::run(text, Era::b);
    auto coherence = b.violations("coherence");
    REQUIRE(coherence.size() == 1);  // reported once, at the step that caused it
    CHECK(coherence.front().rule == "pin coherence");
    CHECK(b.violations("invariant").empty());
    // Reported by the write that copied the page away from the pin (line 7), not by mprotect.
    const CommandRecord& last = b.k().commands().back();
    CHECK(last.line == 7);
    CHECK(coherence.front().step >= last.step_begin);
    CHECK(coherence.front().step < last.step_end);
    auto c = Sim::run(text, Era::c);
    CHECK(c.violations_text() == "");
}

TEST_CASE("Era a: a pinned page that fork shared ends up in the child (A-2): a pin coherence breach",
          "[invariants]") {
    const std::string text = "process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\npin P buf[0] write longterm as H\n"
                             "fork P C\nwrite P buf[0] \"b\"\n";
    auto a = Sim::run(text, Era::a);
    auto coherence = a.violations("coherence");
    REQUIRE_FALSE(coherence.empty());
    CHECK(coherence.front().rule == "pin coherence");
    CHECK(Sim::run(text, Era::b).violations_text() == "");
    CHECK(Sim::run(text, Era::c).violations_text() == "");
}

TEST_CASE("Era a: the vmsplice leak (A-1, CVE-2020-29374) lets the pipe read the parent's later write",
          "[invariants]") {
    const std::string text = "process P\nmap P buf 1 rw\nwrite P buf[0] \"S1\"\nfork P C\n"
                             "vmsplice C buf[0] as pipe\nunmap C buf\nwrite P buf[0] \"S2\"\n";
    auto a = Sim::run(text, Era::a);
    CHECK(a.held_data("pipe") == "S2");                  // the child sees the parent's secret
    CHECK(a.pfn("P", "buf", 0) == a.holder("pipe").pfn);  // reuse in place (mapcount 1)
    CHECK(a.violations("invariant").empty());
    for (Era era : {Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        CHECK(s.held_data("pipe") == "S1");
        CHECK(s.pfn("P", "buf", 0) != s.holder("pipe").pfn);
        CHECK(s.violations_text() == "");
    }
}

TEST_CASE("Era c keeps FOLL_GET + fork as a known limitation: a GUP reference coherence breach (S8)",
          "[invariants]") {
    auto s = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\nget P buf[0] as G\nfork P C\n"
                      "write P buf[0] \"b\"\n");
    auto coherence = s.violations("coherence");
    REQUIRE(coherence.size() == 1);
    CHECK(coherence.front().rule == "GUP reference coherence");
    CHECK(s.violations("invariant").empty());
}

TEST_CASE("A reference the process let go of (munmap) is not a coherence breach", "[invariants]") {
    auto s = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\npin P buf[0] write as H\n"
                      "unmap P buf\n");
    CHECK(s.violations_text() == "");
    CHECK(check_coherence(s.k()).empty());
}

TEST_CASE("Eras a and b have no PG_anon_exclusive: the local era-c rules are not checked there", "[invariants]") {
    // In era b a pinned page becomes R/O-shared through swap-out (B-2); nothing
    // of that is an "invariant" breach, only the later coherence loss is.
    const std::string text = "process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\nget P buf[0] as G\n"
                             "swapout P buf[0]\nread P buf[0]\nwrite P buf[0] \"b\"\n";
    auto b = Sim::run(text, Era::b);
    CHECK(b.violations("invariant").empty());
    CHECK_FALSE(b.violations("coherence").empty());
    auto c = Sim::run(text, Era::c);
    CHECK(c.violations_text() == "");
}

TEST_CASE("Turning the checker off records no violations, while the same run with it on does", "[invariants]") {
    const std::string text = "process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\nget P buf[0] as G\nfork P C\n"
                             "write P buf[0] \"b\"\n";
    CHECK(Sim::run(text, Era::c, false).k().violations().empty());
    CHECK_FALSE(Sim::run(text, Era::c, true).k().violations().empty());
    CHECK(check_coherence(Sim::run(text, Era::c, false).k()).size() == 1);
}

TEST_CASE("resolve_page names the page an address stands for, through every kind of entry", "[invariants]") {
    auto s = Sim::run("process P\nmap P buf 4 rw\nwrite P buf[0] \"a\"\nwrite P buf[1] \"b\"\nget P buf[1] as G\n"
                      "swapout P buf[1]\nwrite P buf[2] \"c\"\nmigrate-to-device P buf[2]\n");
    CHECK(s.pfn("P", "buf", 0) == s.pte("P", "buf", 0).pfn());
    CHECK(s.pfn("P", "buf", 1) == s.holder("G").pfn);  // the swap cache page of the swap entry
    CHECK(s.k().page(s.pfn("P", "buf", 2)).test(PG_device_private));
    CHECK(s.pfn("P", "buf", 3).value == 0);
}

TEST_CASE("A pin-count breach on a THP names the field each era's kernel keeps the count in", "[invariants]") {
    const std::string text = "process P\nmap P huge 512 rw thp\nwrite P huge[0] \"h\"\npin P huge[0] write as H\n";
    for (auto [era, field] : {std::pair{Era::a, "hpage_pinned_refcount is 2 but 1 pins hold it"},
                              std::pair{Era::b, "hpage_pinned_refcount is 2 but 1 pins hold it"},
                              std::pair{Era::c, "compound_pincount is 2 but 1 pins hold it"}}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(text, era);
        Kernel& k = s.k();
        Pfn head = s.pfn("P", "huge", 0);
        REQUIRE(k.page(head).pincount == 1);
        k.set_page(head, PageField::pincount, 2);  // a state no kernel path makes
        std::vector<std::string> messages;
        for (const Violation& v : check_all_invariants(k))
            if (v.rule == "I13 pincount identity")
                messages.push_back(v.message);
        REQUIRE(messages.size() == 1);
        CHECK_THAT(messages.front(), Catch::Matchers::EndsWith(field));
    }
}
