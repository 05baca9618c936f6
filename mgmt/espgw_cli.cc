// espgw: the operator's CLI (IOS form). This first version reads the dataplane's stats segment;
// the full command set (issue 4) talks to espgw-control over its socket.
//
//   espgw [--instance NAME] [--json] show crypto ipsec sa
//   espgw [--instance NAME] [--json] show crypto drops
#include <cstdio>
#include <string>
#include <vector>

#include "mgmt/show_ipsec_sa.h"
#include "mgmt/stats_reader.h"

namespace {

int usage() {
    std::fprintf(stderr,
                 "usage: espgw [--instance NAME] [--json] show crypto ipsec sa | show crypto drops\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::string instance = "default";
    bool json = false;
    std::vector<std::string> words;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--instance" && i + 1 < argc) {
            instance = argv[++i];
        } else if (a == "--json") {
            json = true;
        } else {
            words.push_back(a);
        }
    }
    std::string cmd;
    for (const std::string& w : words) cmd += (cmd.empty() ? "" : " ") + w;
    espgw::mgmt::StatsReader r;
    std::string error;
    if (cmd != "show crypto ipsec sa" && cmd != "show crypto drops") return usage();
    if (!r.open(instance, &error)) {
        std::fprintf(stderr, "%% %s\n", error.c_str());
        return 1;
    }
    using namespace espgw::mgmt;
    const bool sa = cmd == "show crypto ipsec sa";
    const std::string out = sa ? (json ? show_crypto_ipsec_sa_json(r) : show_crypto_ipsec_sa(r))
                               : (json ? show_crypto_drops_json(r) : show_crypto_drops(r));
    std::fputs(out.c_str(), stdout);
    return 0;
}
