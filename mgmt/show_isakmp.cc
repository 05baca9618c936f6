#include "mgmt/show_isakmp.h"

#include <cstdio>

namespace espgw::mgmt {
namespace {

using Json = nlohmann::json;

std::string hms(int64_t s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
    return buf;
}

std::string brief(const Json& sas) {
    std::string o = "IPv4 Crypto ISAKMP SA\n";
    char buf[256];
    std::snprintf(buf, sizeof buf, "%-15s %-15s %-14s %7s %-4s %s\n", "dst", "src", "state",
                  "conn-id", "slot", "status");
    o += buf;
    for (const Json& s : sas) {
        std::snprintf(buf, sizeof buf, "%-15s %-15s %-14s %7u %-4u %s\n",
                      s.value("remote", "").c_str(), s.value("local", "").c_str(),
                      s.value("state", "").c_str(), s.value("conn_id", 0u), 0u,
                      s.value("status", "ACTIVE").c_str());
        o += buf;
    }
    return o + "\nIPv6 Crypto ISAKMP SA\n\n";
}

std::string detail(const Json& sas) {
    std::string o =
        "Codes: C - IKE configuration mode, D - Dead Peer Detection\n"
        "       K - Keepalives, N - NAT-traversal\n"
        "       X - IKE Extended Authentication\n"
        "       psk - Preshared key, rsig - RSA signature\n"
        "       renc - RSA encryption\n"
        "IPv4 Crypto ISAKMP SA\n\n";
    char buf[256];
    std::snprintf(buf, sizeof buf, "%-5s %-15s %-15s %-6s %-6s %-5s %-5s %-3s %-9s %s\n", "C-id",
                  "Local", "Remote", "I-VRF", "Encr", "Hash", "Auth", "DH", "Lifetime", "Cap.");
    o += buf;
    for (const Json& s : sas) {
        std::snprintf(buf, sizeof buf, "%-5u %-15s %-15s %-6s %-6s %-5s %-5s %-3u %-9s %s\n",
                      s.value("conn_id", 0u), s.value("local", "").c_str(),
                      s.value("remote", "").c_str(), "", s.value("encr", "").c_str(),
                      s.value("hash", "").c_str(), s.value("auth", "").c_str(), s.value("dh", 0u),
                      hms(s.value("lifetime_remaining", int64_t{0})).c_str(),
                      s.value("capabilities", "").c_str());
        o += buf;
    }
    return o + "\nIPv6 Crypto ISAKMP SA\n\n";
}

}  // namespace

std::string render_isakmp(const Json& doc, bool want_detail) {
    const Json sas = doc.value("sas", Json::array());
    return want_detail ? detail(sas) : brief(sas);
}

}  // namespace espgw::mgmt
