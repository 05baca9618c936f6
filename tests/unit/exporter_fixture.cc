#include "tests/unit/exporter_fixture.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <sstream>

namespace espgw::mgmt::exporter::fixture {
namespace {

namespace wire = sadb::wire;
using sadb::DropReason;

wire::Addr v4(const char* text) {
    wire::Addr a{};
    a.version = 4;
    inet_pton(AF_INET, text, a.bytes);
    return a;
}

void add_sa(const sadb::StatsView& v, uint32_t slot, uint32_t conn, uint32_t pair, uint32_t spi,
            wire::Direction dir, const char* map, uint32_t seq, uint64_t packets) {
    sadb::SaSlot* s = v.sa(slot);
    s->in_use = 1;
    s->owner_lcore = 0;
    s->meta.conn_id = conn;
    s->meta.pair_conn_id = pair;
    s->meta.spi = spi;
    s->meta.direction = dir;
    s->meta.peer = v4("192.0.2.2");
    std::strncpy(s->meta.map_name, map, sizeof s->meta.map_name - 1);
    s->meta.map_seq = seq;
    s->counters.packets = packets;
    s->counters.bytes = packets * 100;
}

void add_lcore(const sadb::StatsView& v, uint32_t index, uint32_t lcore_id) {
    sadb::LcoreStats* l = v.lcore(index);
    l->active = 1;
    l->lcore_id = lcore_id;
    l->polls_busy = 10 + index;
    l->polls_idle = 90;
}

}  // namespace

std::unique_ptr<Segment> synthetic() {
    auto seg = std::make_unique<Segment>(sadb::StatsLayout{4, 4, 8, 16, 8});
    const sadb::StatsView& v = seg->view();
    v.header()->forwarding = 1;
    v.header()->config_generation = 7;
    add_lcore(v, 0, 1);
    add_lcore(v, 1, 0);
    v.lcore(0)->drops.count[static_cast<size_t>(DropReason::kInvalidSpi)] = 3;
    v.lcore(1)->drops.count[static_cast<size_t>(DropReason::kInvalidSpi)] = 2;
    for (uint16_t p = 0; p < 2; ++p) {
        sadb::PortStats* s = v.port(p);
        s->active = 1;
        s->port = p;
        s->rx_packets = 1000 + p;
        std::snprintf(s->name, sizeof s->name, "net_null%u", unsigned{p});
        std::snprintf(s->ifname, sizeof s->ifname, "port%u", unsigned{p});
    }
    std::strcpy(v.port(0)->crypto_map, "VPN");
    add_sa(v, 0, 1, 2, 0x1001, wire::Direction::kInbound, "VPN", 10, 5);
    add_sa(v, 1, 2, 1, 0x2001, wire::Direction::kOutbound, "VPN", 10, 42);
    add_sa(v, 3, 3, 0, 0xabcdef, wire::Direction::kOutbound, "odd\"map\\x", 20, 1);
    v.sa(0)->counters.drop(DropReason::kReplayDuplicate);
    v.sa(0)->counters.drop(DropReason::kReplayDuplicate);
    v.sa(0)->counters.drop(DropReason::kIcvMismatch);
    v.spd_rules()->count = 3;
    for (uint32_t k = 0; k < 3; ++k)
        *v.spd_rule(k) = {100 + k, 10 + 10 * (k / 2), k, 0, 0, 0, 0};
    v.spd_hits(0)[1] = 4;
    v.spd_hits(1)[1] = 6;
    sadb::ResourceRegion* r = v.resources();
    r->published_unix_ns = 1;
    std::strcpy(r->mbuf_pool, "espgw_pool");
    r->mbuf_pool_size = 16383;
    r->mbuf_in_use = 512;
    r->ring_count = 3;
    r->rings[0] = {"command", -1, 1023, 0, 0, {}, 0};
    r->rings[1] = {"event", -1, 1023, 4, 1, {}, 9};
    r->rings[2] = {"handoff", 1, 1023, 2, 0, {}, 0};
    return seg;
}

std::string render(const Segment& seg, bool all_drops) {
    StatsReader reader;
    std::string error;
    EXPECT_TRUE(reader.attach(seg.data(), seg.size(), &error)) << error;
    return render_metrics(&reader, {all_drops, "1.2.3", "abc"});
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        out.push_back(l);
    return out;
}

double value(const std::string& text, const std::string& series) {
    double found = -1;
    for (const std::string& l : lines_of(text))
        if (l.rfind(series + " ", 0) == 0) found = std::stod(l.substr(series.size() + 1));
    return found;
}

size_t count_prefix(const std::string& text, const std::string& prefix) {
    size_t n = 0;
    for (const std::string& l : lines_of(text))
        n += l.rfind(prefix, 0) == 0;
    return n;
}

int run_promtool(const std::string& args, const std::string& content, std::string* output) {
    char path[] = "/tmp/espgw-exporter-test-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0) return -1;
    const bool written =
        write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
    close(fd);
    std::string cmd = "promtool " + args;
    const size_t at = cmd.find("{}");
    cmd = at == std::string::npos ? cmd + " < " + path : cmd.replace(at, 2, path);
    FILE* p = written ? popen((cmd + " 2>&1").c_str(), "r") : nullptr;
    char buf[512];
    while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr)
        *output += buf;
    const int status = p != nullptr ? pclose(p) : -1;
    unlink(path);
    return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace espgw::mgmt::exporter::fixture
