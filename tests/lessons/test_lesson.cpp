// The lesson parser (core/lesson.h): what a lesson parses into, and the exact
// file:line message of each problem that stops it from parsing.
#include "lesson.h"

#include <catch2/catch.hpp>

#include "lesson_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {

Lesson parse_good(const std::string& text) {
    LessonParseResult parsed = parse_lesson(text, "t.lesson");
    for (const LessonProblem& p : parsed.problems)
        FAIL_CHECK(p.format());
    REQUIRE(parsed.lesson);
    return std::move(*parsed.lesson);
}

std::vector<std::string> parse_problems(const std::string& text) {
    LessonParseResult parsed = parse_lesson(text, "t.lesson");
    CHECK(parsed.lesson.has_value() == parsed.problems.empty());
    return formatted(parsed.problems);
}

std::string one_problem(const std::string& text) {
    std::vector<std::string> problems = parse_problems(text);
    REQUIRE(problems.size() == 1);
    return problems.front();
}

} // namespace

TEST_CASE("a good lesson parses into its header, steps and checkpoints", "[lesson]") {
    const Lesson lesson = parse_good(good_lesson());
    CHECK(lesson.id == "fork-basics");
    CHECK(lesson.level == LessonLevel::beginner);
    CHECK(lesson.minutes == 10);
    CHECK(lesson.prerequisites.empty());
    CHECK(lesson.sources == std::vector<std::string>{"mm/memory.c: do_wp_page, wp_page_copy"});
    CHECK(lesson.status == LessonStatus::ready);
    CHECK(lesson.era() == Era::c);
    REQUIRE(lesson.steps.size() == 8);
    CHECK(lesson.checkpoint_count() == 4);

    const LessonStep& fork = lesson.steps[2];
    CHECK(fork.line == 41);
    CHECK(fork.command_number == 4);
    CHECK(lesson.scenario.parsed->commands[fork.command_index].loc.line == 15);
    CHECK(fork.title == "fork");
    REQUIRE(fork.highlights.size() == 1);
    CHECK(fork.highlights[0].kind == HighlightKind::function);
    CHECK(fork.highlights[0].name == "copy_present_pte");
    REQUIRE(fork.checkpoints.size() == 1);
    const Checkpoint& shared = fork.checkpoints[0];
    CHECK(shared.ask == CheckpointAsk::same_page);
    CHECK(shared.address.process == "P");
    CHECK(shared.other.process == "C");
    CHECK(shared.answer.value == "yes");
    CHECK(shared.answer.explanation == "Fork shares,\nit does not copy.");
    REQUIRE(shared.wrong.size() == 1);
    CHECK(shared.wrong[0].value == "no");
    CHECK(shared.wrong[0].line == 50);

    const LessonStep& read = lesson.steps[3];
    CHECK(read.checkpoints[0].answer.value == "\"old\"");
    CHECK(read.after == "As expected.");
    CHECK(lesson.steps[1].highlights[0].kind == HighlightKind::page);
    CHECK(lesson.try_prompt == "Try it.");
    CHECK(lesson.try_scenario.line == 91);
}

TEST_CASE("scenario errors name the lesson's line and column", "[lesson]") {
    CHECK(one_problem(with_line(13, "write P buf[9] \"old\"")) ==
          "t.lesson:13:13: in the @scenario: expected a page index below 2 (VMA buf has 2 pages), got \"9\"");
    CHECK(
        one_problem(with_line(94, "write P nothing[0] \"x\"")) ==
        "t.lesson:94:9: in the @try scenario: expected a VMA of process P, got \"nothing\" (process P has no "
        "VMA of that name)");
}

TEST_CASE("a missing header field is named at line 1", "[lesson]") {
    CHECK(one_problem(with_line(6, "")) == "t.lesson:1: the header has no `minutes:` field");
    CHECK(one_problem(with_line(7, "")) == "t.lesson:1: the header has no `sources:` field");
}

TEST_CASE("bad header values are named at their line", "[lesson]") {
    CHECK(one_problem(with_line(4, "level: expert")) ==
          "t.lesson:4: expected level beginner, intermediate or advanced, got `expert`");
    CHECK(one_problem(with_line(6, "minutes: soon")) ==
          "t.lesson:6: expected minutes as a whole number from 1 to 240, got `soon`");
    CHECK(one_problem(with_line(5, "prerequisites: Fork_COW")) ==
          "t.lesson:5: expected lesson ids separated by commas (or `none`), got `Fork_COW`");
    CHECK(one_problem(with_line(8, "author: me")) ==
          "t.lesson:8: unknown header field `author`: expected id, title, summary, level, prerequisites, "
          "minutes, sources, status or breaches");
}

