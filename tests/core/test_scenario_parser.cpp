// The scenario language parser (shared/spec/scenario-language.md): what each
// command parses into, and the exact message and position of each error.
#include "scenario.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

using namespace mmt;
using namespace std::string_literals;

namespace {

// Lines 1 to 4 of most examples below.
constexpr const char* kSetup = "process P\n"         // 1
                               "map P buf 4 rw\n"    // 2
                               "process Q\n"         // 3
                               "map Q other 2 ro\n"; // 4

ParseResult parse(const std::string& text, std::optional<Era> era_override = std::nullopt) {
    return parse_scenario(text, "t.mmt", era_override);
}

// The last command of a file that must parse.
Command last_command(const std::string& text) {
    const ParseResult result = parse(text);
    for (const ScenarioError& error : result.errors)
        FAIL_CHECK(error.format());
    REQUIRE(result.scenario);
    REQUIRE(!result.scenario->commands.empty());
    return result.scenario->commands.back();
}

// The command on line 5, after kSetup.
Command parse_after_setup(const std::string& line) {
    return last_command(kSetup + line + "\n");
}

std::vector<std::string> errors_of(const std::string& text, std::optional<Era> era_override = std::nullopt) {
    const ParseResult result = parse(text, era_override);
    CHECK(result.scenario.has_value() == result.errors.empty());
    std::vector<std::string> formatted;
    for (const ScenarioError& error : result.errors)
        formatted.push_back(error.format());
    return formatted;
}

// The one error of a file that must not parse.
std::string error_of(const std::string& text, std::optional<Era> era_override = std::nullopt) {
    const std::vector<std::string> errors = errors_of(text, era_override);
    REQUIRE(errors.size() == 1);
    return errors.front();
}

// The one error of line 5, after kSetup.
std::string error_after_setup(const std::string& line) {
    return error_of(kSetup + line + "\n");
}

} // namespace

// ------------------------------------------------------------------ commands

TEST_CASE("a scenario is its commands in file order, with where each one is", "[parser]") {
    const ParseResult result = parse("# a first lesson\n"
                                     "\n"
                                     "process P\n"
                                     "  map P buf 4 rw   # four pages\n"
                                     "\twrite P buf[0] \"hello\"\n"
                                     "expect ok\n");
    REQUIRE(result.errors.empty());
    REQUIRE(result.scenario);
    const Scenario& scenario = *result.scenario;
    CHECK(scenario.file == "t.mmt");
    CHECK_FALSE(scenario.era);
    REQUIRE(scenario.commands.size() == 4);

    CHECK(scenario.commands[0].kind == CommandKind::process);
    CHECK(scenario.commands[0].loc.line == 3);
    CHECK(scenario.commands[0].loc.column == 1);
    CHECK(scenario.commands[0].source == "process P");

    // The source starts at the command's first word (indentation is layout)
    // and drops the comment and trailing blanks.
    CHECK(scenario.commands[1].loc.line == 4);
    CHECK(scenario.commands[1].loc.column == 3);
    CHECK(scenario.commands[1].source == "map P buf 4 rw");

    CHECK(scenario.commands[2].loc.column == 2);
    CHECK(scenario.commands[2].source == "write P buf[0] \"hello\"");

    CHECK(scenario.commands[3].kind == CommandKind::expect_ok);
    CHECK(scenario.commands[3].loc.line == 6);
}

TEST_CASE("an empty file or one of comments is an empty scenario", "[parser]") {
    for (const std::string text : {"", "\n\n", "# only a comment\n   \t\n# another"}) {
        const ParseResult result = parse(text);
        CHECK(result.errors.empty());
        REQUIRE(result.scenario);
        CHECK(result.scenario->commands.empty());
    }
}

TEST_CASE("process and map", "[parser]") {
    const Command process = last_command("process P\n");
    CHECK(process.kind == CommandKind::process);
    CHECK(process.process == "P");

    const Command map = last_command("process P\nmap P buf 4 rw\n");
    CHECK(map.kind == CommandKind::map);
    CHECK(map.process == "P");
    CHECK(map.vma == "buf");
    CHECK(map.npages == 4);
    CHECK(map.protection == Protection::rw);
    CHECK_FALSE(map.thp);

    const Command huge = last_command("process P\nmap P huge 0x400 ro thp\n");
    CHECK(huge.npages == 1024);
    CHECK(huge.protection == Protection::ro);
    CHECK(huge.thp);

    // Names: letters, digits, `_` and `-`, not starting with a digit or `-`.
    const Command names = last_command("process _parent-1\nmap _parent-1 my-vma_2 1 rw\n");
    CHECK(names.process == "_parent-1");
    CHECK(names.vma == "my-vma_2");
}

TEST_CASE("write and read name one page of a VMA", "[parser]") {
    const Command write = parse_after_setup("write P buf[3] \"data\"");
    CHECK(write.kind == CommandKind::write);
    CHECK(write.process == "P");
    CHECK(write.range.vma == "buf");
    CHECK(write.range.first == 3);
    CHECK(write.range.last == 3);
    CHECK_FALSE(write.range.whole);
    CHECK(write.range.loc.line == 5);
    CHECK(write.range.loc.column == 9);
    CHECK(write.data == "data");

    const Command read = parse_after_setup("read Q other[0x1]");
    CHECK(read.kind == CommandKind::read);
    CHECK(read.process == "Q");
    CHECK(read.range.vma == "other");
    CHECK(read.range.first == 1);
    CHECK(read.range.last == 1);

    CHECK(parse_after_setup("write P buf[0] \"\"").data.empty());
}

TEST_CASE("fork and exit", "[parser]") {
    const Command fork = parse_after_setup("fork P C");
    CHECK(fork.kind == CommandKind::fork);
    CHECK(fork.process == "P");
    CHECK(fork.other_process == "C");

    const Command exit = parse_after_setup("exit Q");
    CHECK(exit.kind == CommandKind::exit);
    CHECK(exit.process == "Q");
}

TEST_CASE("a range is VMA[i..j] inclusive, VMA[i], or a bare VMA for all of it", "[parser]") {
    const Command part = parse_after_setup("unmap P buf[1..2]");
    CHECK(part.kind == CommandKind::unmap);
    CHECK(part.range.vma == "buf");
    CHECK(part.range.first == 1);
    CHECK(part.range.last == 2);
    CHECK_FALSE(part.range.whole);

    const Command one = parse_after_setup("unmap P buf[2]");
    CHECK(one.range.first == 2);
    CHECK(one.range.last == 2);

    const Command same = parse_after_setup("unmap P buf[3..3]");
    CHECK(same.range.first == 3);
    CHECK(same.range.last == 3);

    // A bare VMA is resolved against its size: buf has 4 pages.
    const Command whole = parse_after_setup("unmap P buf");
    CHECK(whole.range.vma == "buf");
    CHECK(whole.range.first == 0);
    CHECK(whole.range.last == 3);
    CHECK(whole.range.whole);
}

