// A small streaming JSON writer (no dependency): objects, arrays, strings
// with escaping, numbers, booleans. Commas are placed automatically.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mmt {

class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);
    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(int64_t n);
    JsonWriter& value(bool b);
    JsonWriter& null();
    const std::string& str() const { return out_; }
    static std::string escape(std::string_view s);

private:
    void separate();
    std::string out_;
    std::vector<bool> first_{true};
    bool after_key_ = false;
};

} // namespace mmt
