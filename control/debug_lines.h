// The text of `debug crypto ipsec` and `debug crypto engine` events, in the layout of IOS's
// traces (requirements.md §2.2, §2.3): `IPSEC(initialize_sas)` / `IPSEC(create_sa): sa created,`
// blocks with SPIs as hex(decimal) and proxies as addr/mask/proto/port, `CryptoEngine0: ...`
// lines for key contexts and crypto failures. The timestamp prefix is added by the publisher.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sadb/wire.h"

namespace espgw::control {

namespace wire = sadb::wire;

// `esp-gcm 128`, `esp-aes 128 esp-sha-hmac`: the transform-set keywords of the SA's suite.
std::string transform_text(const wire::Sa& sa);

// IPSEC(initialize_sas) and IPSEC(create_sa) blocks of an installed SA.
std::string debug_create_sa(const wire::Sa& sa, uint32_t lifetime_seconds);
// IPSEC(delete_sa) block of a removed SA.
std::string debug_delete_sa(const wire::Sa& sa);
// IPSEC(sa_lifetime) / IPSEC(sa_event) block: `what` says soft/hard lifetime, idle, ...
std::string debug_sa_event(const wire::Sa& sa, std::string_view what);

// CryptoEngine0 lines: key context built for an installed SA / zeroed for a removed one.
std::string engine_key_context(const wire::Sa& sa, bool created);
// CryptoEngine0 line for a failure the engine reported (ICV, crypto error, padding, sequence
// exhaustion) on connection `conn_id`.
std::string engine_failure(std::string_view what, uint32_t conn_id, uint32_t spi, uint64_t seq);

}  // namespace espgw::control
