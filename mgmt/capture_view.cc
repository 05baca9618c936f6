#include "mgmt/capture_view.h"

#include <cstdint>
#include <cstdio>

namespace espgw::mgmt {
namespace {

std::string spi_text(uint32_t spi) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%08X(%u)", spi, spi);
    return b;
}

std::string target(const Json& c) {
    const std::string scope = c.value("scope", "");
    if (scope == "interface")
        return "   Interface: " + c.value("interface", "") +
               ", Direction: " + c.value("direction", "") + "\n";
    if (scope == "sa")
        return "   IPsec SA: SPI " + spi_text(c.value("spi", 0u)) + ", Direction: " +
               (c.value("direction", "") == "in"    ? "inbound (entering decap)"
                : c.value("direction", "") == "out" ? "outbound (leaving encap)"
                                                    : "inbound and outbound") +
               (c.value("inner", false) ? ", with the clear packets" : "") + "\n";
    return "   Dropped packets (drop reason in each packet's comment)\n";
}

std::string status(const Json& c) {
    if (c.value("state", "") == "running") return "Active";
    const std::string why = c.value("stop_reason", "");
    return why.empty() ? "Inactive" : "Inactive (" + why + ")";
}

std::string block(const Json& c) {
    std::string s = "Status Information for Capture " + c.value("name", "") + "\n";
    s += "  Target Type:\n" + target(c);
    s += "   Status : " + status(c) + "\n";
    s += "  File Details:\n   Associated file name: " + c.value("file", "") + "\n";
    s += "  Limit Details:\n";
    s +=
        "   Number of Packets to capture: " + std::to_string(c.value("limit_packets", 0ull)) + "\n";
    s += "   Maximum file size: " + std::to_string(c.value("limit_bytes", 0ull)) + " bytes\n";
    s += "   Packet Size to capture: " + std::to_string(c.value("snaplen", 0u)) + "\n";
    s += "  Statistics:\n";
    s += "   Packets written: " + std::to_string(c.value("packets", 0ull)) + "\n";
    s += "   File size: " + std::to_string(c.value("bytes", 0ull)) + " bytes\n";
    s +=
        "   Packets not captured (capture buffers full): " + std::to_string(c.value("lost", 0ull)) +
        "\n";
    if (const std::string e = c.value("error", ""); !e.empty()) s += "   Error: " + e + "\n";
    return s;
}

std::string written(const Json& c) {
    return std::to_string(c.value("packets", 0ull)) + " packets, " +
           std::to_string(c.value("bytes", 0ull)) + " bytes in " + c.value("file", "") + ", " +
           std::to_string(c.value("lost", 0ull)) + " not captured";
}

}  // namespace

std::string render_captures(const Json& captures) {
    if (captures.empty()) return "No capture points\n";
    std::string out;
    for (const Json& c : captures)
        out += (out.empty() ? "" : "\n") + block(c);
    return out;
}

std::string render_capture_started(const Json& c) {
    return "Started capture point : " + c.value("name", "") + "\nWriting to " +
           c.value("file", "") + " (limit " + std::to_string(c.value("limit_packets", 0ull)) +
           " packets or " + std::to_string(c.value("limit_bytes", 0ull)) + " bytes)\n";
}

std::string render_capture_stopped(const Json& c, bool was_running) {
    if (was_running)
        return "Stopped capture point : " + c.value("name", "") + "\n" + written(c) + "\n";
    return "Capture point " + c.value("name", "") + " had already stopped (" +
           c.value("stop_reason", "") + ")\n" + written(c) + "\n";
}

}  // namespace espgw::mgmt