TEST_CASE("protect and madvise take their words", "[parser]") {
    const Command protect = parse_after_setup("protect P buf[0..1] none");
    CHECK(protect.kind == CommandKind::protect);
    CHECK(protect.range.first == 0);
    CHECK(protect.range.last == 1);
    CHECK(protect.protection == Protection::none);
    CHECK(parse_after_setup("protect P buf ro").protection == Protection::ro);
    CHECK(parse_after_setup("protect P buf rw").protection == Protection::rw);

    const std::vector<std::pair<std::string, Advice>> advice = {
        {"dontneed", Advice::dontneed},     {"dontfork", Advice::dontfork},     {"dofork", Advice::dofork},
        {"wipeonfork", Advice::wipeonfork}, {"keeponfork", Advice::keeponfork}, {"pageout", Advice::pageout},
        {"collapse", Advice::collapse},
    };
    for (const auto& [word, value] : advice) {
        const Command madvise = parse_after_setup("madvise P buf " + word);
        CHECK(madvise.kind == CommandKind::madvise);
        CHECK(madvise.range.whole);
        CHECK(madvise.advice == value);
    }
}

TEST_CASE("pin and get take their options in any order", "[parser]") {
    const Command plain = parse_after_setup("pin P buf[1] as h");
    CHECK(plain.kind == CommandKind::pin);
    CHECK(plain.process == "P");
    CHECK(plain.range.first == 1);
    CHECK(plain.handle == "h");
    CHECK_FALSE(plain.foll_write);
    CHECK_FALSE(plain.foll_longterm);
    CHECK_FALSE(plain.fast);

    for (const std::string options : {"write longterm fast", "fast write longterm", "longterm fast write"}) {
        const Command pin = parse_after_setup("pin P buf[1] " + options + " as h");
        CHECK(pin.foll_write);
        CHECK(pin.foll_longterm);
        CHECK(pin.fast);
    }
    const Command longterm = parse_after_setup("pin P buf[1] longterm as h");
    CHECK_FALSE(longterm.foll_write);
    CHECK(longterm.foll_longterm);

    const Command get = parse_after_setup("get P buf[2] fast write as ref");
    CHECK(get.kind == CommandKind::get);
    CHECK(get.handle == "ref");
    CHECK(get.foll_write);
    CHECK(get.fast);
    CHECK_FALSE(get.foll_longterm);
}

TEST_CASE("vmsplice is a read-only get", "[parser]") {
    const Command vmsplice = parse_after_setup("vmsplice Q other[1] as pipe");
    CHECK(vmsplice.kind == CommandKind::vmsplice);
    CHECK(vmsplice.process == "Q");
    CHECK(vmsplice.range.vma == "other");
    CHECK(vmsplice.handle == "pipe");
    CHECK_FALSE(vmsplice.foll_write);
    CHECK_FALSE(vmsplice.foll_longterm);
    CHECK_FALSE(vmsplice.fast);
}

TEST_CASE("release, dma-write and dma-read name a handle", "[parser]") {
    const std::string pinned = std::string(kSetup) + "pin P buf[0] write as dev\n";
    const Command dma_write = last_command(pinned + "dma-write dev \"from the device\"\n");
    CHECK(dma_write.kind == CommandKind::dma_write);
    CHECK(dma_write.handle == "dev");
    CHECK(dma_write.data == "from the device");

    const Command dma_read = last_command(pinned + "dma-read dev\n");
    CHECK(dma_read.kind == CommandKind::dma_read);
    CHECK(dma_read.handle == "dev");

    const Command release = last_command(pinned + "release dev\n");
    CHECK(release.kind == CommandKind::release);
    CHECK(release.handle == "dev");
}

TEST_CASE("what the kernel does on its own", "[parser]") {
    const Command swapout = parse_after_setup("swapout P buf[1]");
    CHECK(swapout.kind == CommandKind::swapout);
    CHECK(swapout.range.first == 1);

    const Command migrate = parse_after_setup("migrate P buf[2]");
    CHECK(migrate.kind == CommandKind::migrate);
    CHECK(migrate.range.first == 2);

    const Command device = parse_after_setup("migrate-to-device P buf[0..3]");
    CHECK(device.kind == CommandKind::migrate_to_device);
    CHECK(device.range.first == 0);
    CHECK(device.range.last == 3);
    CHECK(parse_after_setup("migrate-to-device P buf").range.whole);

    const Command ksm = parse_after_setup("ksm-merge P buf[0] Q other[1]");
    CHECK(ksm.kind == CommandKind::ksm_merge);
    CHECK(ksm.process == "P");
    CHECK(ksm.range.vma == "buf");
    CHECK(ksm.range.first == 0);
    CHECK(ksm.other_process == "Q");
    CHECK(ksm.other_range.vma == "other");
    CHECK(ksm.other_range.first == 1);
    CHECK(ksm.other_range.loc.column == 22);

    const Command split = parse_after_setup("split-pmd P buf[3]");
    CHECK(split.kind == CommandKind::split_pmd);
    CHECK(split.range.first == 3);

    const Command softdirty = parse_after_setup("clear-softdirty Q");
    CHECK(softdirty.kind == CommandKind::clear_softdirty);
    CHECK(softdirty.process == "Q");
}

// ------------------------------------------------------------------ expectations

TEST_CASE("expect ok, failed and invariants", "[parser]") {
    const Command ok = parse_after_setup("expect ok");
    CHECK(ok.kind == CommandKind::expect_ok);
    CHECK(ok.loc.line == 5);
    CHECK(ok.loc.column == 1);
    CHECK(is_expectation(ok.kind));
    CHECK(parse_after_setup("expect failed").kind == CommandKind::expect_failed);
    CHECK(parse_after_setup("expect invariants").kind == CommandKind::expect_invariants);
}

