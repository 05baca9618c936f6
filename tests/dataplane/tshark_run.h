// tshark as the independent reader of the pcapng files the dataplane writes (capture tests).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace espgw::test_util {

// Runs tshark; returns its standard output, `ok` false on a non-zero exit or any complaint.
inline std::string tshark(const std::string& args, bool* ok) {
    const std::string err_path = "/tmp/espgw-capture-tshark-" + std::to_string(getpid()) + ".err";
    const std::string cmd = "tshark " + args + " 2>" + err_path;
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    while (p != nullptr && fgets(buf, sizeof buf, p) != nullptr)
        out += buf;
    const int rc = p != nullptr ? pclose(p) : -1;
    std::ifstream err(err_path);
    std::stringstream e;
    e << err.rdbuf();
    // tshark warns about running as root on stderr; anything else is a complaint.
    std::string complaints;
    for (std::string line; std::getline(e, line);)
        if (line.find("Running as user") == std::string::npos) complaints += line + "\n";
    unlink(err_path.c_str());
    *ok = rc == 0 && complaints.empty();
    if (!*ok) ADD_FAILURE() << cmd << " -> " << rc << ": " << complaints;
    return out;
}

inline std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);)
        out.push_back(l);
    return out;
}

}  // namespace espgw::test_util
