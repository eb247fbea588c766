// mmtutor-cli: runs scenario files headless (shared/spec/scenario-language.md).
//   mmtutor-cli run FILE.mmt [--era a|b|c] [--trace] [--json] [--no-invariants]
//   mmtutor-cli compare FILE.mmt [--json]
//   mmtutor-cli explore FILE.mmt [--era a|b|c] [--json]
//   mmtutor-cli lessons list [DIR] | lessons check [ID] [--dir DIR]
//   mmtutor-cli lessons export ID... -o PACK | lessons import PACK [--keep-both|--replace]
// Exit codes: 0 every expectation held, 1 one failed, 2 the file could not be
// read or has an error (nothing ran).
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli_output.h"
#include "era_policy.h"
#include "explore_command.h"
#include "lessons_command.h"
#include "scenario.h"
#include "scenario_runner.h"

namespace {

constexpr const char* kVersion = "mmtutor-cli 0.1.0 (scenario language v1)";

const char* kUsage =
    "usage: mmtutor-cli run FILE.mmt [--era a|b|c] [--trace] [--json] [--no-invariants]\n"
    "       mmtutor-cli compare FILE.mmt [--json]\n"
    "       mmtutor-cli explore FILE.mmt [--era a|b|c] [--json]\n"
    "       mmtutor-cli lessons list [DIR]\n"
    "       mmtutor-cli lessons check [ID] [--dir DIR]\n"
    "       mmtutor-cli lessons export ID... -o PACK [--force]\n"
    "       mmtutor-cli lessons import PACK [--keep-both|--replace]\n"
    "       mmtutor-cli --help | --version\n"
    "\n"
    "run      run a scenario in one kernel era (default: the file's `era` line, else c)\n"
    "compare  run it in eras a, b and c; print each expectation per era and the first\n"
    "         kernel step where the eras part ways\n"
    "explore  run every interleaving of the file's first race block (docs/races.md), check the\n"
    "         invariants after each atomic step and, at the end, whether each pin stays coherent\n"
    "         when its process then writes (or reads, then writes) through it; print how many\n"
    "         break an invariant, how many leave a pin incoherent, and the shortest of each as a\n"
    "         replayable scenario (exit 0: none does, 1: some do); a note says when a writer ran\n"
    "         its whole command as one step (a THP, a shared page), whose inside is then not explored\n"
    "lessons  list the guided lessons (id, level, minutes, title), or check them against the\n"
    "         engine: every checkpoint's answer, expectation and invariant (default DIR: the\n"
    "         source tree's lessons/, or $MMTUTOR_LESSONS_DIR); problems print as FILE:LINE: ...;\n"
    "         `list` adds your own and imported lessons. `export` writes bundled or your lessons\n"
    "         to one pack file (--force replaces an existing file); `import` validates the whole\n"
    "         pack against the engine before writing anything into your lessons; a lesson whose\n"
    "         id exists is an error unless --keep-both (it gets a new id, e.g. ID-2) or --replace\n"
    "         (replaces your lesson; bundled lessons are never replaced) says what to do.\n"
    "         Your lessons and progress live in $MMTUTOR_DATA_DIR/user.sqlite (default:\n"
    "         ~/.local/share/mmtutor/user.sqlite), as in the application\n"
    "\n"
    "  --era a|b|c      a: v5.7 and before, b: v5.9-v5.17, c: v6.2 with PG_anon_exclusive\n"
    "  --trace          print every kernel step and what it changed\n"
    "  --json           print one JSON object instead of text\n"
    "  --no-invariants  do not run the invariant checker after each step\n"
    "\n"
    "exit status: 0 every expectation held, 1 at least one failed, 2 the file could not be\n"
    "read or has an error (nothing ran); lessons: 0 no problem, 1 a lesson has a problem,\n"
    "2 a usage error or no lessons found; export/import: 0 done, 1 a problem (nothing written), 2 a\n"
    "usage error\n";

bool read_file(const std::string& path, std::string* out, std::string* error) {
    if (std::filesystem::is_directory(path)) {
        *error = std::string("cannot read ") + path + ": it is a directory";
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        *error = std::string("cannot read ") + path + ": " + std::strerror(errno);
        return false;
    }
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > mmt::kMaxScenarioBytes) {
        *error = path + ":1:1: error: file is too large: expected at most " + std::to_string(mmt::kMaxScenarioBytes) +
                 " bytes, got " + std::to_string(size);
        return false;
    }
    // Read one byte past the limit so the parser can say the file is too large.
    std::string data(mmt::kMaxScenarioBytes + 1, '\0');
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<size_t>(in.gcount()));
    *out = std::move(data);
    return true;
}

std::optional<mmt::Era> parse_era(const char* s) {
    if (!std::strcmp(s, "a")) return mmt::Era::a;
    if (!std::strcmp(s, "b")) return mmt::Era::b;
    if (!std::strcmp(s, "c")) return mmt::Era::c;
    return std::nullopt;
}

int usage_error(const std::string& message) {
    std::cerr << "mmtutor-cli: " << message << "\n\n" << kUsage;
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty())
        return usage_error("missing command");
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << kUsage;
        return 0;
    }
    if (args[0] == "--version") {
        std::cout << kVersion << "\n";
        return 0;
    }
    std::string command = args[0];
    if (command == "lessons")
        return mmt::cli_lessons(std::vector<std::string>(args.begin() + 1, args.end()));
    if (command != "run" && command != "compare" && command != "explore")
        return usage_error("unknown command '" + command + "'");
    std::optional<std::string> file;
    std::optional<mmt::Era> era;
    mmt::CliOptions options;
    for (size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--trace") {
            options.trace = true;
        } else if (a == "--json") {
            options.json = true;
        } else if (a == "--no-invariants") {
            options.check_invariants = false;
        } else if (a == "--era" || a.rfind("--era=", 0) == 0) {
            std::string value = a == "--era" ? (i + 1 < args.size() ? args[++i] : "") : a.substr(6);
            era = parse_era(value.c_str());
            if (!era)
                return usage_error("--era takes a, b or c, got '" + value + "'");
            if (command == "compare")
                return usage_error("compare runs every era; --era does not apply");
        } else if (a == "--help" || a == "-h") {
            std::cout << kUsage;
            return 0;
        } else if (!a.empty() && a[0] == '-') {
            return usage_error("unknown option '" + a + "'");
        } else if (!file) {
            file = a;
        } else {
            return usage_error("more than one file given");
        }
    }
    if (!file)
        return usage_error("missing FILE.mmt");
    std::string text, error;
    if (!read_file(*file, &text, &error)) {
        if (options.json && command != "compare")
            mmt::print_json_read_error(*file, era, error);
        std::cerr << (error.find(": error: ") != std::string::npos ? "" : "mmtutor-cli: ") << error << "\n";
        return 2;
    }
    if (command == "compare")
        return mmt::cli_compare(*file, text, options);
    if (command == "explore") {
        if (options.trace || !options.check_invariants)
            return usage_error("explore takes --era and --json");
        return mmt::cli_explore(*file, text, era, options.json);
    }
    return mmt::cli_run(*file, text, era, options);
}
