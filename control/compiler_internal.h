// Shared state of the policy compiler's passes (one file each: topology, SAs, SPD).
#pragma once

#include <string>
#include <vector>

#include "control/policy_compiler.h"

namespace espgw::control {

// IOS defaults (requirements.md §4.5); used when nothing else is configured.
inline constexpr uint32_t kDefaultReplayWindow = 1024;
inline constexpr uint16_t kDefaultMtu = 1500;
inline constexpr uint8_t kDefaultTtl = 64;
inline constexpr uint16_t kNatTPort = 4500;  // RFC 3948
// ICMP errors the dataplane may originate per second (fragmentation needed, ...).
inline constexpr uint32_t kDefaultIcmpRate = 100;

// A manually keyed entry whose SAs were compiled; the SPD points its PROTECT rules at them.
struct InstalledEntry {
    const CryptoMapEntry* entry;
    const InterfaceConfig* itf;
    uint32_t outbound_conn_id;
};

class CompileContext {
  public:
    CompileContext(const Config& cfg, std::vector<Diagnostic>* diags) : cfg(cfg), diags_(diags) {}

    void error(int line, std::string message, std::string hint = {});
    void warning(int line, std::string message, std::string hint = {});

    // Up and bound to a DPDK port.
    static bool usable(const InterfaceConfig& i) { return i.dpdk_port && !i.shutdown; }
    // The interface a crypto map is applied to (`crypto map NAME local-address IF` decides when
    // it is applied to several).
    const InterfaceConfig* interface_of_map(const std::string& map) const;
    // The usable interface whose connected prefix holds `a`.
    const InterfaceConfig* connected_interface(Ipv4 a) const;

    const Config& cfg;

  private:
    std::vector<Diagnostic>* diags_;
};

wire::Globals compile_globals(CompileContext& ctx);
std::vector<wire::Interface> compile_interfaces(CompileContext& ctx);
std::vector<wire::Route> compile_routes(CompileContext& ctx);
std::vector<wire::Neighbor> compile_neighbors(CompileContext& ctx);
std::vector<CompiledSa> compile_sas(CompileContext& ctx, std::vector<InstalledEntry>* installed);
std::vector<wire::SpdRule> compile_spd(CompileContext& ctx,
                                       const std::vector<InstalledEntry>& installed);

}  // namespace espgw::control
