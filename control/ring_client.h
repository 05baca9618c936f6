// Control's end of the rings to the dataplane (sadb/ring_region.h): attach to a running
// dataplane, send a configuration transaction and wait for its acknowledgement, read events.
// Uses only DPDK's header-inline ring functions: no DPDK library, no EAL.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "sadb/ring_region.h"
#include "sadb/wire.h"

namespace espgw::control {

using EventHandler = std::function<void(const sadb::wire::Msg&)>;

class RingClient {
  public:
    // Maps the ring region of `instance`, waiting up to `wait` for a dataplane to create it.
    static bool attach(const std::string& instance, std::chrono::milliseconds wait, RingClient* out,
                       std::string* error);

    // Queues one message, waiting while the ring is full (up to 2 s). False on timeout.
    bool send(const sadb::wire::Msg& m);
    // Takes one event if there is one.
    bool receive(sadb::wire::Msg* m);

    // Sends `msgs` (a kConfigBegin ... kConfigCommit transaction for `generation`), wipes them
    // (they carry keys), and waits for the dataplane's kAck of that generation. Other events
    // that arrive meanwhile go to `on_event`.
    bool transact(std::vector<sadb::wire::Msg>& msgs, uint64_t generation, sadb::wire::Ack* ack,
                  const EventHandler& on_event, std::chrono::milliseconds timeout,
                  std::string* error);

    // Sends one request and hands each event that follows to `take` until it sets *done. The
    // events it does not take (returns false) are kept for receive(), so whoever reads events
    // next logs them as usual. False when `timeout` passes first.
    using AnswerTaker = std::function<bool(const sadb::wire::Msg&, bool* done)>;
    bool ask(const sadb::wire::Msg& request, const AnswerTaker& take,
             std::chrono::milliseconds timeout, std::string* error);

    // Asks the dataplane for its installed SAs (keys never leave it) and its generation.
    bool resync(std::vector<sadb::wire::Sa>* sas, uint64_t* generation,
                const EventHandler& on_event, std::chrono::milliseconds timeout);

    void hello();
    uint32_t dataplane_pid() const { return region_.header()->dataplane_pid.load(); }
    bool dataplane_alive() const;

  private:
    sadb::RingRegion region_;
    std::deque<sadb::wire::Msg> deferred_;        // events read by ask() that were not its answer
    static constexpr size_t kMaxDeferred = 4096;  // 5 s of drop samples from 8 lcores
};

}  // namespace espgw::control
