#include "watch/store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "watch/doc_forge.h"

namespace vigie::watch {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vigie-store-test-XXXXXX";
    root_ = mkdtemp(tmpl);
    fs::create_directories(root_ + "/tree");
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string Read(const std::string& p) {
    std::string out;
    FILE* f = fopen(p.c_str(), "rb");
    if (!f) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    fclose(f);
    return out;
  }
  // Writes `content` to `path` and opens it read-only, with its stat.
  int OpenNew(const std::string& path, const std::string& content, struct stat* st) {
    int fd = WriteFile(path, content) ? open(path.c_str(), O_RDONLY) : -1;
    if (fd < 0 || fstat(fd, st) != 0) ADD_FAILURE() << "cannot create " << path;
    return fd;
  }
  std::string root_;
  std::vector<std::string> log_;
  Store::Logger logger_ = [this](const std::string& m) { log_.push_back(m); };
};

TEST_F(StoreTest, CopyRestoresOriginalAfterOverwrite) {
  Store s(root_ + "/store", 1 << 20, logger_);
  std::string err, msg;
  ASSERT_TRUE(s.Init(&err)) << err;
  std::string path = root_ + "/tree/a.txt", orig = ForgeText(1, 5000);
  ASSERT_TRUE(WriteFile(path, orig));
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_EQ(s.Keep(7, fd, path, true, &msg), Store::Result::kKept);
  EXPECT_EQ(s.Keep(7, fd, path, true, &msg), Store::Result::kAlready);
  close(fd);
  ASSERT_TRUE(WriteFile(path, "garbage"));
  auto entries = s.EntriesOf(7);
  ASSERT_EQ(entries.size(), 1u);
  ASSERT_TRUE(Store::Restore(*entries[0], path, &err)) << err;
  EXPECT_EQ(Read(path), orig);
  EXPECT_EQ(s.used(), orig.size());
  s.Drop(7);
  EXPECT_EQ(s.used(), 0u);
  EXPECT_EQ(s.size(), 0u);
}

// A copy taken before its owner was known goes to the owner once named; a held descriptor of
// the owner gives way to it (keeping the path first seen), a copy does not.
TEST_F(StoreTest, ReassignGivesACopyToItsOwner) {
  Store s(root_ + "/store", 1 << 20, logger_);
  std::string err, msg;
  ASSERT_TRUE(s.Init(&err)) << err;
  std::string path = root_ + "/tree/r.txt", orig = ForgeText(3, 4000);
  struct stat st;
  int fd = OpenNew(path, orig, &st);
  EXPECT_FALSE(s.Reassign(0, 5, st.st_dev, st.st_ino));  // nothing to give
  EXPECT_FALSE(s.Has(0));
  ASSERT_EQ(s.Keep(0, fd, path, true, &msg), Store::Result::kKept);
  EXPECT_TRUE(s.Has(0));
  EXPECT_FALSE(s.Has(5));
  std::string seen = root_ + "/tree/seen-here.txt";
  ASSERT_EQ(s.Keep(5, fd, seen, false, &msg), Store::Result::kKept);  // held by actor 5
  EXPECT_TRUE(s.Reassign(0, 5, st.st_dev, st.st_ino));
  EXPECT_EQ(s.Find(0, st.st_dev, st.st_ino), nullptr);
  const StoreEntry* e = s.Find(5, st.st_dev, st.st_ino);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->copy);
  EXPECT_EQ(e->path, seen);
  EXPECT_EQ(s.held(), 0u);
  EXPECT_EQ(s.size(), 1u);
  // A second unattributed copy does not replace the owner's copy.
  ASSERT_EQ(s.Keep(0, fd, path, true, &msg), Store::Result::kKept);
  EXPECT_FALSE(s.Reassign(0, 5, st.st_dev, st.st_ino));
  EXPECT_NE(s.Find(0, st.st_dev, st.st_ino), nullptr);
  close(fd);
  ASSERT_TRUE(WriteFile(path, "garbage"));
  ASSERT_TRUE(Store::Restore(*s.Find(5, st.st_dev, st.st_ino), path, &err)) << err;
  EXPECT_EQ(Read(path), orig);
}

