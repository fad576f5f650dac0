#include "cli/scan_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

namespace vigie::cli {
namespace {

TEST(ScanPool, EveryPathOnceOnBoundedWorkers) {
  std::mutex mu;
  std::multiset<std::string> seen;
  std::atomic<size_t> max_worker{0};
  {
    ScanPool pool(4, [&](size_t worker, const std::string& path) {
      size_t cur = max_worker.load();
      while (worker > cur && !max_worker.compare_exchange_weak(cur, worker)) {
      }
      std::lock_guard lock(mu);
      seen.insert(path);
    });
    for (int i = 0; i < 500; ++i) pool.submit("f" + std::to_string(i));
    pool.finish();
  }
  EXPECT_EQ(seen.size(), 500u);
  for (int i = 0; i < 500; ++i) EXPECT_EQ(seen.count("f" + std::to_string(i)), 1u);
  EXPECT_LT(max_worker.load(), 4u);
}

TEST(ScanPool, DestructorFinishesQueuedWork) {
  std::atomic<int> done{0};
  {
    ScanPool pool(2, [&](size_t, const std::string&) { ++done; });
    for (int i = 0; i < 50; ++i) pool.submit("x");
  }
  EXPECT_EQ(done.load(), 50);
}

}  // namespace
}  // namespace vigie::cli
