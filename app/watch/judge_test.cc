#include "watch/judge.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "watch/doc_forge.h"

namespace vigie::watch {
namespace {

std::string TempFile(const std::string& content) {
  char path[] = "/tmp/vigie-judge-test-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, content.data(), content.size()), ssize_t(content.size()));
  close(fd);
  return path;
}

TEST(Judge, ComparesOffTheCallersThread) {
  std::string doc = ForgeText(7, 40000);
  std::string random(doc.size(), '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(random.data()), int(random.size()));
  std::string encrypted = TempFile(random), edited = TempFile(doc + "one more line\n");
  std::string object = TempFile(doc);
  Judge judge;
  // The copy in memory, then the copy as a store file.
  judge.Submit({1, "/t/a.txt", open(encrypted.c_str(), O_RDONLY | O_CLOEXEC),
                std::make_shared<const std::string>(doc), ""});
  judge.Submit({2, "/t/b.txt", open(edited.c_str(), O_RDONLY | O_CLOEXEC), nullptr, object});
  // A copy the store dropped meanwhile: no verdict.
  judge.Submit(
      {3, "/t/c.txt", open(edited.c_str(), O_RDONLY | O_CLOEXEC), nullptr, object + ".gone"});
  judge.WaitIdle();
  std::vector<Judge::Result> results = judge.Take();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].actor, 1u);
  EXPECT_TRUE(results[0].ok);
  EXPECT_TRUE(results[0].verdict.destroyed);
  EXPECT_EQ(results[1].path, "/t/b.txt");
  EXPECT_TRUE(results[1].ok);
  EXPECT_FALSE(results[1].verdict.destroyed);
  EXPECT_FALSE(results[2].ok);
  EXPECT_TRUE(judge.Take().empty());
  for (const std::string& p : {encrypted, edited, object}) unlink(p.c_str());
}

TEST(Judge, PendingDescriptorsAreClosedAtTheEnd) {
  std::string file = TempFile("x");
  int fd = -1;
  {
    Judge judge;
    fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
    judge.Submit({1, "/t/x", fd, std::make_shared<const std::string>("x"), ""});
  }
  EXPECT_EQ(fcntl(fd, F_GETFD), -1);  // judged or dropped: closed either way
  unlink(file.c_str());
}

}  // namespace
}  // namespace vigie::watch
