// Field-by-field equality of ring objects. The wire structs are C layouts with padding and no
// operator==; comparing their bytes would compare padding too.
#pragma once

#include "sadb/wire.h"

namespace espgw::control {

bool same(const sadb::wire::Addr& a, const sadb::wire::Addr& b);
bool same(const sadb::wire::Selector& a, const sadb::wire::Selector& b);
bool same(const sadb::wire::Globals& a, const sadb::wire::Globals& b);
bool same(const sadb::wire::Interface& a, const sadb::wire::Interface& b);
bool same(const sadb::wire::Sa& a, const sadb::wire::Sa& b);
bool same(const sadb::wire::SpdRule& a, const sadb::wire::SpdRule& b);
bool same(const sadb::wire::Route& a, const sadb::wire::Route& b);
bool same(const sadb::wire::Neighbor& a, const sadb::wire::Neighbor& b);

}  // namespace espgw::control
