// DropReason enum and its metadata, generated from drop_reason.def.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace espgw::sadb {

enum class DropReason : uint8_t {
    kNone = 0,
#define ESPGW_DROP(name, id, label, per_sa, mnemonic, help, layer) name = id,
#include "sadb/drop_reason.def"
#undef ESPGW_DROP
};

inline constexpr int kNumDropReasons = 0
#define ESPGW_DROP(name, id, label, per_sa, mnemonic, help, layer) +1
#include "sadb/drop_reason.def"
#undef ESPGW_DROP
    + 1;  // kNone occupies slot 0

// Which part of the dataplane can produce a reason (and which tests must trigger it).
enum class DropLayer : uint8_t { kNone, kEngine, kPipeline };

struct DropReasonInfo {
    DropReason reason;
    std::string_view label;
    bool per_sa;
    std::string_view mnemonic;
    std::string_view help;
    DropLayer layer;
};

inline constexpr std::array<DropReasonInfo, kNumDropReasons> kDropReasons{{
    {DropReason::kNone, "none", false, "", "not dropped", DropLayer::kNone},
#define ESPGW_DROP(name, id, label, per_sa, mnemonic, help, layer) \
    {DropReason::name, label, per_sa, mnemonic, help, DropLayer::layer},
#include "sadb/drop_reason.def"
#undef ESPGW_DROP
}};

// IDs are dense and append-only: row k of the table has id k.
constexpr bool drop_ids_dense() {
    for (size_t k = 0; k < kDropReasons.size(); ++k)
        if (static_cast<size_t>(kDropReasons[k].reason) != k) return false;
    return true;
}
static_assert(drop_ids_dense(), "drop_reason.def ids must be 1, 2, 3, ... in order");

inline const DropReasonInfo& drop_reason_info(DropReason r) {
    return kDropReasons[static_cast<size_t>(r)];
}

// Global and per-lcore drop counters: one writer (the owning lcore).
struct DropCounters {
    std::array<uint64_t, kNumDropReasons> count{};
};

}  // namespace espgw::sadb
