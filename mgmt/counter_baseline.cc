#include "mgmt/counter_baseline.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace espgw::mgmt {

using Json = nlohmann::json;

namespace {

uint64_t sub(uint64_t a, uint64_t b) {
    return a > b ? a - b : 0;
}

template <size_t N>
std::array<uint64_t, N> sub(const std::array<uint64_t, N>& a, const std::array<uint64_t, N>& b) {
    std::array<uint64_t, N> o{};
    for (size_t k = 0; k < N; ++k)
        o[k] = sub(a[k], b[k]);
    return o;
}

// Drop arrays are stored by label, so a baseline survives a CLI with more reasons.
Json drops_json(const std::array<uint64_t, sadb::kNumDropReasons>& d) {
    Json o = Json::object();
    for (const auto& info : sadb::kDropReasons)
        if (d[static_cast<size_t>(info.reason)] != 0)
            o[std::string(info.label)] = d[static_cast<size_t>(info.reason)];
    return o;
}

std::array<uint64_t, sadb::kNumDropReasons> drops_of(const Json& j) {
    std::array<uint64_t, sadb::kNumDropReasons> d{};
    for (const auto& info : sadb::kDropReasons)
        d[static_cast<size_t>(info.reason)] = j.value(std::string(info.label), uint64_t{0});
    return d;
}

}  // namespace

SaCounterSet SaCounterSet::of(const sadb::SaSlot& s) {
    return {s.counters.packets,  s.counters.bytes,    s.counters.errors, s.prefrag_ok,
            s.prefrag_fail,      s.fragments_created, s.pmtu_sent,       s.pmtu_rcvd,
            s.reassembly_needed, s.counters.drops};
}

SaCounterSet SaCounterSet::minus(const SaCounterSet& b) const {
    return {sub(packets, b.packets),
            sub(bytes, b.bytes),
            sub(errors, b.errors),
            sub(prefrag_ok, b.prefrag_ok),
            sub(prefrag_fail, b.prefrag_fail),
            sub(fragments_created, b.fragments_created),
            sub(pmtu_sent, b.pmtu_sent),
            sub(pmtu_rcvd, b.pmtu_rcvd),
            sub(reassembly_needed, b.reassembly_needed),
            sub(drops, b.drops)};
}

LcoreCounterSet LcoreCounterSet::of(const sadb::LcoreStats& s) {
    return {s.rx_packets, s.tx_packets, s.punted, s.handoff_in, s.handoff_out, s.drops.count};
}

LcoreCounterSet LcoreCounterSet::minus(const LcoreCounterSet& b) const {
    return {sub(rx_packets, b.rx_packets), sub(tx_packets, b.tx_packets),   sub(punted, b.punted),
            sub(handoff_in, b.handoff_in), sub(handoff_out, b.handoff_out), sub(drops, b.drops)};
}

PortCounterSet PortCounterSet::of(const sadb::PortStats& s) {
    return {s.rx_packets, s.rx_bytes,  s.tx_packets, s.tx_bytes,
            s.rx_errors,  s.tx_errors, s.rx_missed,  s.rx_nombuf};
}

PortCounterSet PortCounterSet::minus(const PortCounterSet& b) const {
    return {sub(rx_packets, b.rx_packets), sub(rx_bytes, b.rx_bytes),
            sub(tx_packets, b.tx_packets), sub(tx_bytes, b.tx_bytes),
            sub(rx_errors, b.rx_errors),   sub(tx_errors, b.tx_errors),
            sub(rx_missed, b.rx_missed),   sub(rx_nombuf, b.rx_nombuf)};
}

CounterBaseline CounterBaseline::capture(const StatsReader& r) {
    CounterBaseline b;
    b.dataplane_start_ns_ = r.header().start_unix_ns;
    b.taken_unix_ = static_cast<uint64_t>(std::time(nullptr));
    for (const SaSnapshot& s : r.sas())
        b.sas_[{s.slot, s.slot_copy.generation}] = SaCounterSet::of(s.slot_copy);
    for (uint32_t l = 0; l < r.header().max_lcores; ++l) {
        const sadb::LcoreStats s = r.lcore(l);
        if (s.active) b.lcores_[l] = LcoreCounterSet::of(s);
    }
    for (uint32_t p = 0; p < r.header().max_ports; ++p) {
        const sadb::PortStats s = r.port(p);
        if (s.active) b.ports_[p] = PortCounterSet::of(s);
    }
    return b;
}

