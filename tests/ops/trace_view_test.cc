// Packet capture status as control reports it (control/mgmt_capture.cc: the JSON of a
// kCaptureStatus and the log line of a capture that stopped by itself) and as the CLI prints it
// (mgmt/capture_view.cc, IOS-XE `show monitor capture` layout), on fixed input.
#include <gtest/gtest.h>

#include <cstring>

#include "control/mgmt_capture.h"
#include "control/mgmt_capture_text.h"
#include "mgmt/capture_view.h"

namespace espgw {
namespace {

namespace wire = sadb::wire;

wire::CaptureStatus sa_capture_at_its_limit() {
    wire::CaptureStatus s{};
    s.result = wire::CaptureResult::kOk;
    s.state = wire::CaptureState::kStopped;
    s.stop_reason = wire::CaptureStopReason::kPacketLimit;
    s.count = 1;
    wire::CaptureStart& c = s.config;
    c.scope = wire::CaptureScope::kSa;
    c.spi = 0x1001;
    c.dir = wire::kCaptureIn;
    c.inner = 1;
    c.snaplen = 9216;
    c.limit_packets = 20;
    c.limit_bytes = 64ull << 20;
    std::strcpy(c.name, "SA1");
    std::strcpy(c.path, "/var/tmp/sa1.pcapng");
    s.packets = 20;
    s.bytes = 4312;
    s.lost = 2;
    s.started_ns = 1'700'000'000'000'000'000;
    s.stopped_ns = 1'700'000'005'000'000'000;
    return s;
}

TEST(TraceView, ControlReportsTheStatusAsData) {
    const control::Json j = control::capture_json(sa_capture_at_its_limit());
    EXPECT_EQ(j["name"], "SA1");
    EXPECT_EQ(j["state"], "stopped");
    EXPECT_EQ(j["stop_reason"], "packet limit reached");
    EXPECT_EQ(j["scope"], "sa");
    EXPECT_EQ(j["spi"], 0x1001);
    EXPECT_EQ(j["direction"], "in");
    EXPECT_EQ(j["inner"], true);
    EXPECT_EQ(j["packets"], 20);
    EXPECT_EQ(j["bytes"], 4312);
    EXPECT_EQ(j["lost"], 2);
    EXPECT_EQ(j["file"], "/var/tmp/sa1.pcapng");
    EXPECT_FALSE(j.contains("interface"));
}

TEST(TraceView, ACaptureThatStoppedByItselfIsLoggedWithItsLimit) {
    EXPECT_EQ(control::capture_stopped_text(sa_capture_at_its_limit()),
              "capture SA1 stopped: packet limit 20 reached; 20 packets (4312 bytes) in "
              "/var/tmp/sa1.pcapng, 2 lost");
}

TEST(TraceView, ShowMonitorCaptureInTheIosLayout) {
    control::Json running = {{"name", "OUT"},
                             {"state", "running"},
                             {"stop_reason", ""},
                             {"scope", "interface"},
                             {"interface", "port0"},
                             {"direction", "both"},
                             {"file", "/tmp/o.pcapng"},
                             {"snaplen", 9216},
                             {"limit_packets", 10000},
                             {"limit_bytes", 67108864},
                             {"packets", 12},
                             {"bytes", 2048},
                             {"lost", 0},
                             {"error", ""}};
    const std::string both = mgmt::render_captures(
        control::Json::array({running, control::capture_json(sa_capture_at_its_limit())}));
    EXPECT_EQ(both,
              "Status Information for Capture OUT\n"
              "  Target Type:\n"
              "   Interface: port0, Direction: both\n"
              "   Status : Active\n"
              "  File Details:\n"
              "   Associated file name: /tmp/o.pcapng\n"
              "  Limit Details:\n"
              "   Number of Packets to capture: 10000\n"
              "   Maximum file size: 67108864 bytes\n"
              "   Packet Size to capture: 9216\n"
              "  Statistics:\n"
              "   Packets written: 12\n"
              "   File size: 2048 bytes\n"
              "   Packets not captured (capture buffers full): 0\n"
              "\n"
              "Status Information for Capture SA1\n"
              "  Target Type:\n"
              "   IPsec SA: SPI 0x00001001(4097), Direction: inbound (entering decap), with the "
              "clear packets\n"
              "   Status : Inactive (packet limit reached)\n"
              "  File Details:\n"
              "   Associated file name: /var/tmp/sa1.pcapng\n"
              "  Limit Details:\n"
              "   Number of Packets to capture: 20\n"
              "   Maximum file size: 67108864 bytes\n"
              "   Packet Size to capture: 9216\n"
              "  Statistics:\n"
              "   Packets written: 20\n"
              "   File size: 4312 bytes\n"
              "   Packets not captured (capture buffers full): 2\n");
    EXPECT_EQ(mgmt::render_captures(control::Json::array()), "No capture points\n");
}

TEST(TraceView, StartAndStopSayWhatHappened) {
    const control::Json c = control::capture_json(sa_capture_at_its_limit());
    EXPECT_EQ(mgmt::render_capture_started(c),
              "Started capture point : SA1\nWriting to /var/tmp/sa1.pcapng (limit 20 packets or "
              "67108864 bytes)\n");
    EXPECT_EQ(mgmt::render_capture_stopped(c, false),
              "Capture point SA1 had already stopped (packet limit reached)\n20 packets, 4312 "
              "bytes in /var/tmp/sa1.pcapng, 2 not captured\n");
    EXPECT_EQ(mgmt::render_capture_stopped(c, true).substr(0, 29),
              "Stopped capture point : SA1\n2");
}

}  // namespace
}  // namespace espgw
