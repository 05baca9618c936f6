// An MTU too small for the IPsec overhead (requirements.md E24). The ESP packet of an inner
// packet of L bytes is, as the dataplane builds it (dataplane/outbound.cc esp_size):
//   outer IP 20 (tunnel) or the packet's own header (transport), UDP 8 with NAT-T (RFC 3948),
//   ESP header 8, IV, payload L + trailer 2 padded to the cipher block (RFC 4303 §2.4), ICV.
// The largest L that fits the crypto map interface's MTU is compared with 576 bytes, the
// datagram every IPv4 host must accept (RFC 791 §3.1), and with the clamped TCP MSS + 40 (the
// segments `ip tcp adjust-mss` lets through).
#include <set>
#include <utility>

#include "control/compiler_internal.h"
#include "control/config_lint_internal.h"

namespace espgw::control::lint {
namespace {

constexpr int kMinDatagram = 576;  // RFC 791 §3.1
constexpr int kIpHeader = 20;
constexpr int kTcpIpHeaders = 40;  // IPv4 + TCP without options: MSS + 40 = packet size
constexpr int kUdpHeader = 8;
constexpr int kEspHeader = 8;  // SPI + sequence number (RFC 4303 §2)
constexpr int kTrailer = 2;    // pad length + next header

struct Overhead {
    int udp = 0;
    int iv = 0;
    int block = 4;
    int icv = 0;
    bool transport = false;

    // Largest inner packet whose ESP packet fits `mtu` (0 if none).
    int largest_inner(int mtu) const {
        const int room = mtu - kIpHeader - udp - kEspHeader - iv - icv;
        if (room < block) return 0;
        return room / block * block - kTrailer + (transport ? kIpHeader : 0);
    }

    std::string describe() const {
        std::string s = transport ? "IP header kept 20" : "outer IP 20";
        if (udp) s += ", UDP 8 (NAT-T)";
        s += ", ESP 8, IV " + std::to_string(iv) + ", padding up to " + std::to_string(block - 1) +
             ", trailer 2, ICV " + std::to_string(icv);
        return s;
    }
};

Overhead overhead_of(const Config& cfg, const CryptoMapEntry& e, const TransformSet& ts) {
    const crypto::CipherInfo& c = crypto::cipher_info(ts.cipher);
    Overhead o;
    // IKE may negotiate NAT-T (RFC 3947): count its UDP header as the worst case.
    o.udp = cfg.ipsec.udp_encapsulation || e.kind == MapKind::kIsakmp ? kUdpHeader : 0;
    o.iv = c.iv_len;
    o.block = c.block_len;
    o.icv = crypto::icv_len(ts.cipher, ts.integrity);
    o.transport = ts.mode == IpsecMode::kTransport;
    return o;
}

// The smallest MTU that carries inner packets of `inner` bytes.
int mtu_for(const Overhead& o, int inner) {
    int mtu = inner;
    while (o.largest_inner(mtu) < inner)
        ++mtu;
    return mtu;
}

// The interface with the largest `ip tcp adjust-mss`, or null.
const InterfaceConfig* largest_mss_clamp(const Config& cfg) {
    const InterfaceConfig* best = nullptr;
    for (const InterfaceConfig& i : cfg.interfaces)
        if (i.tcp_adjust_mss && (!best || *i.tcp_adjust_mss > *best->tcp_adjust_mss)) best = &i;
    return best;
}

class MtuLint {
  public:
    MtuLint(const Config& cfg, Findings& f) : cfg_(cfg), f_(f), clamp_(largest_mss_clamp(cfg)) {}

    void entry(const CryptoMapEntry& e) {
        const InterfaceConfig* itf = map_interface(cfg_, e.map);
        if (!itf) return;
        for (const std::string& name : e.transform_sets) {
            const TransformSet* ts = cfg_.find_transform_set(name);
            // One finding per interface and transform set, however many entries share them.
            if (ts && seen_.insert({itf, ts}).second) check(e, *itf, *ts);
        }
    }

  private:
    void check(const CryptoMapEntry& e, const InterfaceConfig& itf, const TransformSet& ts) {
        const int mtu = itf.mtu.value_or(kDefaultMtu);
        const Overhead o = overhead_of(cfg_, e, ts);
        const int inner = o.largest_inner(mtu);
        const std::string what = entry_name(e) + " (transform set " + ts.name + ") on " + itf.name +
                                 ": MTU " + std::to_string(mtu) +
                                 " leaves room for inner packets of at most " +
                                 std::to_string(inner) + " bytes (" + o.describe() + ")";
        if (inner < kMinDatagram)
            return f_.warn(e.line, what + ", less than the 576 bytes every IPv4 host accepts",
                           "raise ip mtu on " + itf.name + " to at least " +
                               std::to_string(mtu_for(o, kMinDatagram)));
        if (clamp_ && *clamp_->tcp_adjust_mss + kTcpIpHeaders > inner)
            f_.warn(e.line,
                    what + ", less than the clamped MSS " +
                        std::to_string(*clamp_->tcp_adjust_mss) + " + 40 of " + clamp_->name +
                        ": full TCP segments are fragmented or dropped",
                    "lower ip tcp adjust-mss on " + clamp_->name + " to " +
                        std::to_string(inner - kTcpIpHeaders));
    }

    const Config& cfg_;
    Findings& f_;
    const InterfaceConfig* clamp_;
    std::set<std::pair<const InterfaceConfig*, const TransformSet*>> seen_;
};

}  // namespace

void mtu_overhead(const Config& cfg, Findings& f) {
    MtuLint lint(cfg, f);
    for (const CryptoMapEntry& e : cfg.crypto_maps)
        if (e.dynamic_map.empty()) lint.entry(e);
}

}  // namespace espgw::control::lint
