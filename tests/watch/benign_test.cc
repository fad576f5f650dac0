// vigie watch must not stop honest work: each workload runs under watch (kill mode) and must
// finish normally with no alert, and earn no evidence at all (evidence suspends the leases,
// and adds up with whatever the same shell does next).
#include "benign.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "harness.h"

namespace vigie::watch::testing {
namespace {

class BenignTest : public ::testing::TestWithParam<Benign> {};

TEST_P(BenignTest, NotStopped) {
  if (geteuid() != 0) GTEST_SKIP() << "vigie watch needs root (fanotify)";
  const Benign& b = GetParam();
  for (const std::string& t : b.tools)
    if (!HaveTool(t)) GTEST_SKIP() << t << " is not installed";
  std::string base = MakeTempDir("vigie-benign");
  struct Cleanup {
    std::string dir;
    ~Cleanup() { RemoveTree(dir); }
  } cleanup{base};
  std::string tree = base + "/tree";
  SetUpBenign(b, tree);
  {
    Watcher w;
    std::string err;
    ASSERT_TRUE(w.Start({tree}, {"--decoys", "--verbose"}, &err)) << err;
    Workload job;
    ASSERT_TRUE(job.Start({"/bin/sh", "-c", b.script}, base + "/out.log", tree));
    ASSERT_TRUE(job.Wait(120)) << "timed out";
    EXPECT_TRUE(job.exited()) << "signal " << job.signal() << "\n" << w.Stderr();
    EXPECT_EQ(job.code(), 0) << job.Output();
    for (const auto& e : w.Events()) {
      EXPECT_NE(e.value("event", ""), "alert") << e.dump() << "\n" << w.Stderr();
      EXPECT_NE(e.value("event", ""), "evidence") << e.dump();
    }
    EXPECT_EQ(w.Stop(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Workloads, BenignTest, ::testing::ValuesIn(BenignWorkloads()),
                         [](const ::testing::TestParamInfo<Benign>& i) {
                           std::string n = i.param.name;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace vigie::watch::testing
