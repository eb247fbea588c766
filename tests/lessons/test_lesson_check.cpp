// The lesson checker (core/lesson_check.h): the engine decides every answer.
// A good lesson passes; a lesson whose answer, highlight or expectation
// contradicts the engine fails at the exact line.
#include "lesson_check.h"

#include <catch2/catch.hpp>

#include "lesson_fixture.h"

using namespace mmt;
using namespace mmt::test;

namespace {

std::string one_problem(const std::string& text) {
    std::vector<std::string> problems = problems_of(text);
    REQUIRE(problems.size() == 1);
    return problems.front();
}

Lesson parsed(const std::string& text, const std::string& file = "t.lesson") {
    LessonParseResult result = parse_lesson(text, file);
    for (const LessonProblem& p : result.problems)
        FAIL_CHECK(p.format());
    REQUIRE(result.lesson);
    return std::move(*result.lesson);
}

} // namespace

TEST_CASE("a good lesson passes the checker", "[lesson_check]") {
    LessonCheck check = check_lesson(parsed(good_lesson()));
    CHECK(formatted(check.problems).empty());
    REQUIRE(check.run);
    CHECK(check.run->failed() == 0);
}

TEST_CASE("a checkpoint answer the engine contradicts fails at the checkpoint", "[lesson_check]") {
    CHECK(one_problem(with_lines({{36, "answer: present-ro"}, {38, "wrong present-rw: Not writable."}})) ==
          "t.lesson:34: checkpoint `pte P buf[0]`: the lesson's answer is present-ro, but the engine says "
          "present-rw (P buf[0] is present-rw)");
    CHECK(one_problem(with_lines({{68, "answer: no"}, {70, "wrong yes: A copy."}})) ==
          "t.lesson:66: checkpoint `copies C buf[0]`: the lesson's answer is no, but the engine says yes (C "
          "buf[0] maps page #514 before and page #515 after)");
    CHECK(one_problem(with_lines({{57, "answer: \"new\""}, {59, "wrong \"old\": Old."}})) ==
          "t.lesson:55: checkpoint `read`: the lesson's answer is \"new\", but the engine says \"old\" (the "
          "command reads \"old\")");
}

TEST_CASE("a checkpoint the engine cannot answer is a problem", "[lesson_check]") {
    // Before the fork there is no process C.
    CHECK(
        one_problem(with_lines({{34, "@checkpoint same-page P buf[0] C buf[0]"},
                                {36, "answer: yes"},
                                {38, "wrong no: No."},
                                {39, ""}})) ==
        "t.lesson:34: checkpoint `same-page P buf[0] C buf[0]` cannot be answered: after the command, there "
        "is no process C");
    // Era a has no PG_anon_exclusive (and v5.7 copied PTEs in copy_one_pte).
    CHECK(
        one_problem(with_lines({{10, "era a"},
                                {14, ""},
                                {43, "highlight: function copy_one_pte"},
                                {34, "@checkpoint exclusive P buf[0]"},
                                {36, "answer: yes"},
                                {38, "wrong no: No."},
                                {39, ""}})) ==
        "t.lesson:34: checkpoint `exclusive P buf[0]` cannot be answered: era a has no PG_anon_exclusive: an "
        "`exclusive` checkpoint needs era c");
}

TEST_CASE("highlights must name something at their step", "[lesson_check]") {
    std::vector<std::string> lines = good_lines();
    lines[82] = "highlight: holder H";
    CHECK(one_problem(join(lines)) ==
          "t.lesson:82: highlight `holder H`: there is no reference H before or after this command");
    CHECK(one_problem(with_line(43, "highlight: function do_swap_page")) ==
          "t.lesson:43: highlight `function do_swap_page`: no kernel step of this command runs in "
          "do_swap_page");
    CHECK(one_problem(with_line(31, "highlight: page of P buf[1]")) ==
          "t.lesson:31: highlight `page of P buf[1]`: P buf[1] maps no page before or after this command");
}

TEST_CASE("failed expectations of either scenario are problems at their line", "[lesson_check]") {
    CHECK(one_problem(with_line(14, "expect P buf[0] shared")) ==
          "t.lesson:14: `expect P buf[0] shared`: expected shared, got exclusive");
    CHECK(one_problem(with_line(95, "expect P buf[0] pte present-ro")) ==
          "t.lesson:95: `expect P buf[0] pte present-ro`: expected pte present-ro, got pte present-rw");
    CHECK(one_problem(with_line(95, "")) ==
          "t.lesson:91: the try-it-yourself scenario has no expect line to check");
}

TEST_CASE("a lesson needs 8 steps and 3 checkpoints", "[lesson_check]") {
    CHECK(one_problem(with_lines({{80, ""}, {81, ""}, {83, ""}})) ==
          "t.lesson:23: a lesson has 8 to 25 steps, this one 7");
    CHECK(one_problem(with_lines({{66, ""},
                                  {67, ""},
                                  {68, ""},
                                  {69, ""},
                                  {70, ""},
                                  {55, ""},
                                  {56, ""},
                                  {57, ""},
                                  {58, ""},
                                  {59, ""}})) ==
          "t.lesson:23: a lesson has at least 3 checkpoints, this one 2");
}

