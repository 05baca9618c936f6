// Writer of the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): each metric family once, as
// `# HELP`, `# TYPE` and then all of its samples together; label values and help text escaped
// as the format says (backslash, double quote in label values, line feed).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

namespace espgw::mgmt::exporter {

enum class MetricType { kCounter, kGauge };

// Escapes a label value: \ -> \\, " -> \", line feed -> \n.
std::string escape_label_value(std::string_view v);
// Escapes help text: \ -> \\, line feed -> \n.
std::string escape_help(std::string_view v);

// A label set rendered once (`a="x",b="y"`) and reused for the samples of several families.
class Labels {
  public:
    Labels& add(std::string_view name, std::string_view value);
    const std::string& str() const { return text_; }

  private:
    std::string text_;
};

class Exposition {
  public:
    // Starts a family. Returns false (and writes nothing) when `name` was already started: the
    // format allows one family per name, so callers gather all samples of a name together.
    bool family(std::string_view name, MetricType type, std::string_view help);
    // A sample of the current family, with the labels of `labels` and optionally one more.
    void sample(const Labels& labels, uint64_t value);
    void sample(const Labels& labels, double value);
    void sample(const Labels& labels, std::string_view extra_name, std::string_view extra_value,
                uint64_t value);
    // A sample without labels.
    void sample(uint64_t value) { sample(Labels{}, value); }
    void sample(double value) { sample(Labels{}, value); }

    const std::string& text() const { return out_; }
    void reserve(size_t bytes) { out_.reserve(bytes); }

  private:
    void start_sample(const Labels& labels, std::string_view extra_name,
                      std::string_view extra_value);
    void end_sample(uint64_t value);

    std::string out_;
    std::string current_;
    std::set<std::string, std::less<>> started_;
};

}  // namespace espgw::mgmt::exporter
