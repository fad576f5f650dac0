#include <gtest/gtest.h>

#include <thread>

#include "modules/testing/module_harness.h"

namespace vigie::mod {
namespace {

using testing::Harness;

TEST(Magic, TypeAndMimeTypeMatchYara) {
  const std::string self = std::string(VIGIE_SOURCE_DIR) + "/CMakeLists.txt";
  for (const std::string& file :
       {std::string("/usr/bin/ls"), self, std::string("/usr/lib/x86_64-linux-gnu/libmagic.so.1")}) {
    Harness h("magic", testing::read_file(file));
    if (h.data().empty()) continue;
    testing::YaraBatch b("import \"magic\"", file);
    Value type = h.call("type", "", {});
    Value mime = h.call("mime_type", "", {});
    ASSERT_TRUE(type.defined()) << file;
    ASSERT_TRUE(mime.defined()) << file;
    b.expect("magic.type()", type);
    b.expect("magic.mime_type()", mime);
    b.check();
    // Cached: a second call gives the same text.
    EXPECT_EQ(h.call("type", "", {}).s, type.s);
  }
}

TEST(Magic, WorksFromSeveralThreads) {
  std::vector<uint8_t> pdf = {'%', 'P', 'D', 'F', '-', '1', '.', '4', '\n'};
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      Harness h("magic", pdf);
      results[k] = h.call("mime_type", "", {}).s;
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& r : results) EXPECT_EQ(r, "application/pdf");
}

}  // namespace
}  // namespace vigie::mod