TEST_CASE("expect read and expect dma-read compare with a string", "[parser]") {
    const Command read = parse_after_setup("expect read P buf[2] == \"abc\"");
    CHECK(read.kind == CommandKind::expect_read);
    CHECK(read.process == "P");
    CHECK(read.range.first == 2);
    CHECK(read.data == "abc");

    const Command dma_read =
        last_command(std::string(kSetup) + "get P buf[0] as h\nexpect dma-read h == \"\"\n");
    CHECK(dma_read.kind == CommandKind::expect_dma_read);
    CHECK(dma_read.handle == "h");
    CHECK(dma_read.data.empty());
}

TEST_CASE("expect P A pte KIND, for every kind", "[parser]") {
    const std::vector<std::pair<std::string, ExpectedPte>> kinds = {
        {"none", ExpectedPte::none},
        {"present-ro", ExpectedPte::present_ro},
        {"present-rw", ExpectedPte::present_rw},
        {"swap", ExpectedPte::swap},
        {"migration-writable", ExpectedPte::migration_writable},
        {"migration-readable", ExpectedPte::migration_readable},
        {"migration-readable-exclusive", ExpectedPte::migration_readable_exclusive},
        {"device-private-rw", ExpectedPte::device_private_rw},
        {"device-private-ro", ExpectedPte::device_private_ro},
    };
    for (const auto& [word, kind] : kinds) {
        const Command pte = parse_after_setup("expect P buf[1] pte " + word);
        CHECK(pte.kind == CommandKind::expect_pte);
        CHECK(pte.process == "P");
        CHECK(pte.range.first == 1);
        CHECK(pte.expected_pte == kind);
    }
}

TEST_CASE("expect exclusive, shared, same-page, other-page and coherent", "[parser]") {
    const Command exclusive = parse_after_setup("expect P buf[0] exclusive");
    CHECK(exclusive.kind == CommandKind::expect_exclusive);
    CHECK(exclusive.process == "P");
    CHECK(parse_after_setup("expect P buf[0] shared").kind == CommandKind::expect_shared);

    const Command same = parse_after_setup("expect P buf[0] same-page Q other[1]");
    CHECK(same.kind == CommandKind::expect_same_page);
    CHECK(same.process == "P");
    CHECK(same.range.vma == "buf");
    CHECK(same.other_process == "Q");
    CHECK(same.other_range.vma == "other");
    CHECK(same.other_range.first == 1);
    CHECK(parse_after_setup("expect P buf[0] other-page Q other[1]").kind == CommandKind::expect_other_page);

    const Command coherent =
        last_command(std::string(kSetup) + "pin P buf[3] as h\nexpect h coherent P buf[3]\n");
    CHECK(coherent.kind == CommandKind::expect_coherent);
    CHECK(coherent.handle == "h");
    CHECK(coherent.process == "P");
    CHECK(coherent.range.first == 3);
}

TEST_CASE("expectation words can also be names: the shape of the line decides", "[parser]") {
    const std::string setup = "process read\nmap read ok 2 rw\n";
    const Command pte = last_command(setup + "expect read ok[0] pte none\n");
    CHECK(pte.kind == CommandKind::expect_pte);
    CHECK(pte.process == "read");
    CHECK(pte.range.vma == "ok");

    const Command read = last_command(setup + "expect read read ok[1] == \"x\"\n");
    CHECK(read.kind == CommandKind::expect_read);
    CHECK(read.process == "read");

    const Command coherent =
        last_command(setup + "pin read ok[0] as invariants\nexpect invariants coherent read ok[0]\n");
    CHECK(coherent.kind == CommandKind::expect_coherent);
    CHECK(coherent.handle == "invariants");

    // An option word as a handle name, after `as`.
    CHECK(last_command(setup + "pin read ok[0] write as write\n").handle == "write");
}

TEST_CASE("is_expectation tells expectations from actions", "[parser]") {
    CHECK_FALSE(is_expectation(CommandKind::process));
    CHECK_FALSE(is_expectation(CommandKind::split_pmd));
    CHECK(is_expectation(CommandKind::expect_ok));
    CHECK(is_expectation(CommandKind::expect_invariants));
}

// ------------------------------------------------------------------ era

TEST_CASE("era sets the kernel semantics and is not a command", "[parser]") {
    const ParseResult result = parse("# comments and blank lines may come first\n\nera b\nprocess P\n");
    REQUIRE(result.scenario);
    CHECK(result.scenario->era == Era::b);
    CHECK(result.scenario->era_loc.line == 3);
    CHECK(result.scenario->era_loc.column == 1);
    REQUIRE(result.scenario->commands.size() == 1);
    CHECK(result.scenario->commands[0].kind == CommandKind::process);

    CHECK(parse("era a\n").scenario->era == Era::a);
    CHECK(parse("era c\n").scenario->era == Era::c);
    // The command line's --era is for the runner: the file's era stays as written.
    CHECK(parse("era a\n", Era::c).scenario->era == Era::a);
}

TEST_CASE("era must come first and only once", "[parser]") {
    CHECK(error_of("process P\nera a\n") ==
          "t.mmt:2:1: error: expected era before any other command, got it after line 1");
    CHECK(error_of("era a\nera b\n") ==
          "t.mmt:2:1: error: expected at most one era line, got a second (the first is at line 1)");
    CHECK(error_of("era d\n") == "t.mmt:1:5: error: expected an era (a, b or c), got \"d\"");
    CHECK(error_of("era\n") == "t.mmt:1:4: error: expected an era (a, b or c), got end of line");
    CHECK(error_of("era c now\n") == "t.mmt:1:7: error: expected end of line, got \"now\"");
}

TEST_CASE("eras a and b have no PG_anon_exclusive to expect", "[parser]") {
    const std::string text = std::string("era a\n") + kSetup + "expect P buf[0] exclusive\n";
    CHECK(error_of(text) ==
          "t.mmt:6:17: error: era a has no PG_anon_exclusive: expected era c to check \"exclusive\"");
    CHECK(error_of(std::string("era b\n") + kSetup + "expect P buf[0] shared\n") ==
          "t.mmt:6:17: error: era b has no PG_anon_exclusive: expected era c to check \"shared\"");

    // --era decides over the file's era line, both ways.
    CHECK(error_of(std::string(kSetup) + "expect P buf[0] exclusive\n", Era::b) ==
          "t.mmt:5:17: error: era b (from --era) has no PG_anon_exclusive: expected era c to check "
          "\"exclusive\"");
    CHECK(errors_of(text, Era::c).empty());
}

// ------------------------------------------------------------------ lexical rules

