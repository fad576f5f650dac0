#include <gtest/gtest.h>

#include <fstream>

#include "modules/testing/module_harness.h"
#include "re/pattern_set.h"

namespace vigie::mod {
namespace {

using testing::Harness;

const char kReport[] = R"({
 "network": {
  "http": [{"uri": "http://someone.doingevil.com/x", "method": "GET", "user-agent": "Mozilla MSIE 6.0"},
           {"uri": "http://post.example/p", "method": "post"}, 7, {"uri": 3}],
  "domains": [{"domain": "evil.com", "ip": "1.2.3.4"}],
  "hosts": ["192.168.1.1"],
  "tcp": [{"dst": "192.168.1.1", "dport": 443}],
  "udp": [{"dst": "8.8.8.8", "dport": 53}]},
 "behavior": {"summary": {"mutexes": ["xxEvilMutexyy"], "files": ["C:\\autoexec.bat"],
                          "keys": ["HKLM\\Software\\Run"]}}})";

struct Case {
  std::string structure, function, params, regex;
  int64_t port;
  std::string yara_call;  // the same call written in a rule
};

const std::vector<Case>& cases() {
  static const std::vector<Case> kCases = {
      {"sync", "mutex", "r", "EvilMutex", 0, "cuckoo.sync.mutex(/EvilMutex/)"},
      {"sync", "mutex", "r", "^EvilMutex", 0, "cuckoo.sync.mutex(/^EvilMutex/)"},
      {"sync", "mutex", "r", "evilmutex", 0, "cuckoo.sync.mutex(/evilmutex/)"},
      {"network", "http_request", "r", "doingevil", 0, "cuckoo.network.http_request(/doingevil/)"},
      {"network", "http_get", "r", "doingevil", 0, "cuckoo.network.http_get(/doingevil/)"},
      {"network", "http_post", "r", "post\\.example", 0,
       "cuckoo.network.http_post(/post\\.example/)"},
      {"network", "http_post", "r", "doingevil", 0, "cuckoo.network.http_post(/doingevil/)"},
      {"network", "http_user_agent", "r", "MSIE 6\\.0", 0,
       "cuckoo.network.http_user_agent(/MSIE 6\\.0/)"},
      {"network", "dns_lookup", "r", "evil\\.com", 0, "cuckoo.network.dns_lookup(/evil\\.com/)"},
      {"network", "dns_lookup", "r", "good", 0, "cuckoo.network.dns_lookup(/good/)"},
      {"network", "host", "r", "192\\.168", 0, "cuckoo.network.host(/192\\.168/)"},
      {"network", "tcp", "ri", "192\\.168\\.1\\.1", 443,
       "cuckoo.network.tcp(/192\\.168\\.1\\.1/, 443)"},
      {"network", "tcp", "ri", "192\\.168\\.1\\.1", 80,
       "cuckoo.network.tcp(/192\\.168\\.1\\.1/, 80)"},
      {"network", "udp", "ri", "8\\.8", 53, "cuckoo.network.udp(/8\\.8/, 53)"},
      {"filesystem", "file_access", "r", "autoexec\\.bat", 0,
       "cuckoo.filesystem.file_access(/autoexec\\.bat/)"},
      {"registry", "key_access", "r", "Software", 0, "cuckoo.registry.key_access(/Software/)"},
  };
  return kCases;
}

Value run(Harness& h, const Case& c) {
  re::PatternError error;
  auto regex = re::Regex::compile(c.regex, 0, &error);
  if (regex == nullptr) {
    ADD_FAILURE() << c.regex << ": " << error.message;
    return Value::undefined();
  }
  Value r;
  r.tag = Value::Tag::kRegex;
  r.regex = regex.get();
  std::vector<Value> args = {r};
  if (c.params == "ri") args.push_back(Value::integer(c.port));
  return h.call(c.function, c.params, args, h.root().find_field(c.structure));
}

TEST(Cuckoo, MatchesYaraOnAReport) {
  std::string report_path = "/tmp/vigie_cuckoo_report_" + std::to_string(getpid()) + ".json";
  std::ofstream(report_path) << kReport;
  Harness h("cuckoo", {}, std::vector<uint8_t>(kReport, kReport + sizeof kReport - 1));
  ASSERT_NE(h.state(), nullptr);
  std::string rules = "import \"cuckoo\"\n";
  for (size_t k = 0; k < cases().size(); ++k) {
    Value v = run(h, cases()[k]);
    ASSERT_TRUE(v.defined()) << cases()[k].yara_call;
    rules += "rule vigie_case_" + std::to_string(k) + " { condition: " + cases()[k].yara_call +
             " == " + std::to_string(v.i) + " }\n";
  }
  std::string out = testing::run_yara(rules, "/usr/bin/ls", "-x cuckoo=" + report_path);
  for (size_t k = 0; k < cases().size(); ++k) {
    EXPECT_NE(out.find("vigie_case_" + std::to_string(k) + " "), std::string::npos)
        << cases()[k].yara_call;
  }
  std::remove(report_path.c_str());
}

TEST(Cuckoo, NoReportOrABadOneAnswersFalse) {
  for (std::string data : {std::string(), std::string("{not json"), std::string("[1,2]"),
                           std::string("{\"network\": 5, \"behavior\": {\"summary\": []}}")}) {
    Harness h("cuckoo", {}, std::vector<uint8_t>(data.begin(), data.end()));
    for (const Case& c : cases()) {
      Value v = run(h, c);
      ASSERT_TRUE(v.defined());
      EXPECT_EQ(v.i, 0) << data << " " << c.yara_call;
    }
  }
}

TEST(Cuckoo, DumpMatchesYara) {
  Harness h("cuckoo", {});
  EXPECT_EQ(dump_yara_format("cuckoo", h.root()), testing::yara_dump("cuckoo", "/usr/bin/ls"));
}

}  // namespace
}  // namespace vigie::mod
