// What mmtutor-cli prints: text for a terminal (a student reads it) or one
// JSON object (tools read it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "types.h"

namespace mmt {

struct ScenarioError;

struct CliOptions {
    bool trace = false;
    bool json = false;
    bool check_invariants = true;
};

// With --json, the one JSON object of a run that did not happen (exit 2):
// the file's errors, or why it could not be read.
void print_json_errors(const std::string& file, std::optional<Era> era, const std::vector<ScenarioError>& errors);
void print_json_read_error(const std::string& file, std::optional<Era> era, const std::string& message);
int cli_run(const std::string& file, const std::string& text, std::optional<Era> era, const CliOptions& options);
int cli_compare(const std::string& file, const std::string& text, const CliOptions& options);

} // namespace mmt
