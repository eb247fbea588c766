#include "lessons_command.h"

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <optional>

#include "lesson.h"
#include "lesson_check.h"
#ifdef MMTUTOR_HAVE_STORE
#include "lesson_store_command.h"
#endif

#ifndef MMTUTOR_LESSONS_DIR
#define MMTUTOR_LESSONS_DIR "lessons"
#endif

namespace mmt {

namespace {

constexpr const char* kLessonsUsage = "       mmtutor-cli lessons list [DIR]\n"
                                      "       mmtutor-cli lessons check [ID] [--dir DIR]\n"
                                      "       mmtutor-cli lessons export ID... -o PACK [--force]\n"
                                      "       mmtutor-cli lessons import PACK [--keep-both|--replace]\n";

int lessons_usage_error(const std::string& message) {
    std::cerr << "mmtutor-cli lessons: " << message << "\n\nusage:\n" << kLessonsUsage;
    return 2;
}

// --dir, else $MMTUTOR_LESSONS_DIR, else the source tree's lessons/.
std::string lessons_directory(const std::optional<std::string>& given) {
    if (given)
        return *given;
    if (const char* env = std::getenv("MMTUTOR_LESSONS_DIR"); env && *env)
        return env;
    return MMTUTOR_LESSONS_DIR;
}

struct LoadedLesson {
    std::string file;
    std::optional<Lesson> lesson;        // unset if the file did not parse
    std::vector<LessonProblem> problems; // why it did not parse
};

std::vector<LoadedLesson> load_lessons(const std::string& directory) {
    std::vector<LoadedLesson> out;
    for (const std::string& file : lesson_files(directory)) {
        LoadedLesson loaded{file, std::nullopt, {}};
        std::string text, error;
        if (!read_lesson_file(file, &text, &error)) {
            loaded.problems.push_back({file, 1, 0, error});
        } else {
            LessonParseResult parsed = parse_lesson(text, file);
            loaded.lesson = std::move(parsed.lesson);
            loaded.problems = std::move(parsed.problems);
        }
        out.push_back(std::move(loaded));
    }
    return out;
}

// A lesson is selected by its id, or by its file name (NN-ID.lesson) when it
// does not parse.
bool selected(const LoadedLesson& l, const std::optional<std::string>& id) {
    if (!id)
        return true;
    if (l.lesson)
        return l.lesson->id == *id;
    return l.file.ends_with("-" + *id + ".lesson");
}

void print_problems(const std::vector<LessonProblem>& problems) {
    for (const LessonProblem& p : problems)
        std::cout << p.format() << "\n";
}

int no_lessons(const std::string& directory) {
    std::cerr << "mmtutor-cli lessons: no NN-slug.lesson files in " << directory << "\n";
    return 2;
}

int list_lessons(const std::string& directory) {
    std::vector<LoadedLesson> loaded = load_lessons(directory);
    if (loaded.empty())
        return no_lessons(directory);
    bool problems = false;
    for (const LoadedLesson& l : loaded) {
        for (const LessonProblem& p : l.problems)
            std::cerr << p.format() << "\n";
        problems = problems || !l.problems.empty();
        if (!l.lesson)
            continue;
        std::cout << std::left << std::setw(28) << l.lesson->id << std::setw(14)
                  << lesson_level_name(l.lesson->level) << std::right << std::setw(3) << l.lesson->minutes
                  << " min  " << l.lesson->title
                  << (l.lesson->status == LessonStatus::draft ? " (draft)" : "") << "\n";
    }
#ifdef MMTUTOR_HAVE_STORE
    // The user's own and imported lessons follow the bundled ones.
    if (!cli_list_user_lessons())
        problems = true;
#endif
    return problems ? 1 : 0;
}

int check_lessons(const std::string& directory, const std::optional<std::string>& id) {
    std::vector<LoadedLesson> loaded = load_lessons(directory);
    if (loaded.empty())
        return no_lessons(directory);
    std::vector<Lesson> parsed;
    for (const LoadedLesson& l : loaded)
        if (l.lesson)
            parsed.push_back(*l.lesson);
    const std::vector<LessonProblem> set_problems = check_lesson_set(parsed);
    size_t problems = 0, checked = 0;
    for (const LoadedLesson& l : loaded) {
        if (!selected(l, id))
            continue;
        ++checked;
        std::vector<LessonProblem> mine = l.problems;
        if (l.lesson) {
            std::vector<LessonProblem> found = check_lesson(*l.lesson).problems;
            mine.insert(mine.end(), found.begin(), found.end());
            for (const LessonProblem& p : set_problems)
                if (p.file == l.file)
                    mine.push_back(p);
        }
        print_problems(mine);
        problems += mine.size();
        if (l.lesson)
            std::cout << (mine.empty() ? "ok    " : "FAIL  ") << l.lesson->id << " ("
                      << l.lesson->steps.size() << " steps, " << l.lesson->checkpoint_count()
                      << " checkpoints, era " << era_letter(l.lesson->era())
                      << (l.lesson->status == LessonStatus::draft ? ", draft" : "") << ")\n";
        else
            std::cout << "FAIL  " << l.file << " (does not parse)\n";
    }
    if (checked == 0) {
        std::cerr << "mmtutor-cli lessons: no lesson with id " << *id << " in " << directory << "\n";
        return 2;
    }
    std::cout << (problems ? std::to_string(problems) + (problems == 1 ? " problem" : " problems")
                           : std::string("no problems"))
              << " in " << checked << (checked == 1 ? " lesson" : " lessons") << "\n";
    return problems ? 1 : 0;
}

} // namespace

int cli_lessons(const std::vector<std::string>& args) {
    if (args.empty())
        return lessons_usage_error("missing subcommand (list, check, export or import)");
    const std::string& sub = args[0];
    if (sub == "export" || sub == "import") {
#ifdef MMTUTOR_HAVE_STORE
        const std::vector<std::string> rest(args.begin() + 1, args.end());
        return sub == "export" ? cli_lessons_export(rest) : cli_lessons_import(rest);
#else
        std::cerr << "mmtutor-cli lessons: " << sub << " needs the lesson store, which this build lacks (Qt Sql)\n";
        return 2;
#endif
    }
    std::optional<std::string> dir, positional;
    for (size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--dir" && sub == "check") {
            if (i + 1 >= args.size())
                return lessons_usage_error("--dir needs a directory");
            dir = args[++i];
        } else if (!a.empty() && a[0] == '-') {
            return lessons_usage_error("unknown option '" + a + "'");
        } else if (!positional) {
            positional = a;
        } else {
            return lessons_usage_error("unexpected argument '" + a + "'");
        }
    }
    if (sub == "list")
        return list_lessons(lessons_directory(positional));
    if (sub == "check")
        return check_lessons(lessons_directory(dir), positional);
    return lessons_usage_error("unknown subcommand '" + sub + "' (list, check, export or import)");
}

} // namespace mmt