TEST_CASE("coherence breaches are problems unless the lesson shows one", "[lesson_check]") {
    // A FOLL_GET reference taken after the fork (command 5, line 16) is left
    // behind when the parent's write (line 18) copies the page: the FOLL_GET
    // and fork limitation of era c.
    const std::vector<std::pair<int, std::string>> stale{{16, "get P buf[0] as G"},
                                                         {52, "@step 5 get P buf[0] as G"},
                                                         {55, ""},
                                                         {56, ""},
                                                         {57, ""},
                                                         {58, ""},
                                                         {59, ""},
                                                         {60, ""},
                                                         {61, ""}};
    std::vector<std::string> lines = good_lines();
    for (const auto& [line, text] : stale)
        lines[line] = text;
    CHECK(one_problem(join(lines)) ==
          "t.lesson:18: the scenario breaks coherence rule GUP reference coherence in era c: G holds page "
          "#514 but "
          "P buf[0] "
          "now maps page #516: the holder and the process no longer see the same memory");
    lines[8] = "breaches: coherence";
    CHECK(problems_of(join(lines)).empty());
    CHECK(one_problem(with_line(8, "breaches: coherence")) ==
          "t.lesson:8: the lesson says it shows a coherence breach, but neither of its scenarios has one");
}

TEST_CASE("the engine answers step-by-step questions", "[lesson_check]") {
    const Scenario scenario =
        *parse_scenario("process P\nmap P buf 1 rw\nwrite P buf[0] \"a\"\nswapout P buf[0]\n", "s.mmt")
             .scenario;
    RunResult run = run_scenario(scenario, Era::c);
    Checkpoint history;
    history.ask = CheckpointAsk::entry_history;
    history.address = {"P", "buf", 0};
    const CommandRecord& swapout = run.kernel->commands()[run.record_of[3]];
    EngineAnswer answer = engine_answer(*run.kernel, swapout, history);
    REQUIRE(answer.value);
    CHECK(*answer.value == "\"present-rw, none, swap\"");
    Checkpoint migration = history;
    migration.ask = CheckpointAsk::migration_entry;
    CHECK(engine_answer(*run.kernel, swapout, migration).value == std::optional<std::string>("none"));
    CHECK(run.kernel->at_end());
}

TEST_CASE("a set of lessons has unique ids, matching file names and earlier prerequisites",
          "[lesson_check]") {
    Lesson first = parsed(good_lesson(), "lessons/01-fork-basics.lesson");
    Lesson second = parsed(with_lines({{1, "id: second"}, {5, "prerequisites: fork-basics, missing"}}),
                           "lessons/02-second.lesson");
    Lesson misnamed = parsed(with_line(5, "prerequisites: third"), "lessons/03-third.lesson");
    CHECK(formatted(check_lesson_set({first, second})) ==
          std::vector<std::string>{"lessons/02-second.lesson:5: prerequisite missing is not a lesson here"});
    CHECK(formatted(check_lesson_set({first, misnamed})) ==
          std::vector<std::string>{
              "lessons/03-third.lesson:1: a lesson with id fork-basics is named NN-fork-basics.lesson, not "
              "03-third.lesson",
              "lessons/03-third.lesson:1: id fork-basics is also the id of lessons/01-fork-basics.lesson",
              "lessons/03-third.lesson:5: prerequisite third is not a lesson here"});
}

TEST_CASE("a step names a race block by its first word", "[lesson_check]") {
    std::vector<std::string> lines = good_lines();
    lines[20] = "race\n  cpu0 migrate P buf[0]\n  cpu1 pin P buf[0] write fast as H\nend";
    // The block spans four lines; the steps after it shift by three.
    std::string text = join(lines);
    std::string step9 = "@step 9 exit C";
    text.replace(text.find(step9), step9.size(), "@step 9 race");
    CHECK(problems_of(text).empty());
    text.replace(text.find("@step 9 race"), 12, "@step 9 race [x]");
    CHECK(one_problem(text) ==
          "t.lesson:83: step names `race [x]` but command 9 of the scenario (line 20) is `race [cpu0 migrate "
          "P buf[0]; cpu1 pin P buf[0] write fast as H]`");
}

TEST_CASE("a race block with flush off may break invariants only in a lesson that says so", "[lesson_check]") {
    // The try-it-yourself scenario runs section III without the flush, in the
    // commit's order: GUP-fast pins a page swap-out has just made shared.
    std::vector<std::string> lines = good_lines();
    lines[94] = "write P buf[0] \"x\"\nrace\n  cpu0 swapout P buf[0]\n  cpu1 pin P buf[0] write fast as H\n"
                "  flush off\n  order 1 0 0 0 0 0 1 1 1 1 0\nend";
    lines[95] = "expect ok";
    const std::vector<std::string> problems = problems_of(join(lines));
    REQUIRE(problems.size() == 1);
    CHECK(problems.front().rfind("t.lesson:95: the try-it-yourself scenario breaks invariant rule I2", 0) == 0);

    lines[8] = "breaches: flush-off";
    CHECK(problems_of(join(lines)).empty());
    lines[8] = "breaches: coherence, flush-off";
    CHECK(one_problem(join(lines)) ==
          "t.lesson:8: the lesson says it shows a coherence breach, but neither of its scenarios has one");
    CHECK(one_problem(with_line(8, "breaches: flush-off")) ==
          "t.lesson:8: the lesson says a race block with `flush off` breaks an invariant, but no such block "
          "breaks one");
    CHECK(one_problem(with_line(8, "breaches: races")) ==
          "t.lesson:8: expected `breaches:` followed by coherence, flush-off or both, got `races`");
}