TEST_CASE("comments, blanks, tabs and CRLF line ends", "[parser]") {
    const Command write = last_command("process P # the process\r\n"
                                       "map\tP\tbuf 1 rw\r\n"
                                       "write P buf[0] \"# not a comment\"   # a comment \"with a quote\r\n");
    CHECK(write.data == "# not a comment");
    CHECK(write.source == "write P buf[0] \"# not a comment\"");
}

TEST_CASE("strings take escaped quotes and backslashes, and UTF-8 text", "[parser]") {
    const Command write = parse_after_setup(R"(write P buf[0] "say \"hi\" \\ back")");
    CHECK(write.data == R"(say "hi" \ back)");
    CHECK(parse_after_setup("write P buf[0] \"grüße, 页\"").data == "grüße, 页");

    // The longest string a page holds.
    const std::string longest(kMaxStringBytes, 'x');
    CHECK(parse_after_setup("write P buf[0] \"" + longest + "\"").data == longest);
}

TEST_CASE("string errors", "[parser]") {
    CHECK(error_after_setup(R"(write P buf[0] "open)") ==
          "t.mmt:5:16: error: expected a closing \" to end the string, got end of line");
    CHECK(error_after_setup(R"(write P buf[0] "ends in a backslash\)") ==
          "t.mmt:5:16: error: expected a closing \" to end the string, got end of line");
    CHECK(error_after_setup(R"(write P buf[0] "a\nb")") ==
          R"(t.mmt:5:18: error: expected \" or \\ after a backslash, got \n)");
    CHECK(error_after_setup("write P buf[0] \"" + std::string(kMaxStringBytes + 1, 'x') + "\"") ==
          "t.mmt:5:16: error: expected a string of at most 4096 bytes, got 4097 bytes");
    // A line reports its leftmost problem: here the unknown process, not the string.
    CHECK(error_after_setup(R"(write R buf[0] "open)") ==
          "t.mmt:5:7: error: expected a process, got \"R\" (no earlier process or fork creates it)");
}

TEST_CASE("names and numbers", "[parser]") {
    CHECK(error_of("process 1P\n") == "t.mmt:1:9: error: expected a process name, got \"1P\"");
    CHECK(error_of("process -P\n") == "t.mmt:1:9: error: expected a process name, got \"-P\"");
    CHECK(error_of("process P.Q\n") == "t.mmt:1:9: error: expected a process name, got \"P.Q\"");
    CHECK(error_of("process \"P\"\n") == "t.mmt:1:9: error: expected a process name, got the string \"P\"");
    CHECK(error_of("process\n") == "t.mmt:1:8: error: expected a process name, got end of line");
    CHECK(error_of("process P\nmap P 2buf 1 rw\n") == "t.mmt:2:7: error: expected a VMA name, got \"2buf\"");

    CHECK(error_of("process P\nmap P buf x rw\n") == "t.mmt:2:11: error: expected a page count, got \"x\"");
    CHECK(error_of("process P\nmap P buf -1 rw\n") == "t.mmt:2:11: error: expected a page count, got \"-1\"");
    CHECK(error_of("process P\nmap P buf 0x rw\n") == "t.mmt:2:11: error: expected a page count, got \"0x\"");
    CHECK(error_of("process P\nmap P buf 0xg rw\n") ==
          "t.mmt:2:11: error: expected a page count, got \"0xg\"");
    CHECK(error_of("process P\nmap P buf 0 rw\n") ==
          "t.mmt:2:11: error: expected a page count from 1 to 1048576, got \"0\"");
    CHECK(error_of("process P\nmap P buf 1048577 rw\n") ==
          "t.mmt:2:11: error: expected a page count from 1 to 1048576, got \"1048577\"");
    // Beyond 64 bits: an overflow is reported, not wrapped around.
    CHECK(error_of("process P\nmap P buf 18446744073709551617 rw\n") ==
          "t.mmt:2:11: error: expected a page count from 1 to 1048576, got \"18446744073709551617\"");
    CHECK(error_of("process P\nmap P buf 0x10000000000000001 rw\n") ==
          "t.mmt:2:11: error: expected a page count from 1 to 1048576, got \"0x10000000000000001\"");
    CHECK(last_command("process P\nmap P buf 1048576 rw\n").npages == kMaxVmaPages);
    CHECK(last_command("process P\nmap P buf 0x00A rw\n").npages == 10);
    CHECK(last_command("process P\nmap P buf 007 rw\n").npages == 7); // decimal, not octal
}

TEST_CASE("long words are shortened in messages", "[parser]") {
    CHECK(error_of(std::string(100, 'w') + "\n") ==
          "t.mmt:1:1: error: expected a command (era, process, map, write, read, fork, exit, unmap, protect, "
          "madvise, clear-softdirty, pin, get, vmsplice, release, dma-write, dma-read, swapout, migrate, "
          "migrate-to-device, ksm-merge, split-pmd, race or expect), got "
          "\"wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww...\"");
}

// ------------------------------------------------------------------ syntax errors

TEST_CASE("an unknown command word lists the commands", "[parser]") {
    CHECK(error_of("proces P\n") ==
          "t.mmt:1:1: error: expected a command (era, process, map, write, read, fork, exit, unmap, protect, "
          "madvise, clear-softdirty, pin, get, vmsplice, release, dma-write, dma-read, swapout, migrate, "
          "migrate-to-device, ksm-merge, split-pmd, race or expect), got \"proces\"");
    CHECK(error_of("  \"process\" P\n") ==
          "t.mmt:1:3: error: expected a command (era, process, map, write, read, fork, exit, unmap, protect, "
          "madvise, clear-softdirty, pin, get, vmsplice, release, dma-write, dma-read, swapout, migrate, "
          "migrate-to-device, ksm-merge, split-pmd, race or expect), got the string \"process\"");
}

