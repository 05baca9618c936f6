// Malformed input never crashes the parser or the compiler, and never throws: every line of the
// sample configurations cut after each of its tokens, and random token soups, give diagnostics.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "tests/control/control_test_util.h"

namespace espgw::control {
namespace {

std::vector<std::string> lines_of_text(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

// Parses and compiles; the test only asks that it returns.
size_t parse_and_compile(const std::string& text) {
    ParseResult r = parse_config(text);
    std::vector<Diagnostic> diags;
    const CompiledPolicy p = compile(r.config, &diags);
    return r.diagnostics.size() + diags.size() + p.sas.size();
}

TEST(ConfigRobustness, EveryLineCutAfterEachToken) {
    for (const char* name : {"site-a.cfg", "hub.cfg", "spoke.cfg"}) {
        const auto lines = lines_of_text(test::read_config(name));
        for (size_t i = 0; i < lines.size(); ++i) {
            std::string cut;
            std::istringstream words(lines[i]);
            for (std::string w; words >> w;) {
                cut += (cut.empty() ? std::string(lines[i].find_first_not_of(' '), ' ') : " ") + w;
                std::vector<std::string> edited = lines;
                edited[i] = cut;
                std::string text;
                for (const std::string& l : edited)
                    text += l + "\n";
                EXPECT_NO_THROW(parse_and_compile(text)) << name << ":" << i + 1 << ": " << cut;
            }
        }
    }
}

TEST(ConfigRobustness, RandomTokenSoup) {
    const std::vector<std::string> words = {"crypto",
                                            "map",
                                            "ipsec-manual",
                                            "set",
                                            "session-key",
                                            "inbound",
                                            "esp",
                                            "cipher",
                                            "authenticator",
                                            "0x",
                                            "00112233",
                                            "4097",
                                            "access-list",
                                            "101",
                                            "permit",
                                            "deny",
                                            "ip",
                                            "tcp",
                                            "eq",
                                            "range",
                                            "any",
                                            "host",
                                            "192.0.2.1",
                                            "255.255.255.0",
                                            "0.0.0.255",
                                            "interface",
                                            "dpdk-port",
                                            "ip",
                                            "address",
                                            "route",
                                            "arp",
                                            "transform-set",
                                            "esp-gcm",
                                            "128",
                                            "esp-sha-hmac",
                                            "mode",
                                            "tunnel",
                                            "isakmp",
                                            "policy",
                                            "key",
                                            "exit",
                                            "end",
                                            "!",
                                            " ",
                                            "  ",
                                            "banner",
                                            "^C",
                                            "-1",
                                            "99999999999999999999",
                                            "ipsec",
                                            "security-association",
                                            "replay",
                                            "window-size",
                                            "dynamic-map",
                                            "keyring",
                                            "pre-shared-key",
                                            "profile"};
    std::mt19937 rng(4106);
    for (int round = 0; round < 300; ++round) {
        std::string text;
        const int lines = 1 + static_cast<int>(rng() % 30);
        for (int l = 0; l < lines; ++l) {
            const int n = static_cast<int>(rng() % 9);
            if (rng() % 3 == 0) text += " ";
            for (int k = 0; k < n; ++k)
                text += words[rng() % words.size()] + " ";
            text += "\n";
        }
        EXPECT_NO_THROW(parse_and_compile(text)) << text;
    }
}

}  // namespace
}  // namespace espgw::control
