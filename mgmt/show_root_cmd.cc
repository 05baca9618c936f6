// Help texts of the keywords several command areas share, as IOS words them.
#include "mgmt/commands.h"

namespace espgw::mgmt {

void register_root_keywords(CommandTree& tree) {
    tree.describe("show", "Show running system information");
    tree.describe("show crypto", "Encryption module");
    tree.describe("clear", "Reset functions");
    tree.describe("clear crypto", "Encryption module");
}

}  // namespace espgw::mgmt
