#include "dataplane/eal_setup.h"

#include <rte_eal.h>
#include <rte_errno.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace espgw::dataplane {

int free_hugepages() {
    std::ifstream f("/proc/meminfo");
    std::string key;
    long value = 0;
    while (f >> key >> value) {
        if (key == "HugePages_Free:") return static_cast<int>(value);
        f.ignore(256, '\n');
    }
    return 0;
}

std::vector<std::string> default_eal_args(const std::string& prog, int memory_mb) {
    std::vector<std::string> a{prog, "--no-pci", "--log-level=lib.eal:error", "--no-telemetry"};
    if (const char* extra = std::getenv("ESPGW_EAL_ARGS")) {
        std::istringstream in(extra);
        for (std::string w; in >> w;) a.push_back(w);
        return a;
    }
    if (free_hugepages() >= 64) {
        a.push_back("--in-memory");
    } else {
        a.insert(a.end(), {"--no-huge", "--no-shconf", "-m", std::to_string(memory_mb)});
    }
    return a;
}

bool init_eal(const std::vector<std::string>& args, std::string* error) {
    std::vector<char*> argv;
    for (const std::string& s : args) argv.push_back(const_cast<char*>(s.c_str()));
    argv.push_back(nullptr);
    if (rte_eal_init(static_cast<int>(args.size()), argv.data()) < 0) {
        *error = std::string("EAL init failed: ") + rte_strerror(rte_errno);
        return false;
    }
    return true;
}

}  // namespace espgw::dataplane
