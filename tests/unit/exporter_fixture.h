// Shared by espgw-exporter's tests: a synthetic stats segment built in memory from
// sadb::StatsLayout (what a dataplane with two lcores, two ports, three SAs, SPD rules and rings
// would have published), its exposition, and promtool.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "mgmt/exporter/metrics.h"
#include "sadb/stats_segment.h"

namespace espgw::mgmt::exporter::fixture {

// A zeroed segment of a small layout, laid out as the dataplane lays it out.
class Segment {
  public:
    // Page-aligned like a mapping: the per-lcore and per-SA structs are 64-byte aligned.
    explicit Segment(const sadb::StatsLayout& l)
        : layout_(l), mem_(static_cast<uint8_t*>(std::aligned_alloc(4096, l.size())), &std::free) {
        std::memset(mem_.get(), 0, l.size());
        view_.base = mem_.get();
        l.fill_header(view_.header());
        view_.header()->dataplane_pid = static_cast<uint32_t>(getpid());
        view_.header()->start_unix_ns = 1'700'000'000'500'000'000ull;
        std::strcpy(view_.header()->instance, "synthetic");
    }
    const sadb::StatsView& view() const { return view_; }
    const void* data() const { return mem_.get(); }
    size_t size() const { return layout_.size(); }

  private:
    sadb::StatsLayout layout_;
    std::unique_ptr<uint8_t, decltype(&std::free)> mem_;
    sadb::StatsView view_;
};

// Two forwarding lcores, two ports, a tunnel (in + out) on map VPN 10, a lone outbound SA on a
// map whose name needs escaping, three SPD rules, rings and the mbuf pool.
std::unique_ptr<Segment> synthetic();
std::string render(const Segment& seg, bool all_drops = false);

std::vector<std::string> lines_of(const std::string& text);
// The value of the one sample `series` (name{labels} exactly as printed), or -1.
double value(const std::string& text, const std::string& series);
size_t count_prefix(const std::string& text, const std::string& prefix);

// Runs `promtool ARGS` on `content` (as FILE, or on stdin when `args` has no "{}"), collecting
// its output; returns its exit status (-1 if it could not run).
int run_promtool(const std::string& args, const std::string& content, std::string* output);

}  // namespace espgw::mgmt::exporter::fixture