TEST_CASE("a step must refer to the command it names, in order", "[lesson]") {
    CHECK(one_problem(with_line(41, "@step 4 fork P D")) ==
          "t.lesson:41: step names `fork P D` but command 4 of the scenario (line 15) is `fork P C`");
    CHECK(one_problem(with_line(80, "@step 12 exit C")) ==
          "t.lesson:80: step refers to command 12, but the scenario has 9 commands (not counting era and "
          "expect lines)");
    CHECK(one_problem(with_line(23, "@step first process P")) ==
          "t.lesson:23: expected `@step N COMMAND` with N the command's number (1 = the first), got `first "
          "process P`");
    std::vector<std::string> lines = good_lines();
    lines[85] = "@step 2 map P buf 2 rw";
    lines[86] = "title: misplaced";
    lines[87] = "Out of order.";
    CHECK(one_problem(join(lines)) ==
          "t.lesson:85: step refers to command 2, which does not come after the previous step's command 9");
}

TEST_CASE("a step needs a title and narration", "[lesson]") {
    CHECK(one_problem(with_line(24, "")) == "t.lesson:23: step has no `title:` line");
    CHECK(one_problem(with_line(27, "")) == "t.lesson:23: step has no narration");
    CHECK(one_problem(with_line(25, "highlight: page P buf[0]")) ==
          "t.lesson:25: expected a highlight: `process P`, `P buf`, `P buf[0]`, `page of P buf[0]`, "
          "`swap of P buf[0]`, `holder H` or `function NAME`, got `page P buf[0]`");
}

TEST_CASE("narration may only refer to steps that exist", "[lesson]") {
    CHECK(one_problem(with_line(32, "Unlike step 2.")) ==
          "t.lesson:29: the text refers to step 2, but no @step 2 exists (steps are numbered by their command)");
    CHECK(parse_problems(with_line(32, "As in step 1, and in lesson 3, step 12.")).empty());
}

TEST_CASE("checkpoints need a question, an answer, its why and valid wrong choices", "[lesson]") {
    CHECK(one_problem(with_line(36, "")) == "t.lesson:34: checkpoint has no `answer:`");
    CHECK(one_problem(with_line(37, "")) ==
          "t.lesson:34: checkpoint has no `why:` (the explanation shown with the right answer)");
    CHECK(one_problem(with_line(36, "answer: writable")) ==
          "t.lesson:36: expected a PTE kind (none, present-ro, present-rw, swap, migration-writable, "
          "migration-readable, migration-readable-exclusive, device-private-rw, device-private-ro), got "
          "`writable`");
    CHECK(one_problem(with_line(39, "wrong present-ro: again")) ==
          "t.lesson:39: choice `present-ro` is offered twice (or is also the answer)");
    CHECK(one_problem(with_line(50, "wrong maybe: perhaps")) ==
          "t.lesson:50: expected yes or no, got `maybe`");
    CHECK(one_problem(with_line(49, "it does not copy.")) ==
          "t.lesson:49: expected a checkpoint field (question:, answer:, why:, wrong VALUE:) or an indented "
          "continuation line, got `it does not copy.`");
    CHECK(one_problem(with_line(45, "@checkpoint shared P buf[0]")) ==
          "t.lesson:45: expected what the checkpoint asks: pte, exclusive, copies, same-page, coherent, "
          "pinned, "
          "refcount, mapcount, read, outcome, migration-entry or entry-history, got `shared`");
    CHECK(
        one_problem(
            with_lines({{66, "@checkpoint read"}, {68, "answer: \"child\""}, {70, "wrong \"old\": No."}})) ==
        "t.lesson:66: a `read` checkpoint needs a read or dma-read command, but the step's command is `write "
        "C buf[0] \"child\"`");
}

TEST_CASE("directives out of place are problems", "[lesson]") {
    CHECK(one_problem(with_line(21, "")) ==
          "t.lesson:9: the scenario opened here has no @end (line 23 starts @step)");
    CHECK(one_problem(with_line(96, "")) == "t.lesson:91: the scenario opened here has no @end");
    CHECK(one_problem(with_line(60, "@later")) ==
          "t.lesson:60: unknown directive @later: expected @intro, @scenario, @end, @step, @checkpoint, "
          "@after or @try");
    CHECK(parse_problems(with_line(89, "")) ==
          std::vector<std::string>{
              "t.lesson:1: the lesson has no @try section",
              "t.lesson:91: expected one @scenario after the header and one in @try, got another",
              "t.lesson:96: @end closes a scenario, but no @scenario is open"});
}
