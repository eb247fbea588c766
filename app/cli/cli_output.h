// What mmtutor-cli prints: text for a terminal (a student reads it) or one
// JSON object (tools read it).
#pragma once

#include <optional>
#include <string>

#include "types.h"

namespace mmt {

struct CliOptions {
    bool trace = false;
    bool json = false;
    bool check_invariants = true;
};

int cli_run(const std::string& file, const std::string& text, std::optional<Era> era, const CliOptions& options);
int cli_compare(const std::string& file, const std::string& text, const CliOptions& options);

} // namespace mmt
