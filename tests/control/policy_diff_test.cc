// SIGHUP: the difference between two compilations touches only what was edited.
#include <gtest/gtest.h>

#include <set>

#include "control/policy_diff.h"
#include "tests/control/control_test_util.h"

namespace espgw::control {
namespace {

using test::compile_clean;
using test::read_config;

// site-a plus a second tunnel (crypto map VPN 20) to another site.
std::string two_tunnels(
    const std::string& second_in_key = "000102030405060708090a0b0c0d0e0f20212223",
    const std::string& second_in_spi = "5001") {
    return read_config("site-a.cfg") +
           "access-list 102 permit ip 198.18.1.0 0.0.0.255 198.18.3.0 0.0.0.255\n"
           "crypto map VPN 20 ipsec-manual\n"
           " set peer 192.0.2.3\n"
           " set transform-set GCM128\n"
           " match address 102\n"
           " set session-key inbound esp " +
           second_in_spi + " cipher " + second_in_key +
           "\n"
           " set session-key outbound esp 5002 cipher 000102030405060708090a0b0c0d0e0f30313233\n";
}

std::set<uint32_t> conn_ids_of(const std::vector<wire::Msg>& msgs, wire::MsgType t) {
    std::set<uint32_t> ids;
    for (const wire::Msg& m : msgs) {
        if (m.hdr.type != t) continue;
        ids.insert(t == wire::MsgType::kSaAdd ? m.body.sa.conn_id : m.body.sa_ref.conn_id);
    }
    return ids;
}

std::set<uint32_t> conn_ids_of_seq(const CompiledPolicy& p, uint32_t seq) {
    std::set<uint32_t> ids;
    for (const CompiledSa& s : p.sas)
        if (s.sa.map_seq == seq) ids.insert(s.sa.conn_id);
    return ids;
}

TEST(PolicyDiff, UnchangedConfigIsAnEmptyTransaction) {
    const CompiledPolicy a = compile_clean(two_tunnels());
    const CompiledPolicy b = compile_clean(two_tunnels());
    const PolicyDiff d = diff(a, b);
    EXPECT_TRUE(d.empty());
    const auto msgs = to_messages(d, 2);
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_EQ(msgs[0].hdr.type, wire::MsgType::kConfigBegin);
    EXPECT_EQ(msgs[0].body.begin.full, 0);
    EXPECT_EQ(msgs[1].hdr.type, wire::MsgType::kConfigCommit);
}

TEST(PolicyDiff, EditedKeyTouchesOnlyItsTunnel) {
    const CompiledPolicy a = compile_clean(two_tunnels());
    const CompiledPolicy b = compile_clean(two_tunnels("ffeeddccbbaa99887766554433221100aabbccdd"));
    const PolicyDiff d = diff(a, b);
    EXPECT_TRUE(d.sas_added.empty());
    EXPECT_TRUE(d.sas_removed.empty());
    ASSERT_EQ(d.sas_changed.size(), 1u);
    EXPECT_EQ(d.sas_changed[0].after.sa.map_seq, 20u);
    EXPECT_EQ(d.sas_changed[0].after.sa.direction, wire::Direction::kInbound);
    EXPECT_FALSE(d.spd_changed);
    EXPECT_FALSE(d.globals_changed);
    EXPECT_TRUE(d.routes_added.empty() && d.routes_removed.empty());
    const auto msgs = to_messages(d, 3);
    EXPECT_EQ(conn_ids_of(msgs, wire::MsgType::kSaAdd),
              std::set<uint32_t>{d.sas_changed[0].after.sa.conn_id});
    EXPECT_TRUE(conn_ids_of(msgs, wire::MsgType::kSaDelete).empty());  // same SPI: replaced
    for (uint32_t id : conn_ids_of_seq(a, 10))
        EXPECT_FALSE(conn_ids_of(msgs, wire::MsgType::kSaAdd).count(id));
}

TEST(PolicyDiff, MovedSpiDeletesTheOldSa) {
    const CompiledPolicy a = compile_clean(two_tunnels());
    const CompiledPolicy b =
        compile_clean(two_tunnels("000102030405060708090a0b0c0d0e0f20212223", "6001"));
    const PolicyDiff d = diff(a, b);
    ASSERT_EQ(d.sas_changed.size(), 1u);
    const auto msgs = to_messages(d, 4);
    size_t deletes = 0;
    for (const wire::Msg& m : msgs) {
        if (m.hdr.type != wire::MsgType::kSaDelete) continue;
        ++deletes;
        EXPECT_EQ(m.body.sa_ref.spi, 5001u);
    }
    EXPECT_EQ(deletes, 1u);
}

TEST(PolicyDiff, RemovedTunnelDeletesItsSasAndResendsTheSpd) {
    const CompiledPolicy a = compile_clean(two_tunnels());
    const CompiledPolicy b = compile_clean(read_config("site-a.cfg"));
    const PolicyDiff d = diff(a, b);
    EXPECT_EQ(d.sas_removed.size(), 2u);
    EXPECT_TRUE(d.sas_changed.empty());
    EXPECT_TRUE(d.spd_changed);
    const auto msgs = to_messages(d, 5);
    EXPECT_EQ(conn_ids_of(msgs, wire::MsgType::kSaDelete), conn_ids_of_seq(a, 20));
    EXPECT_TRUE(conn_ids_of(msgs, wire::MsgType::kSaAdd).empty());
    // The new snapshot comes before the deletes, so no rule points at a deleted SA.
    size_t spd_at = 0, first_delete = 0;
    for (size_t i = 0; i < msgs.size(); ++i) {
        if (msgs[i].hdr.type == wire::MsgType::kSpdRules) spd_at = i;
        if (msgs[i].hdr.type == wire::MsgType::kSaDelete && !first_delete) first_delete = i;
    }
    EXPECT_LT(spd_at, first_delete);
}

// Adding `fragments` to a line changes only what the rule matches, not its selector: the SPD
// must still be sent again (and no SA touched).
TEST(PolicyDiff, FragmentsKeywordChangesTheSpd) {
    const std::string deny = "access-list 101 deny udp host 198.18.1.9 any\n";
    const std::string base = deny + read_config("site-a.cfg");
    std::string edited = base;
    edited.replace(0, deny.size() - 1, "access-list 101 deny udp host 198.18.1.9 any fragments");
    const PolicyDiff d = diff(compile_clean(base), compile_clean(edited));
    EXPECT_TRUE(d.spd_changed);
    EXPECT_TRUE(d.sas_changed.empty() && d.sas_added.empty() && d.sas_removed.empty());
}

TEST(PolicyDiff, AddedTunnelAddsOnlyItsSas) {
    const CompiledPolicy a = compile_clean(read_config("site-a.cfg"));
    const CompiledPolicy b = compile_clean(two_tunnels());
    const PolicyDiff d = diff(a, b);
    EXPECT_EQ(d.sas_added.size(), 2u);
    EXPECT_TRUE(d.sas_changed.empty());
    EXPECT_EQ(conn_ids_of(to_messages(d, 6), wire::MsgType::kSaAdd), conn_ids_of_seq(b, 20));
}

TEST(PolicyDiff, RouteAndNeighbourChanges) {
    std::string edited = read_config("site-a.cfg");
    edited.replace(edited.find("arp 192.0.2.2 0200.0000.0002"), 28, "arp 192.0.2.2 0200.0000.00ff");
    edited += "ip route 10.0.0.0 255.0.0.0 198.18.1.254\n";
    const PolicyDiff d = diff(compile_clean(read_config("site-a.cfg")), compile_clean(edited));
    EXPECT_EQ(d.routes_added.size(), 1u);
    EXPECT_TRUE(d.routes_removed.empty());
    EXPECT_EQ(d.neighbors_added.size(), 1u);
    EXPECT_EQ(d.neighbors_removed.size(), 1u);
    EXPECT_TRUE(d.sas_changed.empty());
    const auto msgs = to_messages(d, 8);
    size_t del = 0, add = 0;
    for (const wire::Msg& m : msgs) {
        if (m.hdr.type == wire::MsgType::kNeighborDelete) del = &m - msgs.data();
        if (m.hdr.type == wire::MsgType::kNeighborAdd) add = &m - msgs.data();
    }
    EXPECT_LT(del, add);  // delete the old entry before adding the new one
}

TEST(PolicyDiff, GlobalsChange) {
    const PolicyDiff d = diff(
        compile_clean(read_config("site-a.cfg")),
        compile_clean(read_config("site-a.cfg") + "crypto ipsec fragmentation after-encryption\n"));
    EXPECT_TRUE(d.globals_changed);
    EXPECT_TRUE(d.sas_changed.empty());
    EXPECT_EQ(d.globals.frag, wire::FragPolicy::kAfterEncryption);
}

// site-a with a third interface (a DMZ) on DPDK port 2.
std::string with_dmz(const std::string& port = "2", const std::string& addr = "198.18.5.1") {
    return read_config("site-a.cfg") + "interface port2\n description dmz\n dpdk-port " + port +
           "\n ip address " + addr + " 255.255.255.0\n";
}

// The ports of the interface messages of type t, in message order.
std::vector<uint16_t> ports_of(const std::vector<wire::Msg>& msgs, wire::MsgType t) {
    std::vector<uint16_t> ports;
    for (const wire::Msg& m : msgs)
        if (m.hdr.type == t) ports.push_back(m.body.interface.port);
    return ports;
}

size_t first_of(const std::vector<wire::Msg>& msgs, wire::MsgType t) {
    for (size_t i = 0; i < msgs.size(); ++i)
        if (msgs[i].hdr.type == t) return i;
    return msgs.size();
}

TEST(PolicyDiff, RemovedInterfaceIsDeleted) {
    const PolicyDiff d = diff(compile_clean(with_dmz()), compile_clean(read_config("site-a.cfg")));
    ASSERT_EQ(d.interfaces_removed.size(), 1u);
    EXPECT_TRUE(d.interfaces_added.empty());
    EXPECT_FALSE(d.empty());
    const auto msgs = to_messages(d, 9);
    EXPECT_EQ(ports_of(msgs, wire::MsgType::kInterfaceDelete), std::vector<uint16_t>{2});
    EXPECT_TRUE(ports_of(msgs, wire::MsgType::kInterface).empty());
    const size_t del = first_of(msgs, wire::MsgType::kInterfaceDelete);
    ASSERT_LT(del, msgs.size());
    EXPECT_STREQ(msgs[del].body.interface.name, "port2");
    EXPECT_EQ(msgs.back().hdr.type, wire::MsgType::kConfigCommit);
}

TEST(PolicyDiff, MovedInterfaceIsDeletedFromItsOldPortFirst) {
    const PolicyDiff d = diff(compile_clean(with_dmz("2")), compile_clean(with_dmz("3")));
    const auto msgs = to_messages(d, 10);
    EXPECT_EQ(ports_of(msgs, wire::MsgType::kInterfaceDelete), std::vector<uint16_t>{2});
    EXPECT_EQ(ports_of(msgs, wire::MsgType::kInterface), std::vector<uint16_t>{3});
}

TEST(PolicyDiff, ReaddressedInterfaceIsDeletedThenAdded) {
    const PolicyDiff d =
        diff(compile_clean(with_dmz()), compile_clean(with_dmz("2", "198.18.6.1")));
    const auto msgs = to_messages(d, 11);
    EXPECT_EQ(ports_of(msgs, wire::MsgType::kInterfaceDelete), std::vector<uint16_t>{2});
    EXPECT_EQ(ports_of(msgs, wire::MsgType::kInterface), std::vector<uint16_t>{2});
    // The dataplane applies deletes before adds anyway; the order keeps the log readable.
    EXPECT_LT(first_of(msgs, wire::MsgType::kInterfaceDelete),
              first_of(msgs, wire::MsgType::kInterface));
}

}  // namespace
}  // namespace espgw::control