TEST_CASE("missing and extra words", "[parser]") {
    CHECK(error_of("process P Q\n") == "t.mmt:1:11: error: expected end of line, got \"Q\"");
    CHECK(error_of("process P   # fine\nmap P buf\n") ==
          "t.mmt:2:10: error: expected a page count, got end of line");
    CHECK(error_of("process P\nmap P buf 1\n") == "t.mmt:2:12: error: expected rw or ro, got end of line");
    CHECK(error_of("process P\nmap P buf 1 none\n") == "t.mmt:2:13: error: expected rw or ro, got \"none\"");
    CHECK(error_of("process P\nmap P buf 1 rw huge\n") ==
          "t.mmt:2:16: error: expected thp or end of line, got \"huge\"");
    CHECK(error_of("process P\nmap P buf 1 rw thp thp\n") ==
          "t.mmt:2:20: error: expected end of line, got \"thp\"");
    CHECK(error_after_setup("write P buf[0]") ==
          "t.mmt:5:15: error: expected a string in double quotes, got end of line");
    CHECK(error_after_setup("write P buf[0] data") ==
          "t.mmt:5:16: error: expected a string in double quotes, got \"data\"");
    CHECK(error_after_setup("write P buf[0] \"a\" \"b\"") ==
          "t.mmt:5:20: error: expected end of line, got the string \"b\"");
    CHECK(error_after_setup("read P buf[0] now") == "t.mmt:5:15: error: expected end of line, got \"now\"");
    CHECK(error_after_setup("fork P") == "t.mmt:5:7: error: expected a process name, got end of line");
    CHECK(error_after_setup("exit P Q") == "t.mmt:5:8: error: expected end of line, got \"Q\"");
    CHECK(error_after_setup("protect P buf") ==
          "t.mmt:5:14: error: expected rw, ro or none, got end of line");
    CHECK(error_after_setup("protect P buf wr") == "t.mmt:5:15: error: expected rw, ro or none, got \"wr\"");
    CHECK(error_after_setup("madvise P buf free") == "t.mmt:5:15: error: expected dontneed, dontfork, "
                                                     "dofork, wipeonfork, keeponfork, pageout or collapse, "
                                                     "got \"free\"");
    CHECK(error_after_setup("clear-softdirty") ==
          "t.mmt:5:16: error: expected a process name, got end of line");
    CHECK(error_after_setup("ksm-merge P buf[0] Q") ==
          "t.mmt:5:21: error: expected an address VMA[i], got end of line");
    CHECK(error_after_setup("release") == "t.mmt:5:8: error: expected a handle name, got end of line");
}

TEST_CASE("address and range errors point into the word", "[parser]") {
    CHECK(error_after_setup("read P buf") == "t.mmt:5:8: error: expected an address VMA[i], got \"buf\"");
    CHECK(error_after_setup("read P [0]") == "t.mmt:5:8: error: expected an address VMA[i], got \"[0]\"");
    CHECK(error_after_setup("unmap P 9[0]") ==
          "t.mmt:5:9: error: expected a range VMA, VMA[i] or VMA[i..j], got \"9[0]\"");
    CHECK(error_after_setup("read P \"buf\"") ==
          "t.mmt:5:8: error: expected an address VMA[i], got the string \"buf\"");
    CHECK(error_after_setup("read P buf[x]") == "t.mmt:5:12: error: expected a page index, got \"x\"");
    CHECK(error_after_setup("read P buf[]") == "t.mmt:5:12: error: expected a page index, got \"]\"");
    CHECK(error_after_setup("read P buf[") ==
          "t.mmt:5:12: error: expected a page index, got end of the address");
    CHECK(error_after_setup("read P buf[1") == "t.mmt:5:13: error: expected \"]\", got end of the address");
    CHECK(error_after_setup("read P buf[1]x") ==
          "t.mmt:5:14: error: expected end of the address after \"]\", got \"x\"");
    CHECK(error_after_setup("read P buf[1..2]") ==
          "t.mmt:5:13: error: expected \"]\" (a single page), got \"..2]\"");
    CHECK(error_after_setup("unmap P buf[1.2]") ==
          "t.mmt:5:14: error: expected \"..\" or \"]\", got \".2]\"");
    CHECK(error_after_setup("unmap P buf[1..]") == "t.mmt:5:16: error: expected a page index, got \"]\"");
    CHECK(error_after_setup("unmap P buf[1..2") ==
          "t.mmt:5:17: error: expected \"]\", got end of the address");
    CHECK(error_after_setup("unmap P buf[3..1]") ==
          "t.mmt:5:13: error: expected a first page not above the last, got \"3..1\"");
    CHECK(error_after_setup("read P buf[99999999999]") ==
          "t.mmt:5:12: error: expected a page index, got \"99999999999\" (too large)");
}

TEST_CASE("pin, get and vmsplice option errors", "[parser]") {
    CHECK(error_after_setup("pin P buf[0] write write as h") ==
          "t.mmt:5:20: error: expected each option at most once, got \"write\" twice");
    CHECK(error_after_setup("pin P buf[0] fast longterm fast as h") ==
          "t.mmt:5:28: error: expected each option at most once, got \"fast\" twice");
    CHECK(error_after_setup("pin P buf[0] read as h") ==
          "t.mmt:5:14: error: expected write, longterm, fast or as, got \"read\"");
    CHECK(error_after_setup("pin P buf[0] write") ==
          "t.mmt:5:19: error: expected write, longterm, fast or as, got end of line");
    CHECK(error_after_setup("pin P buf[0] as") ==
          "t.mmt:5:16: error: expected a handle name, got end of line");
    CHECK(error_after_setup("pin P buf[0] as h extra") ==
          "t.mmt:5:19: error: expected end of line, got \"extra\"");
    CHECK(error_after_setup("get P buf[0] longterm as h") ==
          "t.mmt:5:14: error: expected write, fast or as (longterm is only for pin), got \"longterm\"");
    CHECK(error_after_setup("get P buf[0] slow as h") ==
          "t.mmt:5:14: error: expected write, fast or as, got \"slow\"");
    CHECK(error_after_setup("vmsplice P buf[0] write as h") ==
          "t.mmt:5:19: error: expected as (vmsplice is read-only), got \"write\"");
    CHECK(error_after_setup("vmsplice P buf[0] fast as h") == "t.mmt:5:19: error: expected as, got \"fast\"");
}

