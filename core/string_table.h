// Interned strings: page contents and names are stored as small ids so that a
// page's contents can be journaled as a 32-bit before/after value. Id 0 is the
// empty string (memory nobody wrote). Append-only: ids stay valid for the
// whole run, also across stepping back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mmt {

class StringTable {
public:
    StringTable() { intern(""); }

    uint32_t intern(std::string_view text) {
        if (auto it = ids_.find(std::string(text)); it != ids_.end())
            return it->second;
        auto id = static_cast<uint32_t>(texts_.size());
        texts_.emplace_back(text);
        ids_.emplace(texts_.back(), id);
        return id;
    }
    const std::string& text(uint32_t id) const { return texts_.at(id); }
    size_t size() const { return texts_.size(); }

private:
    std::vector<std::string> texts_;
    std::unordered_map<std::string, uint32_t> ids_;
};

} // namespace mmt
