#include "mgmt/exporter/exposition.h"

#include <charconv>
#include <cmath>

namespace espgw::mgmt::exporter {
namespace {

void escape_into(std::string& out, std::string_view v, bool quote) {
    for (const char c : v) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (quote && c == '"') {
            out += "\\\"";
        } else {
            out += c;
        }
    }
}

}  // namespace

std::string escape_label_value(std::string_view v) {
    std::string out;
    escape_into(out, v, true);
    return out;
}

std::string escape_help(std::string_view v) {
    std::string out;
    escape_into(out, v, false);
    return out;
}

Labels& Labels::add(std::string_view name, std::string_view value) {
    if (!text_.empty()) text_ += ',';
    text_ += name;
    text_ += "=\"";
    escape_into(text_, value, true);
    text_ += '"';
    return *this;
}

bool Exposition::family(std::string_view name, MetricType type, std::string_view help) {
    if (!started_.emplace(name).second) return false;
    current_ = name;
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    escape_into(out_, help, false);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += type == MetricType::kCounter ? " counter\n" : " gauge\n";
    return true;
}

void Exposition::start_sample(const Labels& labels, std::string_view extra_name,
                              std::string_view extra_value) {
    out_ += current_;
    if (labels.str().empty() && extra_name.empty()) return;
    out_ += '{';
    out_ += labels.str();
    if (!extra_name.empty()) {
        if (!labels.str().empty()) out_ += ',';
        out_ += extra_name;
        out_ += "=\"";
        escape_into(out_, extra_value, true);
        out_ += '"';
    }
    out_ += '}';
}

void Exposition::end_sample(uint64_t value) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    out_ += ' ';
    out_.append(buf, r.ptr);
    out_ += '\n';
}

void Exposition::sample(const Labels& labels, uint64_t value) {
    start_sample(labels, {}, {});
    end_sample(value);
}

void Exposition::sample(const Labels& labels, std::string_view extra_name,
                        std::string_view extra_value, uint64_t value) {
    start_sample(labels, extra_name, extra_value);
    end_sample(value);
}

void Exposition::sample(const Labels& labels, double value) {
    start_sample(labels, {}, {});
    char buf[32];
    // Shortest text that reads back as the same double; the format spells the specials so.
    const char* special = std::isnan(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    out_ += ' ';
    if (std::isfinite(value)) {
        out_.append(buf, r.ptr);
    } else {
        out_ += special;
    }
    out_ += '\n';
}

}  // namespace espgw::mgmt::exporter