// Once a copied file is gone, its inode number may be given to a new file. The copy must not be
// taken for the new file's (it would be compared with it, and spare the new file its own copy),
// and it must still be restored. Here the new file is another file given the old inode number.
TEST_F(StoreTest, ACopyIsNotTakenForANewFileWithItsInodeNumber) {
  {
    // File handles tell the files apart; a file system without them (an overlay) cannot.
    alignas(file_handle) char buf[sizeof(file_handle) + MAX_HANDLE_SZ];
    auto* fh = reinterpret_cast<file_handle*>(buf);
    fh->handle_bytes = MAX_HANDLE_SZ;
    int mount_id;
    if (name_to_handle_at(AT_FDCWD, root_.c_str(), fh, &mount_id, 0) != 0)
      GTEST_SKIP() << root_ << " has no file handles";
  }
  Store s(root_ + "/store", 1 << 20, logger_);
  s.set_memory_budget(1 << 20);
  std::string err, msg;
  ASSERT_TRUE(s.Init(&err)) << err;
  struct stat old_st, new_st;
  std::string old_path = root_ + "/tree/old.txt", new_path = root_ + "/tree/new.txt";
  int old_fd = OpenNew(old_path, ForgeText(1, 3000), &old_st);
  int new_fd = OpenNew(new_path, ForgeText(2, 4000), &new_st);
  ASSERT_EQ(s.Keep(7, old_fd, old_st, old_path, true, &msg), Store::Result::kKept);
  // The new file as the monitor would see it after the reuse: the old inode number.
  struct stat reused = new_st;
  reused.st_ino = old_st.st_ino;
  EXPECT_NE(s.FindFile(7, old_fd, old_st), nullptr);
  bool stale = false;
  EXPECT_EQ(s.FindFile(7, new_fd, reused, &stale), nullptr);
  EXPECT_TRUE(stale);
  EXPECT_EQ(s.Find(7, old_st.st_dev, old_st.st_ino), nullptr);
  // The new file gets a copy of its own, found by number from now on.
  ASSERT_EQ(s.Keep(7, new_fd, reused, new_path, true, &msg), Store::Result::kKept);
  const StoreEntry* e = s.FindFile(7, new_fd, reused);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, new_path);
  // Both are restored with the actor's entries.
  EXPECT_EQ(s.EntriesOf(7).size(), 2u);
  // A copy taken at a lease break (unattributed) goes to its writer past the stale copy.
  Store t(root_ + "/store2", 1 << 20, logger_);
  t.set_memory_budget(1 << 20);
  ASSERT_TRUE(t.Init(&err)) << err;
  ASSERT_EQ(t.Keep(7, old_fd, old_st, old_path, true, &msg), Store::Result::kKept);
  ASSERT_EQ(t.Keep(0, new_fd, reused, new_path, true, &msg), Store::Result::kKept);
  EXPECT_TRUE(t.Reassign(0, 7, old_st.st_dev, old_st.st_ino));
  e = t.FindFile(7, new_fd, reused);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, new_path);
  EXPECT_EQ(t.EntriesOf(7).size(), 2u);
  // Given the file, only a copy of it moves: an unattributed copy of an earlier file with the
  // inode number does not displace the actor's copy of the file now there.
  // Given the file, only a copy of that very file moves, and a copy of an earlier file on the
  // receiving side gives way.
  struct stat old_as_new = old_st;  // the earlier file, seen under the inode number now used
  old_as_new.st_ino = new_st.st_ino;
  Store u(root_ + "/store3", 1 << 20, logger_);
  u.set_memory_budget(1 << 20);
  ASSERT_TRUE(u.Init(&err)) << err;
  ASSERT_EQ(u.Keep(0, old_fd, old_as_new, old_path, true, &msg), Store::Result::kKept);
  EXPECT_FALSE(u.Reassign(0, 7, new_fd, new_st));
  EXPECT_TRUE(u.EntriesOf(7).empty());
  Store v(root_ + "/store4", 1 << 20, logger_);
  v.set_memory_budget(1 << 20);
  ASSERT_TRUE(v.Init(&err)) << err;
  ASSERT_EQ(v.Keep(7, old_fd, old_as_new, old_path, true, &msg), Store::Result::kKept);
  ASSERT_EQ(v.Keep(0, new_fd, new_st, new_path, true, &msg), Store::Result::kKept);
  EXPECT_TRUE(v.Reassign(0, 7, new_fd, new_st));
  e = v.FindFile(7, new_fd, new_st);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, new_path);
  close(old_fd);
  close(new_fd);
}