TEST_CASE("expectation syntax errors", "[parser]") {
    CHECK(error_after_setup("expect") == "t.mmt:5:7: error: expected ok, failed, read, dma-read, invariants, "
                                         "a process or a handle, got end of line");
    CHECK(error_after_setup("expect invariant") ==
          "t.mmt:5:8: error: expected ok, failed, read, dma-read, invariants, a process or a handle, got "
          "\"invariant\"");
    CHECK(error_after_setup("expect ok now") == "t.mmt:5:11: error: expected end of line, got \"now\"");
    CHECK(error_after_setup("expect read P buf[0] \"x\"") ==
          "t.mmt:5:22: error: expected ==, got the string \"x\"");
    CHECK(error_after_setup("expect read P buf[0] = \"x\"") == "t.mmt:5:22: error: expected ==, got \"=\"");
    CHECK(error_after_setup("expect read P buf[0] ==") ==
          "t.mmt:5:24: error: expected a string in double quotes, got end of line");
    CHECK(error_after_setup("expect P buf[0]") ==
          "t.mmt:5:16: error: expected pte, exclusive, shared, same-page or other-page, got end of line");
    CHECK(error_after_setup("expect P buf[0] mapped") ==
          "t.mmt:5:17: error: expected pte, exclusive, shared, same-page or other-page, got \"mapped\"");
    CHECK(error_after_setup("expect P buf[0] pte present") ==
          "t.mmt:5:21: error: expected a PTE kind (none, present-ro, present-rw, swap, migration-writable, "
          "migration-readable, migration-readable-exclusive, device-private-rw or device-private-ro), got "
          "\"present\"");
    CHECK(error_after_setup("expect P buf[0] same-page Q") ==
          "t.mmt:5:28: error: expected an address VMA[i], got end of line");
    CHECK(error_of(std::string(kSetup) + "pin P buf[0] as h\nexpect h coherent P\n") ==
          "t.mmt:6:20: error: expected an address VMA[i], got end of line");
    CHECK(error_of(std::string(kSetup) + "pin P buf[0] as h\nexpect h P buf[0]\n") ==
          "t.mmt:6:10: error: expected coherent, got \"P\"");
}

// ------------------------------------------------------------------ semantic errors

TEST_CASE("processes must exist, once", "[parser]") {
    CHECK(error_of("map P buf 1 rw\n") ==
          "t.mmt:1:5: error: expected a process, got \"P\" (no earlier process or fork creates it)");
    CHECK(error_of("process P\nprocess P\n") ==
          "t.mmt:2:9: error: expected a new process name, got \"P\" (created at line 1 and still running)");
    CHECK(error_after_setup("fork P Q") ==
          "t.mmt:5:8: error: expected a new process name, got \"Q\" (created at line 3 and still running)");
    CHECK(error_after_setup("fork R C") ==
          "t.mmt:5:6: error: expected a process, got \"R\" (no earlier process or fork creates it)");
    CHECK(error_after_setup("ksm-merge P buf[0] R x[0]") ==
          "t.mmt:5:20: error: expected a process, got \"R\" (no earlier process or fork creates it)");
    CHECK(error_after_setup("expect read R buf[0] == \"\"") ==
          "t.mmt:5:13: error: expected a process, got \"R\" (no earlier process or fork creates it)");
    // A fork child exists from its fork on.
    CHECK(error_of("process P\nprocess C\nfork P C\n") ==
          "t.mmt:3:8: error: expected a new process name, got \"C\" (created at line 2 and still running)");
    CHECK(error_of("process P\nexit C\nfork P C\n") ==
          "t.mmt:2:6: error: expected a process, got \"C\" (no earlier process or fork creates it)");
}

TEST_CASE("VMA names belong to a process, and a fork child inherits them", "[parser]") {
    CHECK(error_after_setup("map P buf 1 rw") ==
          "t.mmt:5:7: error: expected a new VMA name for process P, got \"buf\" (mapped at line 2)");
    // The same name in another process is another VMA.
    CHECK(parse_after_setup("map Q buf 8 rw").vma == "buf");
    CHECK(error_after_setup("read Q buf[0]") == "t.mmt:5:8: error: expected a VMA of process Q, got "
                                                "\"buf\" (process Q has no VMA of that name)");
    CHECK(error_after_setup("unmap P nothing") == "t.mmt:5:9: error: expected a VMA of process P, got "
                                                  "\"nothing\" (process P has no VMA of that name)");

    // The child knows the parent's VMAs with their sizes, and not those mapped after the fork.
    const std::string forked = std::string(kSetup) + "fork P C\nmap P late 1 rw\n"; // lines 5 and 6
    CHECK(last_command(forked + "unmap C buf\n").range.last == 3);
    CHECK(error_of(forked + "read C buf[4]\n") ==
          "t.mmt:7:12: error: expected a page index below 4 (VMA buf has 4 pages), got \"4\"");
    CHECK(error_of(forked + "read C late[0]\n") == "t.mmt:7:8: error: expected a VMA of process C, got "
                                                   "\"late\" (process C has no VMA of that name)");
    // And its own maps are its own.
    CHECK(error_of(forked + "map C mine 1 rw\nread P mine[0]\n") ==
          "t.mmt:8:8: error: expected a VMA of process P, got \"mine\" (process P has no VMA of that "
          "name)");
    CHECK(error_of(forked + "map C buf 1 rw\n") ==
          "t.mmt:7:7: error: expected a new VMA name for process C, got \"buf\" (mapped at line 2)");
}

TEST_CASE("a page index outside its VMA says the VMA's size", "[parser]") {
    CHECK(error_after_setup("write P buf[4] \"x\"") ==
          "t.mmt:5:13: error: expected a page index below 4 (VMA buf has 4 pages), got \"4\"");
    CHECK(error_after_setup("unmap P buf[2..0x10]") ==
          "t.mmt:5:16: error: expected a page index below 4 (VMA buf has 4 pages), got \"0x10\"");
    CHECK(error_of("process P\nmap P one 1 rw\nread P one[1]\n") ==
          "t.mmt:3:12: error: expected a page index below 1 (VMA one has 1 page), got \"1\"");
    CHECK(error_after_setup("expect P buf[0] same-page Q other[2]") ==
          "t.mmt:5:35: error: expected a page index below 2 (VMA other has 2 pages), got \"2\"");
}

TEST_CASE("handles are made by pin, get and vmsplice, and released once", "[parser]") {
    CHECK(error_after_setup("release h") ==
          "t.mmt:5:9: error: expected a handle, got \"h\" (no earlier pin, get or vmsplice creates it)");
    CHECK(error_after_setup("dma-write h \"x\"") ==
          "t.mmt:5:11: error: expected a handle, got \"h\" (no earlier pin, get or vmsplice creates it)");
    CHECK(error_after_setup("dma-read h") ==
          "t.mmt:5:10: error: expected a handle, got \"h\" (no earlier pin, get or vmsplice creates it)");
    CHECK(error_after_setup("expect dma-read h == \"\"") ==
          "t.mmt:5:17: error: expected a handle, got \"h\" (no earlier pin, get or vmsplice creates it)");

    const std::string pinned = std::string(kSetup) + "pin P buf[0] as h\n"; // line 5
    CHECK(error_of(pinned + "get Q other[0] as h\n") ==
          "t.mmt:6:19: error: expected a new handle name, got \"h\" (created at line 5 and still held)");
    CHECK(error_of(pinned + "release h\nrelease h\n") ==
          "t.mmt:7:9: error: expected a handle that is still held, got \"h\" (released at line 6)");
    // A released handle references nothing any more.
    CHECK(error_of(pinned + "release h\ndma-read h\n") ==
          "t.mmt:7:10: error: expected a handle that is still held, got \"h\" (released at line 6)");
    CHECK(error_of(pinned + "release h\nexpect h coherent P buf[0]\n") ==
          "t.mmt:7:8: error: expected a handle that is still held, got \"h\" (released at line 6)");
    // Once released, the name is free for a new reference.
    CHECK(parse(pinned + "release h\npin P buf[0] as h\nrelease h\n").errors.empty());
}

