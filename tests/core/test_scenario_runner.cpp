// The scenario runner (shared/spec/scenario-language.md, "Expectations" and
// "The command-line runner"): every expectation kind passing and failing, the
// exact "expected ..., got ..." texts, outcomes, and record_of.
#include <catch2/catch.hpp>
#include <string>

#include "scenario_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {

// Lines 1-3.
const std::string kWritten = "process P\nmap P buf 2 rw\nwrite P buf[0] \"data\"\n";

// The one expectation of a run (the last line of `text`).
ExpectationResult only_expectation(const std::string& text, Era era = Era::c) {
    Sim s = Sim::run(text, era);
    REQUIRE(s.result().expectations.size() == 1);
    return s.result().expectations.front();
}

void check(const ExpectationResult& e, bool passed, const std::string& expected, const std::string& got) {
    CHECK(e.passed == passed);
    CHECK(e.expected == expected);
    CHECK(e.got == got);
}

} // namespace

TEST_CASE("expect ok and expect failed check the outcome of the command before them", "[runner]") {
    check(only_expectation(kWritten + "expect ok\n"), true, "ok", "ok");
    check(only_expectation(kWritten + "expect failed\n"), false, "failed", "ok");
    const std::string segv = "process P\nmap P buf 1 ro\nwrite P buf[0] \"x\"\n";
    check(only_expectation(segv + "expect failed\n"), true, "failed", "failed: segmentation fault");
    check(only_expectation(segv + "expect ok\n"), false, "ok", "failed: segmentation fault");
}