// A held file turned into a copy keeps its entry id (what a reader of its content holds).
TEST_F(StoreTest, AHeldFileCopiedKeepsItsId) {
  Store s(root_ + "/store", 1 << 20, logger_);
  s.set_memory_budget(1 << 20);
  std::string err, msg;
  ASSERT_TRUE(s.Init(&err)) << err;
  struct stat st;
  std::string path = root_ + "/tree/a.txt";
  int fd = OpenNew(path, ForgeText(3, 2000), &st);
  bool adopted = false;
  ASSERT_EQ(s.Hold(7, fd, st, path, &adopted, &msg), Store::Result::kKept);
  int other = open(path.c_str(), O_RDONLY);
  ASSERT_GE(other, 0);
  const StoreEntry* held = s.Find(7, st.st_dev, st.st_ino);
  ASSERT_NE(held, nullptr);
  uint64_t id = held->id;
  EXPECT_FALSE(held->copy);
  ASSERT_EQ(s.Keep(7, other, st, path, true, &msg), Store::Result::kKept);
  const StoreEntry* copy = s.ById(id);
  ASSERT_NE(copy, nullptr);
  EXPECT_TRUE(copy->copy);
  EXPECT_EQ(s.EntriesOf(7).size(), 1u);
  close(other);
  if (!adopted) close(fd);
}

// A copy shared by several writers: each gets its own, from memory or from the store directory,
// and keeps it when the original entry goes.
TEST_F(StoreTest, ACopySharedGivesEachActorItsOwn) {
  for (uint64_t memory : {uint64_t(1) << 20, uint64_t(0)}) {
    std::string tag = std::to_string(memory);
    Store s(root_ + "/store" + tag, 1 << 20, logger_);
    s.set_memory_budget(memory);
    std::string err, msg;
    ASSERT_TRUE(s.Init(&err)) << err;
    struct stat st;
    std::string path = root_ + "/tree/shared.txt", orig = ForgeText(5, 3000);
    int fd = OpenNew(path, orig, &st);
    ASSERT_EQ(s.Keep(0, fd, st, path, true, &msg), Store::Result::kKept) << msg;
    uint64_t id = s.Find(0, st.st_dev, st.st_ino)->id;
    // A held descriptor of the second actor gives way to the copy.
    bool adopted = false;
    int again = open(path.c_str(), O_RDONLY);
    ASSERT_EQ(s.Hold(9, again, st, path, &adopted, &msg), Store::Result::kKept);
    if (!adopted) close(again);
    ASSERT_TRUE(WriteFile(path, "overwritten"));
    EXPECT_TRUE(s.Share(id, 7, fd, st));
    EXPECT_TRUE(s.Share(id, 9, fd, st));
    EXPECT_FALSE(s.Share(id, 7, fd, st));  // has one already
    s.DropEntry(id, 0);
    EXPECT_EQ(s.ById(id), nullptr);
    for (uint64_t actor : {7, 9}) {
      const StoreEntry* e = s.Find(actor, st.st_dev, st.st_ino);
      ASSERT_NE(e, nullptr);
      ASSERT_TRUE(e->copy);
      EXPECT_EQ(e->in_memory, memory > 0);
      std::string back = root_ + "/restored-" + tag + "-" + std::to_string(actor);
      ASSERT_TRUE(Store::Restore(*e, back, &err)) << err;
      EXPECT_EQ(Read(back), orig);
    }
    // Past the budget: no share.
    Store small(root_ + "/store-small" + tag, 4000, logger_);
    ASSERT_TRUE(small.Init(&err));
    ASSERT_TRUE(WriteFile(path, orig));
    int fd2 = OpenNew(path, orig, &st);
    ASSERT_EQ(small.Keep(0, fd2, st, path, true, &msg), Store::Result::kKept) << msg;
    EXPECT_FALSE(small.Share(small.Find(0, st.st_dev, st.st_ino)->id, 7, fd2, st));
    close(fd2);
    close(fd);
  }
}

TEST_F(StoreTest, HeldFileSurvivesDeletion) {
  Store s(root_ + "/store", 1 << 20, logger_);
  std::string err, msg;
  ASSERT_TRUE(s.Init(&err));
  std::string path = root_ + "/tree/b.pdf", orig = ForgePdf(2);
  struct stat st;
  int fd = OpenNew(path, orig, &st);
  ASSERT_EQ(s.Keep(1, fd, path, false, &msg), Store::Result::kKept);
  close(fd);
  EXPECT_EQ(s.held(), 1u);
  ASSERT_EQ(unlink(path.c_str()), 0);
  EXPECT_TRUE(s.Orphaned(1, st.st_dev, st.st_ino));
  EXPECT_EQ(s.used(), orig.size());  // deleted, its blocks live through the store
  ASSERT_EQ(s.Secure(1, st.st_dev, st.st_ino, &msg), Store::Result::kKept) << msg;
  EXPECT_EQ(s.used(), orig.size());
  EXPECT_EQ(s.held(), 0u);
  const StoreEntry* e = s.Find(1, st.st_dev, st.st_ino);
  ASSERT_NE(e, nullptr);
  ASSERT_TRUE(Store::Restore(*e, path, &err));
  EXPECT_EQ(Read(path), orig);
}

