// Holds a lesson against the engine: runs its scenario in its era and checks
// that every checkpoint's answer is the one the engine computes, that every
// highlight names something that exists at its step, that the scenario's own
// expectations pass and no invariant of the era breaks, and that the closing
// try-it-yourself scenario runs with all its expectations passing.
//
// The engine is the judge of every answer: a lesson that says "this write
// copies the page" when the engine reuses it is wrong, whoever is right about
// the kernel; the problem message says what the engine saw, so that the
// author (or the engine's maintainer) can tell which.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lesson.h"
#include "scenario_runner.h"

namespace mmt {

// The engine's answer to one checkpoint: the value (written as a choice is:
// `present-ro`, `yes`, `"old"`, `1025`) and a sentence saying what it saw.
// When the question cannot be asked at that step (no such process yet, no
// page at the address), value is empty and detail says why.
struct EngineAnswer {
    std::optional<std::string> value;
    std::string detail;
};

// Asks the kernel of a finished run. Moves the kernel's history cursor (it is
// left at the end of the run).
EngineAnswer engine_answer(Kernel& kernel, const CommandRecord& record, const Checkpoint& checkpoint);

// Does the author's choice mean the engine's value? (`"a\"b"` is the string a"b.)
bool choice_matches(CheckpointAsk ask, const std::string& choice, const std::string& engine_value);

struct LessonCheck {
    std::vector<LessonProblem> problems;
    std::optional<RunResult> run; // the lesson scenario's run (kept for callers that show it)
};

// Checks one parsed lesson on its own.
LessonCheck check_lesson(const Lesson& lesson);

// Checks what only a set of lessons can show: ids are unique, each file is
// named NN-ID.lesson, every prerequisite is a lesson of the set that comes
// before it.
std::vector<LessonProblem> check_lesson_set(const std::vector<Lesson>& lessons);

} // namespace mmt