TEST_CASE("a process name is free again once its process has exited", "[parser]") {
    // "fork P C: C must not exist yet": after exit C, it does not.
    const std::string text = std::string(kSetup) + "fork P C\nexit C\nfork P C\nwrite C buf[0] \"x\"\n";
    CHECK(parse(text).errors.empty());
    CHECK(error_of(std::string(kSetup) + "fork P C\nfork P C\n") ==
          "t.mmt:6:8: error: expected a new process name, got \"C\" (created at line 5 and still running)");
}

TEST_CASE("after exit a process takes expectations but no actions", "[parser]") {
    const std::string exited = std::string(kSetup) + "pin P buf[0] as h\nexit P\n"; // lines 5 and 6
    const std::string message =
        "error: expected a running process, got \"P\" (process P has exited at line 6)";
    CHECK(error_of(exited + "write P buf[0] \"x\"\n") == "t.mmt:7:7: " + message);
    CHECK(error_of(exited + "exit P\n") == "t.mmt:7:6: " + message);
    CHECK(error_of(exited + "fork P C\n") == "t.mmt:7:6: " + message);
    CHECK(error_of(exited + "map P more 1 rw\n") == "t.mmt:7:5: " + message);
    CHECK(error_of(exited + "ksm-merge Q other[0] P buf[0]\n") == "t.mmt:7:22: " + message);

    // Expectations may look at what the exit left, and the pin outlives the process.
    const ParseResult result = parse(exited + "expect P buf[0] pte none\n"
                                              "expect read P buf[0] == \"\"\n"
                                              "expect Q other[0] other-page P buf[0]\n"
                                              "expect h coherent P buf[0]\n"
                                              "dma-read h\n"
                                              "release h\n");
    CHECK(result.errors.empty());
}

TEST_CASE("expect ok and expect failed need a command before them", "[parser]") {
    CHECK(error_of("expect ok\n") ==
          "t.mmt:1:1: error: expected a command before this line for \"expect ok\" to check, got none");
    CHECK(error_of("# nothing yet\n  expect failed\n") ==
          "t.mmt:2:3: error: expected a command before this line for \"expect failed\" to check, got none");
    CHECK(errors_of("era b\nexpect invariants\n").empty());
}

TEST_CASE("all pages mapped together stay under the limit", "[parser]") {
    std::string text = "process P\n";
    for (int i = 0; i < 4; ++i)
        text += "map P v" + std::to_string(i) + " 1048576 rw\n"; // 4 x 2^20 = kMaxTotalPages
    CHECK(errors_of(text).empty());
    CHECK(error_of(text + "map P one-more 1 rw\n") ==
          "t.mmt:6:16: error: expected at most 4194304 pages mapped in all, got 4194305 (this map adds 1)");
}

TEST_CASE("a scenario takes at most kMaxReferences references", "[parser]") {
    std::string text = "process P\nmap P b 1 rw\n";
    for (uint32_t i = 0; i < kMaxReferences; ++i)
        text += "pin P b[0] as H" + std::to_string(i) + "\n";
    CHECK(errors_of(text).empty());
    // One more: one error, at its command, and nothing cascades from its handle.
    CHECK(error_of(text + "get P b[0] as G\nrelease G\nvmsplice P b[0] as V\n") ==
          "t.mmt:4099:1: error: expected at most 4096 references (pin, get and vmsplice commands) in a "
          "scenario, got more");
}

// ------------------------------------------------------------------ every error, in order

TEST_CASE("every broken line is reported, in file order, and nothing runs", "[parser]") {
    const ParseResult result = parse("process P\n"
                                     "map P buf four rw\n"
                                     "write P buf[9] \"x\"\n"
                                     "wrte P buf[0] \"x\"\n"
                                     "read P buf[0]\n"
                                     "expect P buf[0] pte gone\n");
    CHECK_FALSE(result.scenario);
    REQUIRE(result.errors.size() == 3);
    CHECK(result.errors[0].format() == "t.mmt:2:11: error: expected a page count, got \"four\"");
    // buf exists (its map line is broken), so its uses are not reported again; its size is unknown.
    CHECK(result.errors[1].format() ==
          "t.mmt:4:1: error: expected a command (era, process, map, write, read, fork, exit, unmap, protect, "
          "madvise, clear-softdirty, pin, get, vmsplice, release, dma-write, dma-read, swapout, migrate, "
          "migrate-to-device, ksm-merge, split-pmd, race or expect), got \"wrte\"");
    CHECK(result.errors[2].format() ==
          "t.mmt:6:21: error: expected a PTE kind (none, present-ro, present-rw, swap, migration-writable, "
          "migration-readable, migration-readable-exclusive, device-private-rw or device-private-ro), got "
          "\"gone\"");
    CHECK(result.errors[1].file == "t.mmt");
    CHECK(result.errors[1].loc.line == 4);
    CHECK(result.errors[1].loc.column == 1);
}

TEST_CASE("a broken definition still defines its name, so one mistake is one error", "[parser]") {
    CHECK(errors_of("process P\n"
                    "fork Nobody C\n" // C exists, with unknown VMAs
                    "read C anything[7]\n"
                    "pin P x[0] sideways as h\n" // h exists
                    "release h\n") ==
          std::vector<std::string>{
              "t.mmt:2:6: error: expected a process, got \"Nobody\" (no earlier process or fork creates it)",
              "t.mmt:4:7: error: expected a VMA of process P, got \"x\" (process P has no VMA of "
              "that name)",
          });
}