TEST_F(StoreTest, HoldAdoptsTheDescriptorOnce) {
  Store s(root_ + "/store", 1 << 20, logger_);
  std::string err, msg;
  ASSERT_TRUE(s.Init(&err));
  std::string path = root_ + "/tree/c.pdf", orig = ForgePdf(3);
  struct stat st;
  int fd = OpenNew(path, orig, &st);
  bool adopted = false;
  ASSERT_EQ(s.Hold(1, fd, st, path, &adopted, &msg), Store::Result::kKept);
  EXPECT_TRUE(adopted);
  const StoreEntry* e = s.Find(1, st.st_dev, st.st_ino);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->held_fd, fd);  // no duplicate: the store owns this descriptor now
  // Held already: the second descriptor stays the caller's.
  int again = open(path.c_str(), O_RDONLY);
  ASSERT_EQ(s.Hold(1, again, st, path, &adopted, &msg), Store::Result::kAlready);
  EXPECT_FALSE(adopted);
  EXPECT_NE(fcntl(again, F_GETFD), -1);  // still open
  close(again);
  ASSERT_EQ(unlink(path.c_str()), 0);
  EXPECT_TRUE(s.Orphaned(1, st.st_dev, st.st_ino));
  ASSERT_EQ(s.Secure(1, st.st_dev, st.st_ino, &msg), Store::Result::kKept) << msg;
  e = s.Find(1, st.st_dev, st.st_ino);
  ASSERT_NE(e, nullptr);
  ASSERT_TRUE(Store::Restore(*e, path, &err));
  EXPECT_EQ(Read(path), orig);
  s.Drop(1);
  EXPECT_EQ(fcntl(fd, F_GETFD), -1);  // released with the entry
}

TEST_F(StoreTest, SmallCopiesInMemory) {
  Store s(root_ + "/store", 1 << 20, logger_);
  std::string err, msg;
  ASSERT_TRUE(s.Init(&err));
  s.set_memory_budget(100000);
  std::string small = root_ + "/tree/s.pdf", orig = ForgePdf(4);
  ASSERT_LT(orig.size(), 100000u);
  ASSERT_TRUE(WriteFile(small, orig));
  int fd = open(small.c_str(), O_RDONLY);
  struct stat st;
  ASSERT_EQ(fstat(fd, &st), 0);
  ASSERT_EQ(s.Keep(1, fd, small, true, &msg), Store::Result::kKept) << msg;
  close(fd);
  const StoreEntry* e = s.Find(1, st.st_dev, st.st_ino);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->in_memory);
  EXPECT_EQ(e->data, orig);
  EXPECT_EQ(s.memory_used(), orig.size());
  EXPECT_EQ(s.used(), orig.size());  // counted in the budget too
  EXPECT_TRUE(fs::is_empty(root_ + "/store"));
  Sample sample;
  ASSERT_TRUE(Store::SampleOf(*e, &sample));
  EXPECT_EQ(sample.size, orig.size());
  EXPECT_EQ(sample.head, orig.substr(0, kHeadBytes));
  ASSERT_TRUE(WriteFile(small, "encrypted"));
  ASSERT_TRUE(Store::Restore(*e, small, &err)) << err;
  EXPECT_EQ(Read(small), orig);
  // Past the memory budget, copies go to the directory.
  std::string big = root_ + "/tree/b.bin";
  ASSERT_TRUE(WriteFile(big, std::string(150000, 'b')));
  fd = open(big.c_str(), O_RDONLY);
  ASSERT_EQ(fstat(fd, &st), 0);
  ASSERT_EQ(s.Keep(2, fd, big, true, &msg), Store::Result::kKept) << msg;
  close(fd);
  e = s.Find(2, st.st_dev, st.st_ino);
  ASSERT_NE(e, nullptr);
  EXPECT_FALSE(e->in_memory);
  EXPECT_FALSE(fs::is_empty(root_ + "/store"));
  s.Drop(1);
  s.Drop(2);
  EXPECT_EQ(s.memory_used(), 0u);
  EXPECT_EQ(s.used(), 0u);
}

