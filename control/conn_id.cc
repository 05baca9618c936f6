#include "control/conn_id.h"

namespace espgw::control {
namespace {

constexpr uint32_t kFnvOffset = 2166136261u;
constexpr uint32_t kFnvPrime = 16777619u;
constexpr uint32_t kIdMask = 0x7fffffffu;  // positive in every signed display

uint32_t fnv(uint32_t h, uint8_t byte) {
    return (h ^ byte) * kFnvPrime;
}

}  // namespace

uint32_t conn_id_hash(std::string_view map, uint32_t seq, bool inbound) {
    uint32_t h = kFnvOffset;
    for (char c : map)
        h = fnv(h, static_cast<uint8_t>(c));
    h = fnv(h, 0);  // separator: "VPN1" + 0 differs from "VPN" + 10
    for (int i = 0; i < 4; ++i)
        h = fnv(h, static_cast<uint8_t>(seq >> (8 * i)));
    h = fnv(h, inbound ? 1 : 2);
    h &= kIdMask;
    return h == 0 ? 1 : h;
}

uint32_t ConnIdAllocator::allocate(std::string_view map, uint32_t seq, bool inbound) {
    uint32_t id = conn_id_hash(map, seq, inbound);
    while (!used_.insert(id).second)
        id = (id & kIdMask) == kIdMask ? 1 : id + 1;
    return id;
}

}  // namespace espgw::control
