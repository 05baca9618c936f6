// EAL start-up shared by the dataplane tools, tests and benchmarks: hugepages when the machine
// has them reserved (--in-memory), otherwise --no-huge (environment.md: never both). Always
// --no-pci unless the caller passes its own arguments.
#pragma once

#include <string>
#include <vector>

namespace espgw::dataplane {

// Free 2 MiB hugepages on this machine.
int free_hugepages();
// Default EAL arguments; `memory_mb` is used only without hugepages.
std::vector<std::string> default_eal_args(const std::string& prog, int memory_mb = 512);
// Initialises the EAL; returns false with a message on failure.
bool init_eal(const std::vector<std::string>& args, std::string* error);

}  // namespace espgw::dataplane
