// The parser's state while it walks the file: the model being filled, the diagnostics, and the
// block (sub-mode) the previous header line opened, plus argument helpers that report a
// diagnostic themselves so the command parsers stay short.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "control/config_model.h"
#include "control/diagnostic.h"
#include "control/ipv4.h"
#include "control/line_lexer.h"

namespace espgw::control {

enum class Block : uint8_t {
    kNone,
    kInterface,
    kAcl,
    kTransformSet,
    kCryptoMap,
    kDynamicMap,
    kIsakmpPolicy,
    kKeyring,
    kIsakmpProfile,
    kClientGroup,
    kIgnored,   // a block of a non-crypto IOS command (`line vty 0 4`): its lines are ignored
    kRejected,  // a header line that was an error: its sub-commands are skipped, not re-reported
    kBanner,    // `banner motd ^C` ... `^C`
};

class ParseContext {
  public:
    ParseContext(Config& cfg, std::vector<Diagnostic>& diags) : cfg(cfg), diags_(diags) {}

    void error(const Line& l, std::string message, std::string hint = {});
    void warning(const Line& l, std::string message, std::string hint = {});
    void ignored(const Line& l, std::string message, std::string hint = {});

    size_t error_count() const { return errors_; }

    void enter(Block b, const Line& header, size_t index = 0, std::string what = {});
    void leave() { block_ = Block::kNone; }
    Block block() const { return block_; }
    int block_line() const { return block_line_; }
    const std::string& block_what() const { return block_what_; }

    // The object the current block edits.
    InterfaceConfig& interface() { return cfg.interfaces[index_]; }
    AccessList& acl() { return cfg.access_lists[index_]; }
    TransformSet& transform_set() { return cfg.transform_sets[index_]; }
    CryptoMapEntry& map_entry();
    IsakmpPolicy& isakmp_policy() { return cfg.isakmp_policies[index_]; }
    Keyring& keyring() { return cfg.keyrings[index_]; }
    IsakmpProfile& isakmp_profile() { return cfg.isakmp_profiles[index_]; }
    ClientGroup& client_group() { return cfg.client_groups[index_]; }

    // Argument helpers: each reports an error on the line and returns false/nullopt on failure.
    bool need(const Line& l, size_t tokens, std::string_view usage);
    bool no_extra(const Line& l, size_t tokens, std::string_view usage);
    std::optional<uint64_t> number(const Line& l, size_t i, uint64_t lo, uint64_t hi,
                                   std::string_view what);
    std::optional<Ipv4> address(const Line& l, size_t i, std::string_view what);
    std::optional<uint8_t> netmask(const Line& l, size_t i);
    // One of `words`; its index in the list.
    std::optional<size_t> keyword(const Line& l, size_t i, std::span<const std::string_view> words,
                                  std::string_view what);

    Config& cfg;
    std::string banner_delimiter;

  private:
    void add(const Line& l, Severity s, std::string message, std::string hint);

    std::vector<Diagnostic>& diags_;
    size_t errors_ = 0;
    Block block_ = Block::kNone;
    size_t index_ = 0;
    int block_line_ = 0;
    std::string block_what_;
};

}  // namespace espgw::control
