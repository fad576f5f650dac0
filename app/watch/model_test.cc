#include "watch/model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "watch/doc_forge.h"

namespace vigie::watch {
namespace {

Sample Of(const std::string& bytes) {
  Sample s;
  s.size = bytes.size();
  s.head = bytes.substr(0, kHeadBytes);
  return s;
}

// Bytes like a cipher's output, the same in every run of the same tests: drawn at random, now
// and then the first bytes read as the header of a gpg packet or a compressor's stream
// (output, not a destroyed copy), and a test failed once in some hundred runs.
std::string Random(size_t n) {
  static uint64_t seed = 0x9e3779b97f4a7c15;
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    // splitmix64
    uint64_t z = (seed += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    z ^= z >> 31;
    memcpy(s.data() + i, &z, std::min<size_t>(8, n - i));
  }
  return s;
}

ProcInfo Proc(pid_t pid, pid_t ppid, pid_t pgid) {
  ProcInfo p;
  p.pid = p.tid = pid;
  p.ppid = ppid;
  p.pgid = pgid;
  p.sid = pgid;
  p.start_time = 1000 + uint64_t(pid);
  return p;
}

TEST(Model, WorkersOfOneGroupOrParentShareAnActor) {
  Model m;
  Actor& a = m.ActorFor(Proc(100, 1, 100));
  EXPECT_EQ(m.ActorFor(Proc(101, 100, 100)).id, a.id);  // same group
  ProcInfo worker = Proc(102, 100, 102);                // new session (setsid), known parent
  EXPECT_EQ(m.ActorFor(worker).id, a.id);
  ProcInfo job = Proc(103, 100, 103);  // new process group only: a shell's job
  job.sid = 100;
  EXPECT_NE(m.ActorFor(job).id, a.id);
  EXPECT_NE(m.ActorFor(Proc(200, 1, 200)).id, a.id);
}

TEST(Model, ThreeEncryptedFilesConvict) {
  Model m(3.0);
  Actor& a = m.ActorFor(Proc(100, 1, 100));
  std::string doc = ForgeText(1, 20000);
  EXPECT_FALSE(m.Rewritten(a, "/t/1.txt", Of(doc), Of(Random(20016))));
  EXPECT_FALSE(m.Rewritten(a, "/t/2.txt", Of(doc), Of(Random(20016))));
  EXPECT_TRUE(m.Rewritten(a, "/t/3.txt", Of(doc), Of(Random(20016))));
  EXPECT_TRUE(a.convicted);
  EXPECT_FALSE(m.Rewritten(a, "/t/4.txt", Of(doc), Of(Random(20016))));  // only once
}

TEST(Model, CopyThenDeletePairsInEitherOrder) {
  Model m(2.0);
  Actor& a = m.ActorFor(Proc(100, 1, 100));
  std::string doc = ForgePdf(2);
  EXPECT_FALSE(m.NewFile(a, "/t/a.pdf.enc", Of(Random(doc.size() + 32))));
  Sample before = Of(doc);
  EXPECT_FALSE(m.Deleted(a, "/t/a.pdf", &before));
  EXPECT_DOUBLE_EQ(a.score, 1.0);
  EXPECT_FALSE(m.Deleted(a, "/t/b.pdf", &before));
  EXPECT_TRUE(m.NewFile(a, "/t/b.pdf.enc", Of(Random(doc.size() + 32))));
}

TEST(Model, DeletedContentIsReadOnlyWhenACopyCouldPair) {
  Model m(3.0);
  Actor& a = m.ActorFor(Proc(100, 1, 100));
  std::string doc = ForgePdf(3);
  int reads = 0;
  DeletedContent c{doc.size(), [&](Sample* s) {
                     reads++;
                     *s = Of(doc);
                     return true;
                   }};
  EXPECT_FALSE(m.Deleted(a, "/t/a.pdf", &c));
  EXPECT_FALSE(m.NewFile(a, "/u/a.pdf.enc", Of(Random(doc.size()))));         // another directory
  EXPECT_FALSE(m.NewFile(a, "/t/big.enc", Of(Random(doc.size() + 200000))));  // another size
  EXPECT_EQ(reads, 0);
  EXPECT_FALSE(m.NewFile(a, "/t/a.pdf.enc", Of(Random(doc.size() + 16))));
  EXPECT_EQ(reads, 1);
  EXPECT_DOUBLE_EQ(a.score, 1.0);
  // A content that can no longer be read pairs with nothing.
  DeletedContent gone{doc.size(), [&](Sample*) {
                        reads++;
                        return false;
                      }};
  EXPECT_FALSE(m.Deleted(a, "/t/b.pdf", &gone));
  EXPECT_FALSE(m.NewFile(a, "/t/b.pdf.enc", Of(Random(doc.size() + 16))));
  EXPECT_EQ(reads, 2);
  EXPECT_DOUBLE_EQ(a.score, 1.0);
  // Deleted after its copy appeared: read at once.
  EXPECT_FALSE(m.NewFile(a, "/t/c.pdf.enc", Of(Random(doc.size() + 16))));
  DeletedContent c2 = c;
  EXPECT_FALSE(m.Deleted(a, "/t/c.pdf", &c2));
  EXPECT_EQ(reads, 3);
  EXPECT_DOUBLE_EQ(a.score, 2.0);
}

TEST(Model, GzipThenDeleteIsHonest) {
  Model m;
  Actor& a = m.ActorFor(Proc(100, 1, 100));
  for (int i = 0; i < 50; ++i) {
    std::string log = ForgeText(uint64_t(i), 30000);
    std::string path = "/var/log/app" + std::to_string(i) + ".log";
    m.NewFile(a, path + ".gz", Of(std::string("\x1f\x8b\x08\x00", 4) + Random(6000)));
    Sample before = Of(log);
    m.Deleted(a, path, &before);
    m.Renamed(a, path + ".1", path + ".2");
  }
  EXPECT_DOUBLE_EQ(a.score, 0.0);
}

TEST(Model, RenamesToOneNewExtensionAloneDoNotConvict) {
  Model m;
  Actor& a = m.ActorFor(Proc(100, 1, 100));
  for (int i = 0; i < 100; ++i)
    EXPECT_FALSE(m.Renamed(a, "/t/f" + std::to_string(i) + ".doc",
                           "/t/f" + std::to_string(i) + ".doc.crypt"));
  EXPECT_DOUBLE_EQ(a.score, 2.0);
}

// Leaves `text` as `name` in each of `dirs`; the verdict of the last.
bool LeaveIn(Model& m, Actor& a, std::initializer_list<const char*> dirs, const char* name,
             const std::string& text) {
  bool convicted = false;
  for (const char* d : dirs) convicted = m.NewFile(a, d + std::string(name), Of(text));
  return convicted;
}

TEST(Model, RansomNotesInManyDirectories) {
  Model m;
  Actor& a = m.ActorFor(Proc(100, 1, 100));
  std::string note =
      "Your files are encrypted. For the decryption key, send 0.5 BTC to the wallet below and "
      "write to us on our .onion site.\n";
  LeaveIn(m, a, {"/t/a/", "/t/b/"}, "README.txt", note);
  EXPECT_DOUBLE_EQ(a.score, 0.0);
  m.NewFile(a, "/t/c/README.txt", Of(note));
  EXPECT_DOUBLE_EQ(a.score, 2.0);
}

TEST(Model, IdenticalFilesInManyDirectoriesCountWithADestroyedFile) {
  Model m;
  Actor& a = m.ActorFor(Proc(100, 1, 100));
  // A git hook sample, as each clone of a repository writes it.
  std::string note =
      "#!/bin/sh\n# An example hook script to verify what is about to be committed.\n";
  LeaveIn(m, a, {"/t/a/", "/t/b/", "/t/c/"}, ".git/hooks/pre-commit.sample", note);
  // Counted with the first destroyed file, not before.
  EXPECT_DOUBLE_EQ(a.score, 0.0);
  std::string doc = ForgeText(1, 20000);
  EXPECT_TRUE(m.Rewritten(a, "/t/a/1.txt", Of(doc), Of(Random(20016))));
  EXPECT_DOUBLE_EQ(a.score, 3.0);
  // Once something was destroyed, notes count at once.
  Actor& b = m.ActorFor(Proc(200, 1, 200));
  EXPECT_FALSE(m.Rewritten(b, "/t/b/1.txt", Of(doc), Of(Random(20016))));
  EXPECT_TRUE(LeaveIn(m, b, {"/t/a/", "/t/b/", "/t/c/"}, "NOTE.txt", note));
}

TEST(Model, DocumentationOfCryptographyIsNoRansomNote) {
  Model m;
  Actor& a = m.ActorFor(Proc(100, 1, 100));
  // As clones of a project that documents encryption write it, in each clone.
  std::string readme =
      "This library encrypts and decrypts files with a private key; see the ransomware section "
      "for how the watcher restores encrypted files.\n";
  LeaveIn(m, a, {"/t/a/", "/t/b/", "/t/c/", "/t/d/"}, "README.md", readme);
  EXPECT_DOUBLE_EQ(a.score, 0.0);
}

// A note that names no means of payment, left in three directories: no evidence yet.
void LeaveQuietNotes(Model& m, Actor& a) {
  std::string note = "All your documents are locked. Write to us to get them back.\n";
  LeaveIn(m, a, {"/t/a/", "/t/b/", "/t/c/"}, "HELP.txt", note);
  EXPECT_DOUBLE_EQ(a.score, 0.0);
}

TEST(Model, NotesCountWithARenamePattern) {
  Model m;
  Actor& a = m.ActorFor(Proc(100, 1, 100));
  LeaveQuietNotes(m, a);
  m.Renamed(a, "/t/a/1.doc", "/t/a/1.doc.wasted");
  m.Renamed(a, "/t/a/2.doc", "/t/a/2.doc.wasted");
  EXPECT_TRUE(m.Renamed(a, "/t/a/3.doc", "/t/a/3.doc.wasted"));
  EXPECT_DOUBLE_EQ(a.score, 3.0);
}

TEST(Model, NotesCountWithACopyThenDelete) {
  Model m;
  Actor& a = m.ActorFor(Proc(100, 1, 100));
  LeaveQuietNotes(m, a);
  std::string doc = ForgeText(1, 20000);
  Sample before = Of(doc);
  m.Deleted(a, "/t/a/1.txt", &before);
  EXPECT_TRUE(m.NewFile(a, "/t/a/1.txt.enc", Of(Random(20016))));
  EXPECT_DOUBLE_EQ(a.score, 3.0);
}

TEST(Model, LockFilesPutInPlaceAreNoNewExtension) {
  Model m;
  Actor& a = m.ActorFor(Proc(100, 1, 100));
  for (int i = 0; i < 10; ++i)
    m.Renamed(a, "/t/r" + std::to_string(i) + "/.git/gc.pid.lock",
              "/t/r" + std::to_string(i) + "/.git/gc.pid");
  EXPECT_DOUBLE_EQ(a.score, 0.0);
  // A temporary name dropped is still a new extension when it is one.
  for (int i = 0; i < 3; ++i)
    m.Renamed(a, "/t/f" + std::to_string(i) + ".docx.locked.tmp",
              "/t/f" + std::to_string(i) + ".docx.locked");
  EXPECT_DOUBLE_EQ(a.score, 1.0);
}

TEST(Model, OddExecutableOnlyAmplifies) {
  Model m;
  Actor& a = m.ActorFor(Proc(100, 1, 100));
  EXPECT_FALSE(m.OddExecutable(a, "runs from /tmp/"));
  EXPECT_DOUBLE_EQ(a.score, 0.0);
  std::string doc = ForgeText(1, 20000);
  EXPECT_FALSE(m.Rewritten(a, "/t/1.txt", Of(doc), Of(Random(20016))));
  EXPECT_DOUBLE_EQ(a.score, 2.0);
  EXPECT_TRUE(m.Rewritten(a, "/t/2.txt", Of(doc), Of(Random(20016))));
}

TEST(Model, DecoyWriteConvictsAlone) {
  Model m;
  Actor& a = m.ActorFor(Proc(100, 1, 100));
  EXPECT_TRUE(m.DecoyTouched(a, "/t/.vigie-decoy-x.pdf", true));
}

}  // namespace
}  // namespace vigie::watch
