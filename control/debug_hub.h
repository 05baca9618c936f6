// The live debug subscriptions of `espgw debug crypto ipsec|engine [peer ADDR]`: each CLI
// terminal that debugs holds one stream; control publishes debug lines to every stream whose
// topic and peer match. A stream's queue is bounded: a terminal that does not read never stalls
// control, its surplus lines are dropped and announced by one "N lines lost" line.
// `undebug all` ends every stream (each gets IOS's "All possible debugging has been turned off").
// Control's main loop owns it: no locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace espgw::control {

enum class DebugTopic : uint8_t { kIpsec, kEngine };

// "ipsec", "engine": the words of `debug crypto ipsec|engine` and of the protocol.
std::string_view topic_name(DebugTopic t);
std::optional<DebugTopic> topic_from_name(std::string_view name);

struct DebugFilter {
    DebugTopic topic = DebugTopic::kIpsec;
    std::string peer;  // empty: every peer
};

class DebugHub {
  public:
    static constexpr size_t kQueueLines = 2000;
    static constexpr std::string_view kTurnedOff = "All possible debugging has been turned off";

    // A new stream under the caller's id (the management client's); `terminal` names the
    // client in `show debugging` (e.g. "pid 4242 on /dev/pts/3"). An existing id is replaced.
    void subscribe(uint64_t id, const DebugFilter& f, std::string terminal);
    void unsubscribe(uint64_t id);

    // A debug event (possibly several lines, '\n'-separated, kept together). `peer` is the remote
    // gateway it concerns, empty when none: such events reach unfiltered streams only.
    void publish(DebugTopic t, std::string_view peer, const std::string& text);

    // Moves the stream's waiting lines to `out`. False once the stream has ended (undebug all)
    // and its last line was taken; the caller then closes the connection and unsubscribes.
    bool drain(uint64_t id, std::vector<std::string>* out);

    // Ends every stream; returns how many there were.
    size_t undebug_all();

    // Whether anyone listens: lets control skip formatting debug lines nobody reads.
    bool wants(DebugTopic t) const;

    // The active streams, for `show debugging` (the CLI renders them).
    struct Active {
        uint64_t id;
        DebugFilter filter;
        std::string terminal;
    };
    std::vector<Active> active() const;
    // Every stream's id, ended ones included (the caller drains and closes those).
    std::vector<uint64_t> ids() const;

    size_t streams() const { return streams_.size(); }

  private:
    struct Stream {
        DebugFilter filter;
        std::string terminal;
        std::deque<std::string> queue;
        uint64_t lost = 0;
        bool ended = false;
    };
    void push(Stream& s, std::string text);

    std::map<uint64_t, Stream> streams_;
};

}  // namespace espgw::control
