#include "mgmt/show_engine.h"

#include <algorithm>
#include <cstdio>

#include "sadb/wire_text.h"

namespace espgw::mgmt {

using Json = nlohmann::json;

Json engine_document(const Json& sa_doc) {
    Json rows = Json::array();
    for (const Json& sa : sa_doc.value("sas", Json::array())) {
        const bool out = sa.value("direction", "") == "outbound";
        const uint64_t p = sa.value("packets", uint64_t{0});
        rows.push_back({{"conn_id", sa["conn_id"]},
                        {"type", "IPsec"},
                        {"algorithm", sa.value("algorithm", "")},
                        {"interface", sa.value("interface", "")},
                        {"local", sa.value("local", "")},
                        {"peer", sa.value("peer", "")},
                        {"direction", sa["direction"]},
                        {"spi", sa["spi"]},
                        {"encrypted", out ? p : 0},
                        {"decrypted", out ? 0 : p},
                        {"bytes", sa.value("bytes", uint64_t{0})},
                        {"errors", sa.value("errors", uint64_t{0})}});
    }
    std::sort(rows.begin(), rows.end(), [](const Json& a, const Json& b) {
        return a["conn_id"].get<uint32_t>() < b["conn_id"].get<uint32_t>();
    });
    return {{"connections", rows}};
}

std::string render_engine(const Json& doc) {
    std::string o = "Crypto Engine Connections\n\n";
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "%10s %-6s %-14s %-12s %-15s %-15s %-4s %-12s %10s %10s %12s %8s\n", "ID", "Type",
                  "Algorithm", "Interface", "IP-Address", "Peer", "Dir", "SPI", "Encrypt",
                  "Decrypt", "Bytes", "Errors");
    o += buf;
    for (const Json& r : doc.value("connections", Json::array())) {
        std::snprintf(buf, sizeof buf,
                      "%10u %-6s %-14s %-12s %-15s %-15s %-4s %-12s %10llu %10llu %12llu %8llu\n",
                      r.value("conn_id", 0u), r.value("type", "").c_str(),
                      r.value("algorithm", "").c_str(), r.value("interface", "").c_str(),
                      r.value("local", "").c_str(), r.value("peer", "").c_str(),
                      r.value("direction", "") == "outbound" ? "out" : "in",
                      sadb::wire::hex_text(r.value("spi", 0u)).c_str(), r.value("encrypted", 0ull),
                      r.value("decrypted", 0ull), r.value("bytes", 0ull), r.value("errors", 0ull));
        o += buf;
    }
    return o;
}

}  // namespace espgw::mgmt