// JSON form of the file (one object; counters by name).
struct BaselineJson {
    static Json to(const CounterBaseline& b) {
        Json sas = Json::array(), lcores = Json::array(), ports = Json::array();
        for (const auto& [key, c] : b.sas_)
            sas.push_back({{"slot", key.first},
                           {"generation", key.second},
                           {"v",
                            {c.packets, c.bytes, c.errors, c.prefrag_ok, c.prefrag_fail,
                             c.fragments_created, c.pmtu_sent, c.pmtu_rcvd, c.reassembly_needed}},
                           {"drops", drops_json(c.drops)}});
        for (const auto& [l, c] : b.lcores_)
            lcores.push_back(
                {{"lcore", l},
                 {"v", {c.rx_packets, c.tx_packets, c.punted, c.handoff_in, c.handoff_out}},
                 {"drops", drops_json(c.drops)}});
        for (const auto& [p, c] : b.ports_)
            ports.push_back({{"port", p},
                             {"v",
                              {c.rx_packets, c.rx_bytes, c.tx_packets, c.tx_bytes, c.rx_errors,
                               c.tx_errors, c.rx_missed, c.rx_nombuf}}});
        return {{"dataplane_start_ns", b.dataplane_start_ns_},
                {"taken_unix", b.taken_unix_},
                {"sas", sas},
                {"lcores", lcores},
                {"ports", ports}};
    }

    static uint64_t at(const Json& v, size_t k) { return v.at(k).get<uint64_t>(); }

    static CounterBaseline from(const Json& j) {
        CounterBaseline b;
        b.dataplane_start_ns_ = j.at("dataplane_start_ns").get<uint64_t>();
        b.taken_unix_ = j.at("taken_unix").get<uint64_t>();
        for (const Json& s : j.at("sas")) {
            const Json& v = s.at("v");
            b.sas_[{s.at("slot").get<uint32_t>(), s.at("generation").get<uint32_t>()}] = {
                at(v, 0), at(v, 1), at(v, 2), at(v, 3), at(v, 4),
                at(v, 5), at(v, 6), at(v, 7), at(v, 8), drops_of(s.at("drops"))};
        }
        for (const Json& l : j.at("lcores")) {
            const Json& v = l.at("v");
            b.lcores_[l.at("lcore").get<uint32_t>()] = {
                at(v, 0), at(v, 1), at(v, 2), at(v, 3), at(v, 4), drops_of(l.at("drops"))};
        }
        for (const Json& p : j.at("ports")) {
            const Json& v = p.at("v");
            b.ports_[p.at("port").get<uint32_t>()] = {at(v, 0), at(v, 1), at(v, 2), at(v, 3),
                                                      at(v, 4), at(v, 5), at(v, 6), at(v, 7)};
        }
        return b;
    }
};

CounterBaseline CounterBaseline::load(const std::string& path, const StatsReader& r) {
    std::ifstream f(path);
    if (!f) return {};
    std::stringstream ss;
    ss << f.rdbuf();
    const Json j = Json::parse(ss.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return {};
    try {
        CounterBaseline b = BaselineJson::from(j);
        if (b.dataplane_start_ns_ != r.header().start_unix_ns) return {};  // another run
        return b;
    } catch (const Json::exception&) {
        return {};  // a damaged baseline shows raw counters rather than failing every show
    }
}

bool CounterBaseline::save(const std::string& path, std::string* error) const {
    const std::string dir = path.substr(0, path.rfind('/'));
    if (!dir.empty() && mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        *error = "cannot create " + dir + ": " + std::strerror(errno);
        return false;
    }
    const std::string tmp = path + ".tmp";
    const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = "cannot write " + tmp + ": " + std::strerror(errno);
        return false;
    }
    const std::string text = BaselineJson::to(*this).dump() + "\n";
    const bool ok =
        write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
        *error = "cannot write " + path + ": " + std::strerror(errno);
        unlink(tmp.c_str());
        return false;
    }
    return true;
}

SaCounterSet CounterBaseline::sa(const SaSnapshot& s) const {
    const SaCounterSet now = SaCounterSet::of(s.slot_copy);
    const auto it = sas_.find({s.slot, s.slot_copy.generation});
    return it == sas_.end() ? now : now.minus(it->second);
}

LcoreCounterSet CounterBaseline::lcore(uint32_t index, const sadb::LcoreStats& s) const {
    const LcoreCounterSet now = LcoreCounterSet::of(s);
    const auto it = lcores_.find(index);
    return it == lcores_.end() ? now : now.minus(it->second);
}

PortCounterSet CounterBaseline::port(uint32_t index, const sadb::PortStats& s) const {
    const PortCounterSet now = PortCounterSet::of(s);
    const auto it = ports_.find(index);
    return it == ports_.end() ? now : now.minus(it->second);
}

std::array<uint64_t, sadb::kNumDropReasons> CounterBaseline::drops(const StatsReader& r) const {
    std::array<uint64_t, sadb::kNumDropReasons> sum{};
    for (uint32_t l = 0; l < r.header().max_lcores; ++l) {
        const sadb::LcoreStats s = r.lcore(l);
        if (!s.active) continue;
        const LcoreCounterSet c = lcore(l, s);
        for (size_t k = 0; k < sum.size(); ++k)
            sum[k] += c.drops[k];
    }
    return sum;
}

}  // namespace espgw::mgmt
