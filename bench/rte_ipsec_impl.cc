#include "bench/rte_ipsec_impl.h"

#include <netinet/in.h>
#include <rte_bus_vdev.h>
#include <rte_cryptodev.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <cstring>
#include <stdexcept>

namespace espgw::bench {
namespace {

constexpr const char* kVdev = "crypto_aesni_mb";
// Where a lookaside op would carry its IV; cpu-crypto ignores it but the xform wants one.
constexpr uint16_t kIvOffset = sizeof(rte_crypto_op) + sizeof(rte_crypto_sym_op);

std::string rte_err(const std::string& what) {
    return what + ": " + rte_strerror(rte_errno);
}

int socket() {
    return static_cast<int>(rte_socket_id());
}

// The cryptodev xform chain of one SA: AEAD alone, or cipher then auth (outbound) and auth
// then cipher (inbound), as ipsec-secgw's sa_add_rules builds it.
struct Xforms {
    rte_crypto_sym_xform x[2];
    rte_crypto_sym_xform* head;
};

void fill_aead(rte_crypto_sym_xform& x, const Suite& s, const SaKeys& k, bool inbound) {
    x.type = RTE_CRYPTO_SYM_XFORM_AEAD;
    x.aead.op = inbound ? RTE_CRYPTO_AEAD_OP_DECRYPT : RTE_CRYPTO_AEAD_OP_ENCRYPT;
    x.aead.algo = s.dpdk_aead;
    x.aead.key.data = k.cipher;
    x.aead.key.length = s.cipher_key_len;
    x.aead.iv.offset = kIvOffset;
    x.aead.iv.length = 12;
    x.aead.digest_length = s.icv_len;
    x.aead.aad_length = 8;
}

void fill_cipher(rte_crypto_sym_xform& x, const Suite& s, const SaKeys& k, bool inbound) {
    x.type = RTE_CRYPTO_SYM_XFORM_CIPHER;
    x.cipher.op = inbound ? RTE_CRYPTO_CIPHER_OP_DECRYPT : RTE_CRYPTO_CIPHER_OP_ENCRYPT;
    x.cipher.algo = s.dpdk_cipher;
    x.cipher.key.data = s.cipher_key_len ? k.cipher : nullptr;
    x.cipher.key.length = s.cipher_key_len;
    x.cipher.iv.offset = kIvOffset;
    x.cipher.iv.length = s.iv_len;
}

void fill_auth(rte_crypto_sym_xform& x, const Suite& s, const SaKeys& k, bool inbound) {
    x.type = RTE_CRYPTO_SYM_XFORM_AUTH;
    x.auth.op = inbound ? RTE_CRYPTO_AUTH_OP_VERIFY : RTE_CRYPTO_AUTH_OP_GENERATE;
    x.auth.algo = s.dpdk_auth;
    x.auth.key.data = k.auth;
    x.auth.key.length = s.auth_key_len;
    x.auth.digest_length = s.icv_len;
}

void make_xforms(Xforms& xf, const Suite& s, const SaKeys& k, bool inbound) {
    std::memset(xf.x, 0, sizeof xf.x);
    xf.head = &xf.x[0];
    if (s.aead) {
        fill_aead(xf.x[0], s, k, inbound);
        return;
    }
    rte_crypto_sym_xform& cipher = inbound ? xf.x[1] : xf.x[0];
    rte_crypto_sym_xform& auth = inbound ? xf.x[0] : xf.x[1];
    fill_cipher(cipher, s, k, inbound);
    fill_auth(auth, s, k, inbound);
    xf.x[0].next = &xf.x[1];
}

rte_ipv4_hdr outer_template(bool inbound) {
    rte_ipv4_hdr h{};
    h.version_ihl = 0x45;
    h.time_to_live = 64;
    h.next_proto_id = IPPROTO_ESP;
    const uint32_t a = 0xc0000201, b = 0xc6336401;  // 192.0.2.1, 198.51.100.1 (as espgw)
    h.src_addr = rte_cpu_to_be_32(inbound ? b : a);
    h.dst_addr = rte_cpu_to_be_32(inbound ? a : b);
    return h;
}

void release(const rte_ipsec_session& ss, uint8_t dev) {
    if (ss.crypto.ses != nullptr) rte_cryptodev_sym_session_free(dev, ss.crypto.ses);
    if (ss.sa != nullptr) {
        rte_ipsec_sa_fini(ss.sa);
        rte_free(ss.sa);
    }
}

// Runs the packets of one SA in mb[0..cnt) through rte_ipsec; frees the failures and returns
// how many good packets remain at the front.
uint16_t run_group(const rte_ipsec_session* ss, rte_mbuf** mb, uint16_t cnt) {
    if (ss == nullptr) {
        rte_pktmbuf_free_bulk(mb, cnt);
        return 0;
    }
    uint16_t ok = rte_ipsec_pkt_cpu_prepare(ss, mb, cnt);
    ok = rte_ipsec_pkt_process(ss, mb, ok);
    if (ok < cnt) rte_pktmbuf_free_bulk(mb + ok, cnt - ok);
    return ok;
}

// ipsec-secgw's grouping: consecutive packets of the same session form one call.
uint16_t run_groups(const rte_ipsec_session* const* ss, rte_mbuf** mb, uint16_t n) {
    uint16_t live = 0;
    for (uint16_t i = 0; i < n;) {
        uint16_t e = i + 1;
        while (e < n && ss[e] == ss[i])
            ++e;
        const uint16_t ok = run_group(ss[i], mb + i, e - i);
        if (live != i) std::memmove(mb + live, mb + i, ok * sizeof(mb[0]));
        live += ok;
        i = e;
    }
    return live;
}

}  // namespace

CryptoDev::CryptoDev(uint32_t max_sessions) {
    if (rte_vdev_init(kVdev, "max_nb_queue_pairs=1") != 0)
        throw std::runtime_error(std::string("rte_vdev_init ") + kVdev + " failed");
    const int id = rte_cryptodev_get_dev_id(kVdev);
    if (id < 0) throw std::runtime_error("no cryptodev named crypto_aesni_mb");
    id_ = static_cast<uint8_t>(id);
    rte_cryptodev_info info;
    rte_cryptodev_info_get(id_, &info);
    if ((info.feature_flags & RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO) == 0)
        throw std::runtime_error("crypto_aesni_mb lacks RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO");
    const uint32_t priv = rte_cryptodev_sym_get_private_session_size(id_);
    sess_pool_ =
        rte_cryptodev_sym_session_pool_create("bench_sess", max_sessions, priv, 0, 0, socket());
    if (sess_pool_ == nullptr) throw std::runtime_error(rte_err("session pool"));
    rte_cryptodev_config conf{};
    conf.socket_id = socket();
    conf.nb_queue_pairs = 1;
    rte_cryptodev_qp_conf qp{};
    qp.nb_descriptors = 128;
    qp.mp_session = sess_pool_;
    if (rte_cryptodev_configure(id_, &conf) != 0 ||
        rte_cryptodev_queue_pair_setup(id_, 0, &qp, socket()) != 0 || rte_cryptodev_start(id_) != 0)
        throw std::runtime_error("cannot configure/start crypto_aesni_mb");
}

CryptoDev::~CryptoDev() {
    rte_cryptodev_stop(id_);
    rte_cryptodev_close(id_);
    rte_vdev_uninit(kVdev);
    rte_mempool_free(sess_pool_);
}

RteSas::RteSas(CryptoDev& dev, const Suite& suite, uint32_t n, const std::string& tag)
    : dev_(dev), out_(n), in_(n) {
    std::memset(static_cast<void*>(out_.data()), 0, n * sizeof(rte_ipsec_session));
    std::memset(static_cast<void*>(in_.data()), 0, n * sizeof(rte_ipsec_session));
    rte_ipsec_sad_conf conf{};
    conf.socket_id = socket();
    conf.max_sa[RTE_IPSEC_SAD_SPI_ONLY] = n;
    sad_ = rte_ipsec_sad_create(("bench_sad_" + tag).c_str(), &conf);
    if (sad_ == nullptr) throw std::runtime_error(rte_err("rte_ipsec_sad_create"));
    for (uint32_t j = 0; j < n; ++j) {
        add(suite, j, false);
        add(suite, j, true);
    }
}

RteSas::~RteSas() {
    for (const rte_ipsec_session& ss : out_)
        release(ss, dev_.id());
    for (const rte_ipsec_session& ss : in_)
        release(ss, dev_.id());
    rte_ipsec_sad_destroy(sad_);
}

void RteSas::add(const Suite& suite, uint32_t j, bool inbound) {
    const SaKeys k = sa_keys(suite, j);
    Xforms xf;
    make_xforms(xf, suite, k, inbound);
    const rte_ipv4_hdr outer = outer_template(inbound);
    rte_ipsec_sa_prm prm{};
    prm.ipsec_xform.spi = k.spi;
    prm.ipsec_xform.salt = k.salt_raw;
    prm.ipsec_xform.direction =
        inbound ? RTE_SECURITY_IPSEC_SA_DIR_INGRESS : RTE_SECURITY_IPSEC_SA_DIR_EGRESS;
    prm.ipsec_xform.proto = RTE_SECURITY_IPSEC_SA_PROTO_ESP;
    prm.ipsec_xform.mode = RTE_SECURITY_IPSEC_SA_MODE_TUNNEL;
    prm.ipsec_xform.tunnel.type = RTE_SECURITY_IPSEC_TUNNEL_IPV4;
    prm.ipsec_xform.replay_win_sz = 0;
    prm.crypto_xform = xf.head;
    prm.tun.hdr_len = sizeof outer;
    prm.tun.hdr_l3_off = 0;
    prm.tun.next_proto = IPPROTO_IPIP;
    prm.tun.hdr = &outer;
    const int sz = rte_ipsec_sa_size(&prm);
    if (sz < 0) throw std::runtime_error("rte_ipsec_sa_size failed");
    auto* sa = static_cast<rte_ipsec_sa*>(
        rte_zmalloc_socket("bench_sa", sz, RTE_CACHE_LINE_SIZE, socket()));
    rte_ipsec_session& ss = inbound ? in_[j] : out_[j];
    ss.sa = sa;
    if (sa == nullptr || rte_ipsec_sa_init(sa, &prm, sz) < 0)
        throw std::runtime_error("rte_ipsec_sa_init failed for SA " + std::to_string(j));
    void* ses = rte_cryptodev_sym_session_create(dev_.id(), xf.head, dev_.session_pool());
    if (ses == nullptr) throw std::runtime_error(rte_err("rte_cryptodev_sym_session_create"));
    ss.type = RTE_SECURITY_ACTION_TYPE_CPU_CRYPTO;
    ss.crypto.ses = static_cast<rte_cryptodev_sym_session*>(ses);
    ss.crypto.dev_id = dev_.id();
    if (rte_ipsec_session_prepare(&ss) != 0)
        throw std::runtime_error("rte_ipsec_session_prepare failed");
    if (!inbound) return;
    rte_ipsec_sad_key key{};
    key.v4.spi = rte_cpu_to_be_32(k.spi);  // looked up with the SPI as it sits in the packet
    if (rte_ipsec_sad_add(sad_, &key, RTE_IPSEC_SAD_SPI_ONLY, &ss) != 0)
        throw std::runtime_error("rte_ipsec_sad_add failed");
}

uint16_t RteEncap::process(uint64_t g0, uint16_t n) {
    // Fresh mbufs have l2_len = 0 (rte_pktmbuf_reset): data starts at the inner IP header.
    const uint32_t count = sas_.size();
    uint32_t j = static_cast<uint32_t>(g0 % count);
    for (uint16_t k = 0; k < n; ++k) {
        ss_[k] = sas_.out(j);
        if (++j == count) j = 0;
    }
    return run_groups(ss_, pkts_, n);
}

uint16_t RteDecap::process(uint64_t, uint16_t n) {
    rte_ipsec_sad_key keys[64];
    const rte_ipsec_sad_key* kp[64];
    for (uint16_t k = 0; k < n; ++k) {
        rte_mbuf* m = pkts_[k];
        m->l3_len = sizeof(rte_ipv4_hdr);  // rte_ipsec finds ESP at l2_len + l3_len
        std::memcpy(&keys[k].v4.spi, rte_pktmbuf_mtod_offset(m, const uint8_t*, m->l3_len), 4);
        kp[k] = &keys[k];
    }
    rte_ipsec_sad_lookup(sas_.sad(), kp, ss_, n);
    return run_groups(reinterpret_cast<const rte_ipsec_session* const*>(ss_), pkts_, n);
}

}  // namespace espgw::bench
