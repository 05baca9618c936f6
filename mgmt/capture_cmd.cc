// Packet capture to pcapng, IOS-XE style:
//   monitor capture CAP {interface IF [in|out|both] | sa spi SPI [inner] | drops} file FILE
//                   [limit packets N] [limit bytes N] [snaplen N] start
//   monitor capture CAP stop
//   show monitor capture [CAP]
// Control relays them to the dataplane, which writes the file (root's, mode 0600).
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "mgmt/capture_view.h"
#include "mgmt/commands.h"
#include "mgmt/session.h"
#include "sadb/mgmt_protocol.h"

namespace espgw::mgmt {
namespace {

namespace proto = sadb::mgmt;

// The dataplane has its own working directory: a relative file is the user's, from here.
std::string absolute_file(const std::string& f) {
    std::error_code ec;
    const std::filesystem::path p = std::filesystem::absolute(f, ec);
    return ec ? f : p.lexically_normal().string();
}

uint64_t number(const Invocation& inv, const std::string& name) {
    const auto v = inv.arg(name);
    return v ? std::stoull(*v, nullptr, 0) : 0;  // 0: the dataplane's default
}

Json scope_args(const Invocation& inv) {
    if (inv.has("interface")) {
        const char* dir = inv.has("in") ? "in" : inv.has("out") ? "out" : "both";
        return {{"scope", "interface"}, {"interface", *inv.arg("IF")}, {"dir", dir}};
    }
    if (inv.has("sa"))
        return {{"scope", "sa"}, {"spi", number(inv, "SPI")}, {"inner", inv.has("inner")}};
    return {{"scope", "drops"}};
}

CommandResult start(const Invocation& inv) {
    Json args = scope_args(inv);
    args["name"] = *inv.arg("CAP");
    args["file"] = absolute_file(*inv.arg("FILE"));
    args["limit_packets"] = number(inv, "COUNT");
    args["limit_bytes"] = number(inv, "SIZE");
    args["snaplen"] = number(inv, "LEN");
    std::string error;
    const auto r = inv.session->request(proto::kReqCaptureStart, args, &error);
    if (!r) return CommandResult::fail(error);
    if (inv.json) return CommandResult::text(r->dump(1) + "\n");
    return CommandResult::text(render_capture_started(r->at("capture")));
}

CommandResult stop(const Invocation& inv) {
    std::string error;
    const auto r =
        inv.session->request(proto::kReqCaptureStop, {{"name", *inv.arg("CAP")}}, &error);
    if (!r) return CommandResult::fail(error);
    if (inv.json) return CommandResult::text(r->dump(1) + "\n");
    const Json& c = r->at("capture");
    return CommandResult::text(
        render_capture_stopped(c, c.value("stop_reason", "") == "stopped by user"));
}

CommandResult show(const Invocation& inv) {
    Json args = Json::object();
    if (const auto name = inv.arg("CAP")) args["name"] = *name;
    std::string error;
    const auto r = inv.session->request(proto::kReqCaptures, args, &error);
    if (!r) return CommandResult::fail(error);
    if (inv.json) return CommandResult::text(r->dump(1) + "\n");
    return CommandResult::text(render_captures(r->at("captures")));
}

const std::vector<std::string> kScopes = {"interface IF:NAME",
                                          "interface IF:NAME in",
                                          "interface IF:NAME out",
                                          "interface IF:NAME both",
                                          "sa spi SPI",
                                          "sa spi SPI inner",
                                          "drops"};

// A scope, the file, then the optional limits in their fixed order: `start` ends each.
std::string options_path(const std::string& scope, unsigned opts) {
    std::string p = "monitor capture CAP:NAME " + scope + " file FILE";
    if (opts & 1) p += " limit packets COUNT:NUMBER";
    if (opts & 2) p += " limit bytes SIZE:NUMBER";
    if (opts & 4) p += " snaplen LEN:NUMBER";
    return p;
}

void describe_words(CommandTree& tree) {
    tree.describe("monitor", "Monitoring different system events");
    tree.describe("monitor capture", "Packet capture to a pcapng file");
    tree.describe("show monitor", "Monitoring information");
    const std::string cap = "monitor capture CAP:NAME";
    tree.describe(cap + " interface", "Packets received or sent on an interface");
    tree.describe(cap + " interface IF:NAME in", "Received packets only");
    tree.describe(cap + " interface IF:NAME out", "Sent packets only");
    tree.describe(cap + " interface IF:NAME both", "Received and sent packets (default)");
    tree.describe(cap + " sa", "ESP packets of one IPsec SA");
    tree.describe(cap + " sa spi", "The SA's SPI");
    tree.describe(cap + " sa spi SPI inner", "Its clear packets too");
    tree.describe(cap + " drops", "Dropped packets, each with its drop reason as comment");
}

// Help of the option words, on the paths registered (describe() would create others).
void describe_options(CommandTree& tree, const std::string& pattern) {
    static const std::map<std::string, std::string> kHelp = {
        {"file", "The pcapng file the dataplane writes (mode 0600)"},
        {"limit", "Stop the capture by itself"},
        {"packets", "After this many packets (default 10000)"},
        {"bytes", "Before the file grows past this (default 64 MiB)"},
        {"snaplen", "Bytes kept of each packet (default 9216)"}};
    std::string path;
    std::istringstream words(pattern);
    for (std::string w; words >> w;) {
        path += (path.empty() ? "" : " ") + w;
        if (const auto h = kHelp.find(w); h != kHelp.end()) tree.describe(path, h->second);
    }
}

}  // namespace

void register_capture_commands(CommandTree& tree) {
    describe_words(tree);
    for (const std::string& scope : kScopes) {
        for (unsigned opts = 0; opts < 8; ++opts) {
            tree.add(options_path(scope, opts) + " start", "Start the capture", start);
            describe_options(tree, options_path(scope, opts));
        }
    }
    tree.add("monitor capture CAP:NAME stop", "Stop the capture", stop);
    tree.add("show monitor capture", "Packet captures", show);
    tree.add("show monitor capture CAP:NAME", "One capture", show);
}

}  // namespace espgw::mgmt
