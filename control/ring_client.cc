#include "control/ring_client.h"

#include <openssl/crypto.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

namespace espgw::control {

namespace wire = sadb::wire;
using Clock = std::chrono::steady_clock;

bool RingClient::attach(const std::string& instance, std::chrono::milliseconds wait,
                        RingClient* out, std::string* error) {
    const auto deadline = Clock::now() + wait;
    for (;;) {
        sadb::RingRegion r = sadb::RingRegion::attach(instance, error);
        if (r.valid()) {
            out->region_ = std::move(r);
            return true;
        }
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

bool RingClient::dataplane_alive() const {
    const pid_t pid = static_cast<pid_t>(dataplane_pid());
    return pid > 0 && kill(pid, 0) == 0;
}

bool RingClient::send(const wire::Msg& m) {
    const auto deadline = Clock::now() + std::chrono::seconds(2);
    while (!sadb::ring_put(region_.commands(), m)) {
        if (Clock::now() >= deadline || !dataplane_alive()) return false;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return true;
}

bool RingClient::receive(wire::Msg* m) {
    if (deferred_.empty()) return sadb::ring_get(region_.events(), m);
    *m = deferred_.front();
    deferred_.pop_front();
    return true;
}

void RingClient::hello() {
    wire::Msg m{};
    wire::set_header<wire::Hello>(m, wire::MsgType::kHello, 0);
    m.body.hello.pid = static_cast<uint32_t>(getpid());
    region_.header()->control_pid.store(static_cast<uint32_t>(getpid()));
    send(m);
}

bool RingClient::transact(std::vector<wire::Msg>& msgs, uint64_t generation, wire::Ack* ack,
                          const EventHandler& on_event, std::chrono::milliseconds timeout,
                          std::string* error) {
    bool sent = true;
    for (wire::Msg& m : msgs) {
        sent = sent && send(m);
        OPENSSL_cleanse(&m, sizeof m);
    }
    msgs.clear();
    if (!sent) {
        *error = "the dataplane does not take commands (ring full or process gone)";
        return false;
    }
    const auto deadline = Clock::now() + timeout;
    wire::Msg ev;
    while (Clock::now() < deadline) {
        if (!receive(&ev)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
        }
        if (ev.hdr.type == wire::MsgType::kAck && ev.body.ack.generation == generation) {
            *ack = ev.body.ack;
            return true;
        }
        if (on_event) on_event(ev);
    }
    *error = "no acknowledgement from the dataplane for generation " + std::to_string(generation);
    return false;
}

bool RingClient::ask(const wire::Msg& request, const AnswerTaker& take,
                     std::chrono::milliseconds timeout, std::string* error) {
    if (!send(request)) {
        *error = "the dataplane does not take commands (ring full or process gone)";
        return false;
    }
    const auto deadline = Clock::now() + timeout;
    wire::Msg ev;
    while (Clock::now() < deadline) {
        if (!sadb::ring_get(region_.events(), &ev)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
        }
        bool done = false;
        if (!take(ev, &done) && deferred_.size() < kMaxDeferred) deferred_.push_back(ev);
        if (done) return true;
    }
    *error = "no answer from the dataplane";
    return false;
}

bool RingClient::resync(std::vector<wire::Sa>* sas, uint64_t* generation,
                        const EventHandler& on_event, std::chrono::milliseconds timeout) {
    wire::Msg req{};
    req.hdr = wire::Header{wire::kMagic, wire::kVersion, wire::MsgType::kResyncRequest, 0, 0, 0};
    if (!send(req)) return false;
    const auto deadline = Clock::now() + timeout;
    wire::Msg ev;
    while (Clock::now() < deadline) {
        if (!receive(&ev)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        } else if (ev.hdr.type == wire::MsgType::kStateSa) {
            sas->push_back(ev.body.sa);
        } else if (ev.hdr.type == wire::MsgType::kStateEnd) {
            *generation = ev.body.commit.generation;
            return true;
        } else if (on_event) {
            on_event(ev);
        }
    }
    return false;
}

}  // namespace espgw::control
