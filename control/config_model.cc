#include "control/config_model.h"

#include <algorithm>

namespace espgw::control {
namespace {

template <typename T>
const T* find_named(const std::vector<T>& items, std::string_view name) {
    auto it = std::find_if(items.begin(), items.end(), [&](const T& x) { return x.name == name; });
    return it == items.end() ? nullptr : &*it;
}

}  // namespace

const InterfaceConfig* Config::find_interface(std::string_view name) const {
    return find_named(interfaces, name);
}

const AclEntry* AccessList::selector_line() const {
    for (const AclEntry& e : entries)
        if (e.action == AclAction::kPermit && !e.fragments) return &e;
    return nullptr;
}

const AccessList* Config::find_acl(std::string_view name) const {
    return find_named(access_lists, name);
}

const TransformSet* Config::find_transform_set(std::string_view name) const {
    return find_named(transform_sets, name);
}

const CryptoMapSet* Config::find_map_set(std::string_view name) const {
    return find_named(crypto_map_sets, name);
}

}  // namespace espgw::control
