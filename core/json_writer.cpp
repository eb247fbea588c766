#include "json_writer.h"

#include <cstdio>

namespace mmt {

std::string JsonWriter::escape(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

void JsonWriter::separate() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!first_.back())
        out_ += ",";
    first_.back() = false;
}

JsonWriter& JsonWriter::begin_object() {
    separate();
    out_ += "{";
    first_.push_back(true);
    return *this;
}
JsonWriter& JsonWriter::end_object() {
    first_.pop_back();
    out_ += "}";
    return *this;
}
JsonWriter& JsonWriter::begin_array() {
    separate();
    out_ += "[";
    first_.push_back(true);
    return *this;
}
JsonWriter& JsonWriter::end_array() {
    first_.pop_back();
    out_ += "]";
    return *this;
}
JsonWriter& JsonWriter::key(std::string_view k) {
    separate();
    out_ += escape(k) + ":";
    after_key_ = true;
    return *this;
}
JsonWriter& JsonWriter::value(std::string_view s) {
    separate();
    out_ += escape(s);
    return *this;
}
JsonWriter& JsonWriter::value(int64_t n) {
    separate();
    out_ += std::to_string(n);
    return *this;
}
JsonWriter& JsonWriter::value(bool b) {
    separate();
    out_ += b ? "true" : "false";
    return *this;
}
JsonWriter& JsonWriter::null() {
    separate();
    out_ += "null";
    return *this;
}

} // namespace mmt
