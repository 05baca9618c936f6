// espgw-exporter: Prometheus metrics of one espgw instance, read from its stats segment.
//
//   espgw-exporter [--instance NAME] [--listen ADDR:PORT] [--sa-drops nonzero|all] [--print]
//
// Serves GET /metrics (text exposition format 0.0.4) and a small page at /, by default on
// 127.0.0.1:9469. It only reads the segment, so a slow scrape never holds up an lcore; without a
// live dataplane it answers espgw_up 0 and re-opens the segment on a later scrape. --print
// writes one exposition to stdout and exits (scripts, promtool).
#include <signal.h>

#include <csignal>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include <httplib.h>

#include "mgmt/exporter/build_info.h"
#include "mgmt/exporter/metrics.h"
#include "mgmt/exporter/segment_watcher.h"

namespace espgw::mgmt::exporter {
namespace {

constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kIndex =
    "<html><head><title>espgw exporter</title></head><body><h1>espgw exporter</h1>"
    "<p><a href=\"/metrics\">Metrics</a></p></body></html>\n";

struct Options {
    std::string instance = "default";
    std::string host = "127.0.0.1";
    int port = 9469;
    bool print = false;
    MetricsOptions metrics{false, ESPGW_VERSION, ESPGW_REVISION};
};

bool parse_listen(const std::string& v, Options* o) {
    const size_t colon = v.rfind(':');
    if (colon == std::string::npos || colon + 1 == v.size()) return false;
    std::string host = v.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);  // [::1]:9469
    const std::string port = v.substr(colon + 1);
    if (host.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
        port.size() > 5 || std::stoi(port) > 65535)
        return false;
    o->host = host;
    o->port = std::stoi(port);
    return true;
}

bool parse(int argc, char** argv, Options* o, std::string* error) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--instance" && has_value) {
            o->instance = argv[++i];
        } else if (a == "--listen" && has_value) {
            if (!parse_listen(argv[++i], o)) {
                *error = std::string("--listen wants ADDR:PORT, not '") + argv[i] + "'";
                return false;
            }
        } else if (a == "--sa-drops" && has_value) {
            const std::string v = argv[++i];
            if (v != "all" && v != "nonzero") {
                *error = "--sa-drops wants nonzero or all, not '" + v + "'";
                return false;
            }
            o->metrics.sa_drops_all = v == "all";
        } else if (a == "--print") {
            o->print = true;
        } else {
            *error = "unknown option " + a +
                     " (usage: espgw-exporter [--instance NAME] [--listen ADDR:PORT] "
                     "[--sa-drops nonzero|all] [--print])";
            return false;
        }
    }
    return true;
}

// One scrape at a time: the watcher re-opens the segment, and scrapes are cheap (the 10,000-SA
// figures are in bench/results/exporter.md).
class Scraper {
  public:
    explicit Scraper(const Options& o) : options_(o), watcher_(o.instance) {}
    std::string scrape() {
        std::lock_guard<std::mutex> lock(mutex_);
        std::string why;
        const StatsReader* r = watcher_.get(&why);
        if (r == nullptr && why != last_why_)
            std::fprintf(stderr, "espgw-exporter: %s\n", why.c_str());
        last_why_ = why;
        return render_metrics(r, options_.metrics);
    }

  private:
    const Options& options_;
    std::mutex mutex_;
    SegmentWatcher watcher_;
    std::string last_why_;
};

int serve(const Options& o, Scraper& scraper) {
    httplib::Server server;
    server.new_task_queue = [] { return new httplib::ThreadPool(2); };
    server.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
        res.set_content(scraper.scrape(), kContentType);
    });
    server.Get("/", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(kIndex, "text/html; charset=utf-8");
    });
    if (!server.bind_to_port(o.host, o.port)) {
        std::fprintf(stderr, "espgw-exporter: cannot listen on %s:%d\n", o.host.c_str(), o.port);
        return 1;
    }
    std::signal(SIGPIPE, SIG_IGN);  // a scraper that hangs up mid-answer must not end us
    // SIGINT/SIGTERM are blocked in every thread and taken here, outside any handler.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread listener([&server] { server.listen_after_bind(); });
    std::fprintf(stderr, "espgw-exporter: instance %s, http://%s:%d/metrics\n", o.instance.c_str(),
                 o.host.c_str(), o.port);
    int sig = 0;
    sigwait(&set, &sig);
    server.stop();
    listener.join();
    return 0;
}

}  // namespace
}  // namespace espgw::mgmt::exporter

int main(int argc, char** argv) {
    using namespace espgw::mgmt::exporter;
    Options o;
    std::string error;
    if (!parse(argc, argv, &o, &error)) {
        std::fprintf(stderr, "espgw-exporter: %s\n", error.c_str());
        return 2;
    }
    Scraper scraper(o);
    if (!o.print) return serve(o, scraper);
    const std::string text = scraper.scrape();
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
}
