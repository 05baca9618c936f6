#include "mgmt/key_export_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crypto/suite.h"

namespace espgw::mgmt {

using Json = nlohmann::json;

std::string wireshark_esp_sa(const Json& keys, int* rows, int* skipped) {
    // Wireshark's UAT reader skips comment lines.
    std::string o = "# espgw session keys (Wireshark esp_sa table): keep this file secret\n";
    *rows = *skipped = 0;
    for (const Json& sa : keys.value("sas", Json::array())) {
        const auto c = static_cast<crypto::Cipher>(sa.value("cipher", 0));
        const auto i = static_cast<crypto::Integrity>(sa.value("integrity", 0));
        const std::string_view enc = crypto::cipher_info(c).wireshark_name;
        const std::string_view auth = crypto::integrity_info(i).wireshark_name;
        // Wireshark 4.0 has no ESN (environment.md): its ICVs and GCM nonces would not verify.
        if (enc.empty() || auth.empty() || sa.value("esn", false)) {
            ++*skipped;
            continue;
        }
        char spi[16];
        std::snprintf(spi, sizeof spi, "0x%08x", sa.value("spi", 0u));
        const std::string ak = sa.value("auth_key", "");
        const std::string family =
            sa.value("src", "").find(':') != std::string::npos ? "IPv6" : "IPv4";
        o += "\"" + family + "\",\"" + sa.value("src", "") + "\",\"" + sa.value("dst", "") +
             "\",\"" + spi + "\",\"" + std::string(enc) + "\",\"0x" + sa.value("cipher_key", "") +
             "\",\"" + std::string(auth) + "\",\"" + (ak.empty() ? "" : "0x" + ak) + "\"\n";
        ++*rows;
    }
    return o;
}

bool write_secret_file(const std::string& path, const std::string& text, std::string* error) {
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = "cannot write " + path + ": " + std::strerror(errno);
        return false;
    }
    bool ok = fchmod(fd, 0600) == 0;  // an existing file keeps its mode otherwise
    size_t off = 0;
    while (ok && off < text.size()) {
        const ssize_t n = write(fd, text.data() + off, text.size() - off);
        ok = n > 0;
        off += ok ? static_cast<size_t>(n) : 0;
    }
    ok = close(fd) == 0 && ok;
    if (!ok) *error = "cannot write " + path + ": " + std::strerror(errno);
    return ok;
}

}  // namespace espgw::mgmt
