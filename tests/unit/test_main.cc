// GoogleTest entry point: the EAL is initialised once per test binary (mbuf pools and rte_hash
// need it), with hugepages when reserved and --no-huge otherwise.
#include <gtest/gtest.h>

#include <cstdio>

#include "dataplane/eal_setup.h"

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    std::string error;
    if (!espgw::dataplane::init_eal(espgw::dataplane::default_eal_args(argv[0], 256), &error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 2;
    }
    return RUN_ALL_TESTS();
}