TEST_CASE("after 100 errors the parser stops with a last one saying so", "[parser]") {
    std::string text;
    for (int i = 0; i < 150; ++i)
        text += "bogus\n";
    const std::vector<std::string> errors = errors_of(text);
    REQUIRE(errors.size() == 101);
    CHECK(errors[99].starts_with("t.mmt:100:1: error: expected a command"));
    CHECK(errors[100] == "t.mmt:101:1: error: too many errors: stopping after 100");
}

TEST_CASE("ScenarioError::format is FILE:LINE:COLUMN: error: MESSAGE", "[parser]") {
    const ScenarioError error{"lessons/fork.mmt", SourceLocation{12, 7}, "expected rw or ro, got \"rx\""};
    CHECK(error.format() == "lessons/fork.mmt:12:7: error: expected rw or ro, got \"rx\"");
}

// ------------------------------------------------------------------ hostile input

TEST_CASE("a file over the size limit is refused at once", "[parser]") {
    const std::string big(10u << 20, '\n'); // 10 MiB
    CHECK(error_of(big) ==
          "t.mmt:1:1: error: file is too large: expected at most 4194304 bytes, got 10485760");
    CHECK(errors_of(std::string(kMaxScenarioBytes, ' ')).empty());
}

TEST_CASE("binary and non-UTF-8 files are refused at the first bad byte", "[parser]") {
    CHECK(error_of("process P\nmap P b\0f 1 rw\n"s) ==
          "t.mmt:2:8: error: binary or non-UTF-8 file: expected UTF-8 text, got byte 0x00");
    CHECK(error_of("process P\n# caf\xe9 in Latin-1\n") ==
          "t.mmt:2:6: error: binary or non-UTF-8 file: expected UTF-8 text, got byte 0xe9");
    CHECK(error_of("# \xc0\xaf overlong\n") ==
          "t.mmt:1:3: error: binary or non-UTF-8 file: expected UTF-8 text, got byte 0xc0");
    CHECK(error_of("# \xed\xa0\x80 surrogate\n") ==
          "t.mmt:1:3: error: binary or non-UTF-8 file: expected UTF-8 text, got byte 0xed");
    CHECK(error_of("# \xf4\x90\x80\x80 above U+10FFFF\n") ==
          "t.mmt:1:3: error: binary or non-UTF-8 file: expected UTF-8 text, got byte 0xf4");
    CHECK(error_of("# stray \x80 continuation\n") ==
          "t.mmt:1:9: error: binary or non-UTF-8 file: expected UTF-8 text, got byte 0x80");
    CHECK(error_of("# cut short \xe2\x82") ==
          "t.mmt:1:13: error: binary or non-UTF-8 file: expected UTF-8 text, got byte 0xe2");
    // A byte order mark is skipped.
    CHECK(last_command("\xef\xbb\xbfprocess P\n").loc.column == 1);
}

TEST_CASE("an error's column counts characters, as an editor does, not bytes", "[parser]") {
    // "é" is two bytes and "€" three; the error is at the tenth character either way.
    CHECK(error_of("process P\nmap P b 1 rw\nwrite P b[0] \"\xc3\xa9\" x\n") ==
          "t.mmt:3:18: error: expected end of line, got \"x\"");
    CHECK(error_of("process P\nmap P b 1 rw\nwrite P b[0] \"\xe2\x82\xac\xe2\x82\xac\" x\n") ==
          "t.mmt:3:19: error: expected end of line, got \"x\"");
    CHECK(error_of("# \xc3\xa9\xc3\xa9 then \xe9\n") ==
          "t.mmt:1:11: error: binary or non-UTF-8 file: expected UTF-8 text, got byte 0xe9");
    // Inside the parser a command keeps its byte column: its source text is cut with it.
    const Command write = last_command("process P\nmap P b 1 rw\nwrite P b[0] \"\xc3\xa9\"\n");
    CHECK(write.source == "write P b[0] \"\xc3\xa9\"");
}

TEST_CASE("control characters in a message are shown escaped and never sent to the terminal", "[parser]") {
    CHECK(error_of("process P\nmap P b 1 rw\nwrite P b[0] \"x\" \x1b[2J\n") ==
          "t.mmt:3:18: error: expected end of line, got \"\\x1b[2J\"");
    CHECK(quote_string("a\x1b[31mred\x7f\"") == "\"a\\x1b[31mred\\x7f\\\"\"");
}

TEST_CASE("a line of a million words is one error", "[parser]") {
    std::string words = "process P";
    for (int i = 0; i < 1000000; ++i)
        words += " w";
    CHECK(error_of(words + "\n") == "t.mmt:1:11: error: expected end of line, got \"w\"");
}

TEST_CASE("a file of more lines than the limit is refused", "[parser]") {
    std::string text;
    for (size_t i = 0; i <= kMaxScenarioLines; ++i)
        text += "#\n";
    CHECK(error_of(text) ==
          "t.mmt:200001:1: error: file has too many lines: expected at most 200000, got 200001");
    text.resize(text.size() - 2);
    CHECK(errors_of(text).empty());
}

TEST_CASE("a long scenario parses in linear time", "[parser]") {
    // 100,000 lines: 20,000 processes, each with a VMA, a fork and accesses.
    // Optimised this takes tens of milliseconds; the bound is loose enough for
    // a Debug build with sanitizers and still catches quadratic behaviour.
    constexpr auto kBound = std::chrono::seconds(15);
    std::string text;
    for (int i = 0; i < 20000; ++i) {
        const std::string p = "P" + std::to_string(i);
        text += "process " + p + "\nmap " + p + " buf 8 rw\nwrite " + p + " buf[7] \"v\"\nfork " + p + " C" +
                std::to_string(i) + "\nexpect read C" + std::to_string(i) + " buf[7] == \"v\"\n";
    }
    const auto start = std::chrono::steady_clock::now();
    const ParseResult result = parse(text);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(result.errors.empty());
    REQUIRE(result.scenario);
    CHECK(result.scenario->commands.size() == 100000);
    CHECK(elapsed < kBound);

    // One process with many VMAs forked many times: a fork does not copy the
    // table (copying would be 20,000 x 20,000 names).
    std::string forks = "process P\n";
    for (int i = 0; i < 20000; ++i)
        forks += "map P v" + std::to_string(i) + " 1 rw\n";
    for (int i = 0; i < 20000; ++i)
        forks += "fork P C" + std::to_string(i) + "\nread C" + std::to_string(i) + " v" + std::to_string(i) +
                 "[0]\n";
    const auto fork_start = std::chrono::steady_clock::now();
    CHECK(parse(forks).errors.empty());
    CHECK(std::chrono::steady_clock::now() - fork_start < kBound);
}