TEST_CASE("Messages quote page contents as the language writes strings, escapes included", "[runner]") {
    const std::string odd = "process P\nmap P buf 1 rw\nwrite P buf[0] \"say \\\"hi\\\" \\\\ bye\"\n";
    check(only_expectation(odd + "expect read P buf[0] == \"x\\\"y\"\n"), false, "read \"x\\\"y\"",
          "read \"say \\\"hi\\\" \\\\ bye\"");
    CHECK(quote_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(quote_string("") == "\"\"");
}

TEST_CASE("A failed command changes nothing else and the run goes on", "[runner]") {
    auto s = Sim::run("process P\nmap P buf 1 ro\nwrite P buf[0] \"x\"\nexpect ok\nread P buf[0]\nexpect ok\n");
    REQUIRE(s.result().expectations.size() == 2);
    CHECK_FALSE(s.result().expectations[0].passed);
    CHECK(s.result().expectations[1].passed);
    CHECK(s.result().passed() == 1);
    CHECK(s.result().failed() == 1);
}

TEST_CASE("expect read performs a real load and compares what it returns", "[runner]") {
    check(only_expectation(kWritten + "expect read P buf[0] == \"data\"\n"), true, "read \"data\"", "read \"data\"");
    check(only_expectation(kWritten + "expect read P buf[0] == \"other\"\n"), false, "read \"other\"",
          "read \"data\"");
    check(only_expectation(kWritten + "expect read P buf[1] == \"\"\n"), true, "read \"\"", "read \"\"");
    check(only_expectation(kWritten + "unmap P buf\nexpect read P buf[0] == \"data\"\n"), false, "read \"data\"",
          "read failed: segmentation fault");
    // The load faults like any read: the zero page is now mapped at buf[1].
    auto s = Sim::run(kWritten + "expect read P buf[1] == \"\"\n");
    CHECK(s.pte("P", "buf", 1).pfn() == s.k().zero_pfn());
}

TEST_CASE("expect dma-read compares what the holder sees through its reference", "[runner]") {
    const std::string held = kWritten + "get P buf[0] as G\n";
    check(only_expectation(held + "expect dma-read G == \"data\"\n"), true, "dma-read \"data\"", "dma-read \"data\"");
    check(only_expectation(held + "expect dma-read G == \"x\"\n"), false, "dma-read \"x\"", "dma-read \"data\"");
    // A reference whose GUP failed does not exist at run time.
    check(only_expectation("process P\nmap P buf 1 ro\npin P buf[0] write as H\nexpect dma-read H == \"\"\n"), false,
          "dma-read \"\"", "no such reference");
}

TEST_CASE("expect pte names the entry kind", "[runner]") {
    check(only_expectation(kWritten + "expect P buf[0] pte present-rw\n"), true, "pte present-rw", "pte present-rw");
    check(only_expectation(kWritten + "expect P buf[0] pte swap\n"), false, "pte swap", "pte present-rw");
    check(only_expectation(kWritten + "expect P buf[1] pte none\n"), true, "pte none", "pte none");
    check(only_expectation(kWritten + "swapout P buf[0]\nexpect P buf[0] pte present-ro\n"), false, "pte present-ro",
          "pte swap");
    check(only_expectation(kWritten + "migrate-to-device P buf[0]\nexpect P buf[0] pte device-private-rw\n"), true,
          "pte device-private-rw", "pte device-private-rw");
    check(only_expectation(kWritten + "fork P C\nmigrate-to-device P buf[0]\nexpect C buf[0] pte device-private-rw\n"),
          false, "pte device-private-rw", "pte device-private-ro");
}

TEST_CASE("expect exclusive and expect shared read PageAnonExclusive (era c)", "[runner]") {
    check(only_expectation(kWritten + "expect P buf[0] exclusive\n"), true, "exclusive", "exclusive");
    check(only_expectation(kWritten + "expect P buf[0] shared\n"), false, "shared", "exclusive");
    check(only_expectation(kWritten + "fork P C\nexpect C buf[0] shared\n"), true, "shared", "shared");
    check(only_expectation(kWritten + "expect P buf[1] exclusive\n"), false, "exclusive", "no page");
    // A swap entry stands for the page it replaced: its exclusive bit answers.
    check(only_expectation(kWritten + "swapout P buf[0]\nexpect P buf[0] exclusive\n"), true, "exclusive",
          "exclusive");
}

TEST_CASE("expect same-page and other-page compare physical pages", "[runner]") {
    const std::string forked = kWritten + "fork P C\n";
    auto s = Sim::run(forked + "expect P buf[0] same-page C buf[0]\n");
    const std::string name = s.k().page_name(s.pfn("P", "buf", 0));
    check(only_expectation(forked + "expect P buf[0] other-page C buf[0]\n"), false, "different pages",
          "the same page (" + name + ")");
    const ExpectationResult& e = s.result().expectations.front();
    CHECK(e.passed);
    CHECK(e.got == "the same page (" + name + ")");
    auto w = Sim::run(forked + "write P buf[0] \"p\"\nexpect P buf[0] same-page C buf[0]\n");
    const ExpectationResult& f = w.result().expectations.front();
    CHECK_FALSE(f.passed);
    CHECK(f.expected == "same page");
    CHECK(f.got == w.k().page_name(w.pfn("P", "buf", 0)) + " and " + w.k().page_name(w.pfn("C", "buf", 0)));
    // Two swap entries of one slot are the same page.
    CHECK(only_expectation(forked + "swapout P buf[0]\nexpect P buf[0] same-page C buf[0]\n").passed);
}

TEST_CASE("expect coherent checks that a reference holds the page the process maps", "[runner]") {
    const std::string held = kWritten + "get P buf[0] as G\n";
    const std::string page = Sim::run(held).k().page_name(Sim::run(held).pfn("P", "buf", 0));
    check(only_expectation(held + "expect G coherent P buf[0]\n"), true, "coherent (G holds what P maps)",
          "G holds " + page + ", P maps " + page);
    auto s = Sim::run(held + "fork P C\nwrite P buf[0] \"x\"\nexpect G coherent P buf[0]\n");
    const ExpectationResult& e = s.result().expectations.front();
    CHECK_FALSE(e.passed);
    CHECK(e.got == "G holds " + s.k().page_name(s.holder("G").pfn) + ", P maps " +
                       s.k().page_name(s.pfn("P", "buf", 0)));
}

TEST_CASE("expect invariants runs the full checker on the current state", "[runner]") {
    check(only_expectation(kWritten + "expect invariants\n"), true, "invariants hold", "all hold");
    for (Era era : {Era::a, Era::b})
        check(only_expectation(kWritten + "fork P C\nexpect invariants\n", era), true, "invariants hold", "all hold");
}

TEST_CASE("Expectations report their line, record_of maps commands to kernel records", "[runner]") {
    auto s = Sim::run(kWritten +                     // lines 1-3
                      "expect ok\n"                  // 4
                      "read P buf[0]\n"              // 5
                      "expect read P buf[0] == \"data\"\n"  // 6
                      "expect P buf[0] pte present-rw\n");  // 7
    const RunResult& r = s.result();
    REQUIRE(r.expectations.size() == 3);
    CHECK(r.expectations[0].line == 4);
    CHECK(r.expectations[1].line == 6);
    CHECK(r.expectations[2].line == 7);
    CHECK(r.expectations[0].command_index == 3);
    REQUIRE(r.record_of.size() == 7);
    CHECK(r.record_of[0] == 0);   // process
    CHECK(r.record_of[1] == 1);   // map
    CHECK(r.record_of[2] == 2);   // write
    CHECK(r.record_of[3] == -1);  // expect ok runs no kernel code
    CHECK(r.record_of[4] == 3);   // read
    CHECK(r.record_of[5] == 4);   // expect read is a real load: it has a record
    CHECK(r.record_of[6] == -1);
    const auto& records = s.k().commands();
    REQUIRE(records.size() == 5);
    for (uint32_t i = 0; i < r.record_of.size(); ++i)
        if (r.record_of[i] >= 0) {
            CHECK(records[r.record_of[i]].source_index == i);
            CHECK(records[r.record_of[i]].line == s.scenario().commands[i].loc.line);
        }
    REQUIRE(records[3].value);
    CHECK(s.k().strings().text(*records[3].value) == "data");
}

TEST_CASE("The era given to the runner is the era the kernel runs", "[runner]") {
    for (Era era : {Era::a, Era::b, Era::c}) {
        auto s = Sim::run(kWritten, era);
        CHECK(s.result().era == era);
        CHECK(s.k().era() == era);
    }
}

TEST_CASE("observed_pte_kind reads PMD mappings as present entries", "[runner]") {
    auto s = Sim::run("process P\nmap P buf 512 rw thp\nwrite P buf[0] \"t\"\nmap P z 512 rw thp\nread P z[3]\n"
                      "fork P C\n");
    CHECK(observed_pte_kind(s.k(), s.vma("P", "buf"), 100) == "present-ro");
    CHECK(observed_pte_kind(s.k(), s.vma("P", "z"), 100) == "present-ro");
    CHECK(expected_pte_name(ExpectedPte::migration_readable_exclusive) == "migration-readable-exclusive");
    CHECK(expected_pte_name(ExpectedPte::device_private_ro) == "device-private-ro");
}

TEST_CASE("A name given again after exit or release means the new process or reference", "[runner]") {
    // cow.c-style files run one child after another under the same name.
    auto s = Sim::run(kWritten + "fork P C\nwrite C buf[0] \"first\"\nexit C\n"  // lines 4-6
                                 "fork P C\nexpect read C buf[0] == \"data\"\n"     // lines 7-8
                                 "pin P buf[0] write as H\nrelease H\n"             // lines 9-10
                                 "get P buf[1] as H\nexpect dma-read H == \"\"\n");  // lines 11-12
    CHECK(s.failed_expectations() == "");
    CHECK(s.k().process(s.process("C")).alive == 1);
    CHECK(s.kind("C", "buf", 0) == "present-ro");
    CHECK(s.holder("H").kind == HolderKind::get);
    CHECK(s.holder("H").pfn == s.pfn("P", "buf", 1));
}

TEST_CASE("Traces name what each era's kernel names: fields, flags and functions renamed since v5.7",
          "[runner][era]") {
    const std::string thp_pin = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"t\"\npin P buf[3] as H\n";
    CHECK(Sim::run(thp_pin, Era::a).step_says(4, "hpage_pinned_refcount +1"));
    CHECK(Sim::run(thp_pin, Era::b).step_says(4, "hpage_pinned_refcount +1"));  // page[1].compound_pincount is v5.18
    CHECK(Sim::run(thp_pin, Era::c).step_says(4, "compound_pincount +1"));

    const std::string swap = "process P\nmap P buf 1 rw\nwrite P buf[0] \"s\"\nswapout P buf[0]\nread P buf[0]\n";
    for (Era era : {Era::a, Era::b, Era::c}) {
        CAPTURE(era_letter(era));
        auto s = Sim::run(swap, era);
        CHECK(s.step_says(4, era == Era::c ? "folio_ref_freeze succeeds" : "page_ref_freeze succeeds"));
        CHECK(s.step_says(5, "swapin_readahead: allocate a page"));
    }

    const std::string split = "process P\nmap P buf 512 rw thp\nwrite P buf[0] \"t\"\nswapout P buf[0]\n";
    CHECK(Sim::run(split, Era::b).step_says(4, "unmap_page freezes"));
    CHECK(Sim::run(split, Era::c).step_says(4, "unmap_folio freezes"));

    const std::string hole = "process P\nmap P buf 3 rw\nunmap P buf[1]\nmigrate-to-device P buf\n";
    CHECK(Sim::run(hole, Era::a).step_says(4, "find_vma finds none"));
    CHECK(Sim::run(hole, Era::b).step_says(4, "vma_lookup fails"));  // v5.14's test driver on
    CHECK(Sim::run(hole, Era::c).step_says(4, "vma_lookup fails"));

    // The model's flag word shows what the kernel has instead of a flag.
    auto fresh = Sim::run("process P\nmap P buf 1 rw\nwrite P buf[0] \"x\"\n");
    bool mapping_anon = false, pg_anon = false;
    for (const CommandRecord& c : fresh.k().commands())
        for (uint32_t i = c.step_begin; i < c.step_end; ++i)
            for (const std::string& change : fresh.k().step_changes(i)) {
                mapping_anon = mapping_anon || change.find("PAGE_MAPPING_ANON set") != std::string::npos;
                pg_anon = pg_anon || change.find("PG_anon set") != std::string::npos;
            }
    CHECK(mapping_anon);
    CHECK_FALSE(pg_anon);
}
