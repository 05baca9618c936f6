#include "dataplane/sa_table.h"

#include <openssl/crypto.h>

#include <ctime>

#include "dataplane/wire_convert.h"

namespace espgw::dataplane {
namespace {

bool valid_wire_sa(const sadb::wire::Sa& w, std::string* error) {
    if (w.cipher >= crypto::kNumCiphers || w.integrity >= crypto::kNumIntegrity) {
        *error = "SA " + std::to_string(w.conn_id) + ": unknown cipher or integrity id";
        return false;
    }
    if (w.conn_id == 0) {
        *error = "SA with spi " + std::to_string(w.spi) + " has no conn_id";
        return false;
    }
    return true;
}

}  // namespace

SaTable::SaTable(uint32_t max_sas, const sadb::StatsView& stats, int socket, rte_rcu_qsbr* rcu)
    : max_(max_sas), stats_(stats), out_(new std::atomic<sadb::SaRuntime*>[max_sas]) {
    index_ = std::make_unique<sadb::SpiIndex>("espgw_spi", max_sas, socket, rcu);
    for (uint32_t k = 0; k < max_; ++k)
        out_[k].store(nullptr);
    for (uint32_t k = max_; k-- > 0;)
        free_slots_.push_back(k);
}

uint32_t SaTable::take_slot() {
    if (free_slots_.empty()) return kNoSlot;
    const uint32_t s = free_slots_.back();
    free_slots_.pop_back();
    return s;
}

uint32_t SaTable::slot_of(uint32_t conn_id) const {
    const auto it = by_conn_.find(conn_id);
    return it == by_conn_.end() ? kNoSlot : it->second.info.slot;
}

void SaTable::fill_slot(const Entry& e, uint16_t owner) {
    sadb::SaSlot* s = stats_.sa(e.info.slot);
    sadb::shm_store(s->in_use, uint8_t{0});
    sadb::shm_store(s->generation, s->generation + 1);
    s->direction = static_cast<uint8_t>(e.info.meta.direction);
    s->owner_lcore = static_cast<uint8_t>(owner);
    s->cipher = e.info.meta.cipher;
    s->spi = e.info.meta.spi;
    s->conn_id = e.info.conn_id;
    s->pair_conn_id = e.info.meta.pair_conn_id;
    s->prefrag_ok = s->prefrag_fail = s->fragments_created = 0;
    s->pmtu_sent = s->pmtu_rcvd = s->reassembly_needed = 0;
    s->path_mtu = e.info.meta.path_mtu;
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    s->installed_unix_ns =
        static_cast<uint64_t>(now.tv_sec) * 1000000000u + static_cast<uint64_t>(now.tv_nsec);
    s->meta = e.info.meta;  // keys already wiped
    sadb::shm_store(s->in_use, uint8_t{1});
}

void SaTable::publish(Entry& e, sadb::SaRuntime* rt) {
    e.rt = rt;
    if (e.info.meta.direction == sadb::wire::Direction::kInbound) {
        index_->add(rt->spi, rt);  // replaces a previous SA with the same SPI atomically
    } else {
        out_[e.info.slot].store(rt, std::memory_order_release);
    }
}

void SaTable::unpublish(const Entry& e) {
    if (e.info.meta.direction == sadb::wire::Direction::kInbound) {
        if (index_->find(e.rt->spi) == e.rt) index_->remove(e.rt->spi);
    } else {
        out_[e.info.slot].store(nullptr, std::memory_order_release);
    }
    retired_.push_back(e.rt);
}

bool SaTable::install(const sadb::wire::Sa& w, uint16_t owner, IMB_MGR* mgr, std::string* error) {
    if (!valid_wire_sa(w, error)) return false;
    const uint32_t slot = take_slot();
    if (slot == kNoSlot) {
        *error = "SA table full (" + std::to_string(max_) + " SAs)";
        return false;
    }
    sadb::SaConfig cfg = sa_config_from_wire(w);
    sadb::SaRuntimePtr rt = sadb::build_sa_runtime(cfg, mgr, error, &stats_.sa(slot)->counters);
    if (!rt) {
        free_slots_.push_back(slot);
        *error =
            "SA " + std::to_string(w.conn_id) + " (spi " + std::to_string(w.spi) + "): " + *error;
        return false;
    }
    rt->owner_lcore = owner;
    rt->slot = slot;
    Entry e{{w.conn_id, slot, w}, nullptr};
    OPENSSL_cleanse(e.info.meta.cipher_key, sizeof e.info.meta.cipher_key);
    OPENSSL_cleanse(e.info.meta.auth_key, sizeof e.info.meta.auth_key);
    fill_slot(e, owner);
    sadb::SaRuntime* raw = rt.get();
    owned_.emplace(raw, std::move(rt));
    // The new SA is published before the one it replaces is withdrawn: an inbound SA that keeps
    // its SPI is swapped in the index by one store and no packet finds the SPI missing.
    publish(e, raw);
    if (auto old = by_conn_.find(w.conn_id); old != by_conn_.end()) {
        unpublish(old->second);
        by_conn_.erase(old);
    }
    by_conn_.emplace(w.conn_id, e);
    return true;
}

bool SaTable::remove(uint32_t conn_id) {
    const auto it = by_conn_.find(conn_id);
    if (it == by_conn_.end()) return false;
    unpublish(it->second);
    by_conn_.erase(it);
    return true;
}

bool SaTable::expire(uint32_t conn_id) {
    const auto it = by_conn_.find(conn_id);
    if (it == by_conn_.end()) return false;
    // `blocked` is the one SA field the main lcore writes; the owner tests it per packet.
    return __atomic_exchange_n(&it->second.rt->blocked, 1, __ATOMIC_RELAXED) == 0;
}

void SaTable::free_retired() {
    for (sadb::SaRuntime* rt : retired_) {
        sadb::shm_store(stats_.sa(rt->slot)->in_use, uint8_t{0});
        free_slots_.push_back(rt->slot);
        owned_.erase(rt);  // wipes keys (SaCrypto destructor)
    }
    retired_.clear();
}

}  // namespace espgw::dataplane
