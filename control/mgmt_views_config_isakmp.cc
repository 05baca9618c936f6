// The IKE part of the running configuration as data (policies, keys, keyrings, profiles, client
// groups, globals). Pre-shared and group keys appear only as "set".
#include "control/mgmt_views_config.h"

namespace espgw::control {
namespace {

Json addresses(const std::vector<Ipv4>& v) {
    return json_each(v, [](Ipv4 a) { return Json(a.to_string()); });
}

Json policy_json(const IsakmpPolicy& p) {
    static const char* kEnc[] = {"des", "3des", "aes"};
    static const char* kHash[] = {"md5", "sha", "sha256", "sha384", "sha512"};
    static const char* kAuth[] = {"pre-share", "rsa-sig", "rsa-encr"};
    return {{"priority", p.priority},
            {"encryption", kEnc[static_cast<int>(p.encryption)]},
            {"key_bits", p.key_bits},
            {"hash", kHash[static_cast<int>(p.hash)]},
            {"authentication", kAuth[static_cast<int>(p.authentication)]},
            {"group", p.group},
            {"lifetime", p.lifetime}};
}

// The peer a key is for; the key itself only as "set".
Json psk_json(const PresharedKey& k) {
    return {{"key_set", !k.key.empty()},
            {"address", k.address.to_string()},
            {"mask", k.mask.to_string()},
            {"hostname", k.hostname},
            {"no_xauth", k.no_xauth}};
}

Json keyring_json(const Keyring& k) {
    return {
        {"name", k.name}, {"description", k.description}, {"keys", json_each(k.keys, psk_json)}};
}

Json identity_json(const IdentityMatch& m) {
    static const char* kKinds[] = {"address", "group", "host", "user"};
    return {{"kind", kKinds[static_cast<int>(m.kind)]},
            {"address", m.address.to_string()},
            {"mask", m.mask.to_string()},
            {"value", m.value}};
}

Json profile_json(const IsakmpProfile& p) {
    return {{"name", p.name},
            {"description", p.description},
            {"keyring", p.keyring},
            {"match_identity", json_each(p.match_identity, identity_json)},
            {"client_authentication_list", p.client_authentication_list},
            {"isakmp_authorization_list", p.isakmp_authorization_list},
            {"client_configuration_address", p.client_configuration_address},
            {"keepalive", p.keepalive ? Json(*p.keepalive) : Json(nullptr)}};
}

Json group_json(const ClientGroup& g) {
    return {{"name", g.name},
            {"key_set", !g.key.empty()},
            {"dns", addresses(g.dns)},
            {"wins", addresses(g.wins)},
            {"domain", g.domain},
            {"pool", g.pool},
            {"acl", g.acl}};
}

Json globals_json(const IsakmpGlobals& g) {
    static const char* kIdentity[] = {"address", "hostname", "dn", "auto"};
    auto opt = [](const std::optional<uint32_t>& v) { return v ? Json(*v) : Json(nullptr); };
    return {{"enabled", g.enabled},
            {"enable_interfaces", g.enable_interfaces},
            {"nat_traversal_keepalive", opt(g.nat_traversal_keepalive)},
            {"keepalive", opt(g.keepalive)},
            {"keepalive_retry", opt(g.keepalive_retry)},
            {"keepalive_periodic", g.keepalive_periodic},
            {"identity", kIdentity[static_cast<int>(g.identity)]}};
}

}  // namespace

Json isakmp_running_view(const Config& cfg) {
    return {{"policies", json_each(cfg.isakmp_policies, policy_json)},
            {"keys", json_each(cfg.isakmp_keys, psk_json)},
            {"keyrings", json_each(cfg.keyrings, keyring_json)},
            {"profiles", json_each(cfg.isakmp_profiles, profile_json)},
            {"client_groups", json_each(cfg.client_groups, group_json)},
            {"globals", globals_json(cfg.isakmp)}};
}

}  // namespace espgw::control
