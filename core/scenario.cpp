// The scenario AST's small helpers; the parser is in scenario_parser.cpp.
#include "scenario.h"

#include <cstdio>

namespace mmt {

bool is_expectation(CommandKind kind) {
    // The expectations are the last block of the enum, starting at expect_ok.
    return static_cast<uint8_t>(kind) >= static_cast<uint8_t>(CommandKind::expect_ok);
}

std::string quote_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (const auto byte = static_cast<unsigned char>(c); byte < 0x20 || byte == 0x7f) {
            // A control character is shown, never sent to the terminal as it is.
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\x%02x", byte);
            out += escape;
            continue;
        }
        out += c;
    }
    return out + "\"";
}

// The form compilers use, so that editors and terminals can jump to the spot.
std::string ScenarioError::format() const {
    return file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column) + ": error: " + message;
}

} // namespace mmt
