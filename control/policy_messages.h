// Builds the messages of one configuration transaction (kConfigBegin ... kConfigCommit), shared
// by the full load and the SIGHUP difference.
#pragma once

#include <openssl/crypto.h>

#include <cstdint>
#include <vector>

#include "sadb/wire.h"

namespace espgw::control {

class MessageWriter {
  public:
    // `expected` messages are reserved up front: a growing vector would free copies of keys
    // without wiping them.
    MessageWriter(uint64_t generation, size_t expected) : generation_(generation) {
        out_.reserve(expected);
    }

    void begin(bool full);
    void commit();
    void globals(const sadb::wire::Globals& g);
    void interface(const sadb::wire::Interface& i);
    void interface_delete(const sadb::wire::Interface& i);
    void sa_add(const sadb::wire::Sa& sa);
    void sa_delete(const sadb::wire::Sa& sa);
    void spd(const std::vector<sadb::wire::SpdRule>& rules);
    void route(const sadb::wire::Route& r, bool add);
    void neighbor(const sadb::wire::Neighbor& n, bool add);

    std::vector<sadb::wire::Msg> take() { return std::move(out_); }

  private:
    template <typename T>
    void add(sadb::wire::MsgType type, const T& body, T sadb::wire::Msg::Body::*member) {
        sadb::wire::Msg m{};
        sadb::wire::set_header<T>(m, type, generation_);
        m.body.*member = body;
        out_.push_back(m);
        OPENSSL_cleanse(&m, sizeof(m));  // the stack copy may hold keys
    }

    uint64_t generation_;
    std::vector<sadb::wire::Msg> out_;
};

}  // namespace espgw::control
