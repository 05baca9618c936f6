// `show crypto ipsec sa keys --wireshark FILE`: the SA table in Wireshark's `esp_sa` UAT format
// (one quoted, comma-separated row per SA: protocol, source, destination, SPI, encryption
// algorithm, key, authentication algorithm, key; the file a Wireshark profile keeps as
// `esp_sa`), so that captures of the tunnels decrypt. The only place the CLI handles keys.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace espgw::mgmt {

// Rows for control's `keys` data ({"sas": [{spi, src, dst, cipher, integrity, cipher_key,
// auth_key}]}). SAs Wireshark cannot decrypt (ESN, an algorithm it lacks) are left out and
// counted in `skipped`.
std::string wireshark_esp_sa(const nlohmann::json& keys, int* rows, int* skipped);

// Writes `text` to `path` with mode 0600 (an existing file is truncated and made 0600; a
// symbolic link is refused). The text is wiped from the heap buffer it came in by the caller.
bool write_secret_file(const std::string& path, const std::string& text, std::string* error);

}  // namespace espgw::mgmt