TEST_F(StoreTest, RestoreRecreatesARemovedDirectory) {
  Store s(root_ + "/store", 1 << 20, logger_);
  std::string err, msg;
  ASSERT_TRUE(s.Init(&err));
  fs::create_directories(root_ + "/tree/x/y");
  std::string path = root_ + "/tree/x/y/d.txt", orig = ForgeText(9, 3000);
  ASSERT_TRUE(WriteFile(path, orig));
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_EQ(s.Keep(1, fd, path, true, &msg), Store::Result::kKept);
  close(fd);
  fs::remove_all(root_ + "/tree/x");
  auto entries = s.EntriesOf(1);
  ASSERT_EQ(entries.size(), 1u);
  ASSERT_TRUE(Store::Restore(*entries[0], path, &err)) << err;
  EXPECT_EQ(Read(path), orig);
}

TEST_F(StoreTest, HeldDeletedFilesOverTheBudgetCanBeReleased) {
  Store s(root_ + "/store", 4000, logger_);
  std::string err, msg;
  ASSERT_TRUE(s.Init(&err));
  std::string path = root_ + "/tree/old-backup.tar";
  ASSERT_TRUE(WriteFile(path, std::string(10000, 'b')));
  int fd = open(path.c_str(), O_RDONLY);
  struct stat st;
  fstat(fd, &st);
  ASSERT_EQ(s.Keep(3, fd, path, false, &msg), Store::Result::kKept);
  close(fd);
  ASSERT_EQ(unlink(path.c_str()), 0);
  EXPECT_FALSE(s.Orphaned(3, st.st_dev, st.st_ino));
  s.DropOrphans(3);
  EXPECT_EQ(s.used(), 0u);
  EXPECT_EQ(s.held(), 0u);
  EXPECT_EQ(s.Find(3, st.st_dev, st.st_ino), nullptr);
}

TEST_F(StoreTest, BudgetIsEnforced) {
  Store s(root_ + "/store", 6000, logger_);
  std::string err, msg;
  ASSERT_TRUE(s.Init(&err));
  for (int i = 0; i < 3; ++i) {
    std::string path = root_ + "/tree/f" + std::to_string(i);
    ASSERT_TRUE(WriteFile(path, std::string(2500, 'x')));
    int fd = open(path.c_str(), O_RDONLY);
    Store::Result r = s.Keep(1, fd, path, true, &msg);
    close(fd);
    EXPECT_EQ(r, i < 2 ? Store::Result::kKept : Store::Result::kBudget) << i;
  }
  EXPECT_NE(msg.find("budget"), std::string::npos);
}

TEST_F(StoreTest, FilesOverTheCopyLimitAreOnlyCloned) {
  Store s(root_ + "/store", 1 << 20, logger_);
  s.set_max_copy(1000);
  std::string err, msg;
  ASSERT_TRUE(s.Init(&err));
  std::string path = root_ + "/tree/big";
  ASSERT_TRUE(WriteFile(path, std::string(5000, 'x')));
  int fd = open(path.c_str(), O_RDONLY);
  Store::Result r = s.Keep(1, fd, path, true, &msg);
  // Where the file system clones (btrfs, xfs), the copy is instant and allowed.
  if (r != Store::Result::kKept) {
    EXPECT_EQ(r, Store::Result::kBudget);
    EXPECT_NE(msg.find("over the copy limit"), std::string::npos) << msg;
  }
  // A held descriptor is not a copy: no limit.
  EXPECT_EQ(s.Keep(2, fd, path, false, &msg), Store::Result::kKept);
  close(fd);
}

TEST_F(StoreTest, LostStoreDirectoryIsRecreatedAndReported) {
  Store s(root_ + "/store", 1 << 20, logger_);
  std::string err, msg;
  ASSERT_TRUE(s.Init(&err));
  std::string path = root_ + "/tree/c.txt";
  ASSERT_TRUE(WriteFile(path, ForgeText(3, 3000)));
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_EQ(s.Keep(1, fd, path, true, &msg), Store::Result::kKept);
  fs::remove_all(root_ + "/store");
  ASSERT_EQ(s.Keep(2, fd, path, true, &msg), Store::Result::kKept);
  close(fd);
  ASSERT_FALSE(log_.empty());
  EXPECT_NE(log_[0].find("was removed (1 copies lost)"), std::string::npos) << log_[0];
  EXPECT_EQ(s.EntriesOf(1).size(), 0u);
  EXPECT_EQ(s.EntriesOf(2).size(), 1u);
}

}  // namespace
}  // namespace vigie::watch
