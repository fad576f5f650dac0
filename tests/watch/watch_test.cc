// vigie watch against the ransomware simulator, one behaviour per test, on a generated tree
// of mixed documents; and the hard cases: two watchers, death mid-file, mmap writes, renames
// across directories, a full store, a lost store directory.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "harness.h"
#include "treegen.h"

namespace vigie::watch::testing {
namespace {

constexpr int kWholeTree = 80;  // files in the tree of each test

class WatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "vigie watch needs root (fanotify)";
    base_ = MakeTempDir("vigie-watch-test");
    tree_ = base_ + "/tree";
    ASSERT_EQ(GenerateTree(tree_, kWholeTree, 7), size_t(kWholeTree));
  }
  void TearDown() override { RemoveTree(base_); }

  // Runs one simulator configuration in kill mode and checks the promise: stopped early, and
  // not one file lost once vigie has restored.
  SimReport Expect(const std::vector<std::string>& sim_args,
                   const std::vector<std::string>& watch_args = {}, int max_touched = 12,
                   int min_touched = 1) {
    Watcher w;
    std::string err;
    EXPECT_TRUE(w.Start({tree_}, watch_args, &err)) << err;
    SimReport r = RunSimulator(w, tree_, sim_args, 30);
    EXPECT_TRUE(r.stopped_by_vigie) << w.Stderr();
    EXPECT_TRUE(r.restored_event) << w.Stderr();
    std::string lost;
    for (const std::string& p : r.lost_paths) lost += "lost: " + p + "\n";
    EXPECT_EQ(r.lost, 0u) << lost << r.sim_output << w.Stderr();
    EXPECT_EQ(r.extra, 0u) << w.Stderr();
    EXPECT_LE(r.touched, max_touched) << w.Stderr();
    EXPECT_GE(r.touched, min_touched);
    EXPECT_EQ(w.Stop(), 0);
    return r;
  }

  // Small text files at the root of the tree (000-a.txt, ...: the simulator goes through them
  // first), vigie watching with --verbose, and `script` run there by one shell.
  void StartRewriter(Watcher& w, Workload& editor, const std::string& script, int files = 3) {
    for (int i = 0; i < files; ++i) {
      std::string n = std::string("000-") + char('a' + i) + ".txt";
      std::ofstream(tree_ + "/" + n) << "quarterly report " << n << "\nrevenue and costs\n";
    }
    std::string err;
    ASSERT_TRUE(w.Start({tree_}, {"--verbose"}, &err)) << err;
    editor.Start({"/bin/sh", "-c", script}, base_ + "/editor.out", tree_);
  }

  std::string base_, tree_;
};

TEST_F(WatchTest, InPlaceOverwrite) { Expect({"--mode", "inplace"}); }
// Copies of small files are kept in memory by default; these come from the store directory.
TEST_F(WatchTest, CopiesInTheStoreDirectory) {
  Expect({"--mode", "inplace"}, {"--memory-copies", "0"});
  Expect({"--mode", "copy-delete"}, {"--memory-copies", "0"}, kWholeTree);
}
// A program that writes new files and deletes or replaces the originals waits on nothing until
// its first judged file (reads of leased files and creations are not permission events): it
// may get through much of the tree first. Every original is held by its lease, and restored.
TEST_F(WatchTest, WriteCopyThenDelete) { Expect({"--mode", "copy-delete"}, {}, kWholeTree); }
TEST_F(WatchTest, CopyRenamedOverTheOriginal) { Expect({"--mode", "replace"}, {}, kWholeTree); }
TEST_F(WatchTest, RenameToOneExtension) { Expect({"--mode", "rename", "--ext", "ryk"}); }
TEST_F(WatchTest, RenameAcrossDirectories) { Expect({"--mode", "move"}); }
TEST_F(WatchTest, IntermittentEncryption) { Expect({"--mode", "intermittent"}); }
TEST_F(WatchTest, HeaderPreservingEncryption) { Expect({"--mode", "header"}); }
TEST_F(WatchTest, WritesThroughMmap) { Expect({"--mode", "mmap"}); }
// Encrypted in place, closed, opened again to append a footer: the second open must not take
// the encrypted content for the original.
TEST_F(WatchTest, ReopenedToAppendAFooter) { Expect({"--mode", "reopen"}); }
// Read through one descriptor, then truncated and written through another.
TEST_F(WatchTest, ReadThenRewritten) { Expect({"--mode", "readfirst"}); }
TEST_F(WatchTest, RansomNotes) { Expect({"--mode", "inplace", "--notes"}); }
// The original is deleted before its copy is written, by several workers at once: each file
// read must be recorded under its own name, although the reader runs on before vigie's
// bookkeeping, so it is restored where it was.
TEST_F(WatchTest, DeleteThenCopyByWorkers) {
  Expect({"--mode", "delete-copy", "--workers", "8"}, {"--verbose"}, kWholeTree);
}
TEST_F(WatchTest, WorkersInOneGroup) { Expect({"--mode", "inplace", "--workers", "4"}, {}, 40); }
TEST_F(WatchTest, WorkersInNewSessions) {
  Expect({"--mode", "inplace", "--workers", "3", "--setsid-workers"}, {"--verbose"}, 40);
}
TEST_F(WatchTest, SlowEncryption) { Expect({"--mode", "inplace", "--delay-ms", "150"}); }
TEST_F(WatchTest, BinaryRunFromTmp) { Expect({"--mode", "inplace", "--exe", "tmp"}); }
TEST_F(WatchTest, BinaryDeleted) { Expect({"--mode", "inplace", "--exe", "deleted"}); }
TEST_F(WatchTest, BinaryRenamed) { Expect({"--mode", "inplace", "--exe", "renamed"}); }

TEST_F(WatchTest, OddExecutableCountsInTheEvidence) {
  Watcher w;
  std::string err;
  ASSERT_TRUE(w.Start({tree_}, {}, &err)) << err;
  RunSimulator(w, tree_, {"--mode", "inplace", "--exe", "deleted"}, 30);
  bool found = false;
  for (const auto& e : w.Events())
    if (e.value("event", "") == "alert")
      for (const auto& ev : e["evidence"])
        if (ev.value("what", "") == "executable deleted") found = true;
  EXPECT_TRUE(found) << w.Stderr();
}

TEST_F(WatchTest, DecoysCatchTheFirstWrite) {
  // The walk meets the root's decoy first: stopped before a single real file is opened.
  SimReport r = Expect({"--mode", "inplace"}, {"--decoys"}, 0, 0);
  // Decoys are removed when vigie stops.
  for (const auto& e : std::filesystem::recursive_directory_iterator(tree_))
    EXPECT_EQ(e.path().filename().string().rfind(".vigie-decoy-", 0), std::string::npos);
}

TEST_F(WatchTest, ProcessDyingMidFileIsStillRestored) {
  Watcher w;
  std::string err;
  ASSERT_TRUE(w.Start({tree_}, {"--verbose"}, &err)) << err;
  SimReport r = RunSimulator(w, tree_, {"--mode", "inplace", "--die-after", "2"}, 30);
  EXPECT_FALSE(r.stopped_by_vigie);  // it died by itself before vigie acted
  EXPECT_TRUE(r.restored_event) << w.Stderr();
  EXPECT_EQ(r.lost, 0u) << r.first_lost << "\n" << w.Stderr();
  EXPECT_EQ(r.touched, 3);
}

TEST_F(WatchTest, StopModeFreezesAndRestores) {
  Watcher w;
  std::string err;
  ASSERT_TRUE(w.Start({tree_}, {"--stop"}, &err)) << err;
  SimReport r = RunSimulator(w, tree_, {"--mode", "inplace"}, 30);
  EXPECT_TRUE(r.stopped_by_vigie) << w.Stderr();
  EXPECT_EQ(r.lost, 0u) << w.Stderr();
  bool stop_action = false;
  for (const auto& e : w.Events())
    if (e.value("event", "") == "action") stop_action = e.value("action", "") == "stop";
  EXPECT_TRUE(stop_action);
}

TEST_F(WatchTest, ReportOnlyNeitherStopsNorRestores) {
  Watcher w;
  std::string err;
  ASSERT_TRUE(w.Start({tree_}, {"--report-only"}, &err)) << err;
  SimReport r = RunSimulator(w, tree_, {"--mode", "inplace", "--max-files", "10"}, 30, false);
  EXPECT_FALSE(r.stopped_by_vigie);
  EXPECT_EQ(r.touched, 10);
  EXPECT_EQ(r.lost, 10u);
  EXPECT_TRUE(w.WaitEvent("alert", 5));
}

TEST_F(WatchTest, TwoWatchersOnOneTreeAreRefused) {
  std::string locks = base_ + "/locks";
  Watcher first, second;
  std::string err;
  ASSERT_TRUE(first.Start({tree_}, {}, &err, locks)) << err;
  std::string sub = tree_ + "/finance";
  std::filesystem::create_directories(sub);
  EXPECT_FALSE(second.Start({sub}, {}, &err, locks));
  EXPECT_NE(err.find("exited with status 3"), std::string::npos) << err;
  EXPECT_NE(err.find("already watches " + tree_), std::string::npos) << err;
  EXPECT_NE(err.find("pid " + std::to_string(first.pid())), std::string::npos) << err;
  EXPECT_EQ(first.Stop(), 0);
  Watcher third;
  EXPECT_TRUE(third.Start({sub}, {}, &err, locks)) << err;
}

TEST_F(WatchTest, FullStoreLetsHonestWritesThroughAndStillStopsTheAttack) {
  Watcher w;
  std::string err;
  // Room for a few copies only.
  ASSERT_TRUE(w.Start({tree_}, {"--store-budget", "40K"}, &err)) << err;
  // An honest append to a large file: the copy does not fit, the write goes through.
  std::string big = tree_ + "/big.log";
  { std::ofstream(big) << std::string(100000, 'x'); }
  {
    std::ofstream f(big, std::ios::app);
    f << "one more line\n";
    ASSERT_TRUE(f.good());
  }
  SimReport r = RunSimulator(w, tree_, {"--mode", "inplace"}, 30);
  EXPECT_TRUE(r.stopped_by_vigie) << w.Stderr();
  EXPECT_NE(w.Stderr().find("store budget"), std::string::npos) << w.Stderr();
  // Whatever fit in the store came back; nothing else was let through.
  EXPECT_LE(r.lost, 1u) << r.first_lost << "\n" << w.Stderr();
}

TEST_F(WatchTest, FullDiskUnderTheStoreIsReportedAndTheAttackStillStopped) {
  Watcher w;
  w.set_store_tmpfs(8);  // two pages: full after the first copy or two
  std::string err;
  ASSERT_TRUE(w.Start({tree_}, {"--memory-copies", "0"}, &err)) << err;
  SimReport r = RunSimulator(w, tree_, {"--mode", "inplace"}, 30);
  EXPECT_TRUE(r.stopped_by_vigie) << w.Stderr();
  EXPECT_NE(w.Stderr().find("no space left on device"), std::string::npos) << w.Stderr();
  std::string lost;
  for (const std::string& p : r.lost_paths) lost += p + "\n";
  EXPECT_LE(r.lost, 1u) << lost << r.sim_output << "\n" << w.Stderr();
  EXPECT_EQ(w.Stop(), 0);
}

TEST_F(WatchTest, LostStoreDirectoryIsReportedAndRecreated) {
  Watcher w;
  std::string err;
  ASSERT_TRUE(w.Start({tree_}, {"--memory-copies", "0"}, &err)) << err;
  std::string store = w.dir() + "/store";
  // A copy, then the store vanishes, then an attack: it must still be stopped and undone.
  std::string doc = tree_ + "/note.txt";
  { std::ofstream(doc) << "draft\n"; }
  { std::ofstream(doc, std::ios::app) << "more\n"; }
  std::filesystem::remove_all(store);
  SimReport r = RunSimulator(w, tree_, {"--mode", "inplace"}, 30);
  EXPECT_TRUE(r.stopped_by_vigie);
  EXPECT_EQ(r.lost, 0u) << w.Stderr();
  EXPECT_NE(w.Stderr().find("was removed"), std::string::npos) << w.Stderr();
}

TEST_F(WatchTest, AllowListedProgramsAreNotJudged) {
  for (const char* how : {"exe", "sha256"}) {
    Watcher w;
    std::string err;
    std::string list = base_ + "/allow.list";
    {
      std::ofstream f(list);
      f << "# trusted\n";
      if (std::string(how) == "exe") {
        f << "exe " << RansimPath() << "\n";
      } else {
        Workload sum;
        std::string out = base_ + "/sum.txt";
        sum.Start({"sha256sum", RansimPath()}, out);
        ASSERT_TRUE(sum.Wait(30));
        f << "sha256 " << sum.Output().substr(0, 64) << "\n";
      }
    }
    ASSERT_TRUE(w.Start({tree_}, {"--allow-list", list}, &err)) << err;
    SimReport r = RunSimulator(w, tree_, {"--mode", "inplace", "--max-files", "6"}, 30, false);
    EXPECT_FALSE(r.stopped_by_vigie) << how;
    EXPECT_EQ(r.touched, 6) << how;
    for (const auto& e : w.Events()) EXPECT_NE(e.value("event", ""), "alert") << how;
    EXPECT_EQ(w.Stop(), 0);
    RemoveTree(tree_);
    ASSERT_EQ(GenerateTree(tree_, 80, 7), 80u);
  }
}

// Without leases every open is a permission event (the scheme of trees too large to lease):
// the behaviours whose restore depends on what a process read stay covered that way too.
TEST_F(WatchTest, WithoutLeasesInPlaceOverwrite) {
  Expect({"--mode", "inplace"}, {"--max-leases", "0"});
}
TEST_F(WatchTest, WithoutLeasesCopyRenamedOverTheOriginal) {
  Expect({"--mode", "replace"}, {"--max-leases", "0"});
}
TEST_F(WatchTest, WithoutLeasesDeleteThenCopyByWorkers) {
  Expect({"--mode", "delete-copy", "--workers", "8"}, {"--max-leases", "0"}, 40);
}

// More files than the lease limit: directories carry the permission marks, the leased files
// ignore marks.
TEST_F(WatchTest, LeaseLimitChecksTheRestPerDirectory) {
  for (const char* mode : {"inplace", "replace", "copy-delete"}) {
    Watcher w;
    std::string err;
    ASSERT_TRUE(w.Start({tree_}, {"--max-leases", "10"}, &err)) << err;
    EXPECT_NE(w.Stderr().find("more than 10 files"), std::string::npos) << w.Stderr();
    SimReport r = RunSimulator(w, tree_, {"--mode", mode}, 30);
    EXPECT_TRUE(r.stopped_by_vigie) << mode << "\n" << w.Stderr();
    EXPECT_EQ(r.lost, 0u) << mode << " " << r.first_lost << "\n" << w.Stderr();
    EXPECT_EQ(w.Stop(), 0);
    RemoveTree(tree_);
    ASSERT_EQ(GenerateTree(tree_, 80, 7), 80u);
  }
}

namespace {
nlohmann::json ExitStats(const Watcher& w) {
  for (const auto& e : w.Events())
    if (e.value("event", "") == "exit" && e.contains("stats")) return e["stats"];
  return {};
}
}  // namespace

// Reading leased files costs no permission event; with leases off, each open is one.
TEST_F(WatchTest, ReadsOfLeasedFilesAreNotPermissionEvents) {
  for (const char* leases : {"100000", "0"}) {
    Watcher w;
    std::string err;
    ASSERT_TRUE(w.Start({tree_}, {"--max-leases", leases}, &err)) << err;
    Workload reader;
    reader.Start(
        {"/bin/sh", "-c", "for i in 1 2 3; do find . -type f -exec cat {} + >/dev/null; done"},
        base_ + "/reader.out", tree_);
    ASSERT_TRUE(reader.Wait(60));
    EXPECT_EQ(reader.code(), 0);
    EXPECT_EQ(w.Stop(), 0);
    nlohmann::json st = ExitStats(w);
    ASSERT_FALSE(st.is_null()) << w.Stderr();
    if (std::string(leases) == "0") {
      EXPECT_GE(st.value("opens", 0), 240) << st.dump();
      EXPECT_EQ(st.value("leases", -1), 0) << st.dump();
    } else {
      EXPECT_EQ(st.value("opens", -1), 0) << st.dump();
      EXPECT_EQ(st.value("leases", 0), 80) << st.dump();
    }
    for (const auto& e : w.Events()) EXPECT_NE(e.value("event", ""), "alert");
  }
}

// Events nobody waits on (creations, close-writes) wake vigie in batches, not one by one.
TEST_F(WatchTest, CalmEventsAreReadInBatches) {
  std::filesystem::create_directories(tree_ + "/batch");
  Watcher w;
  std::string err;
  ASSERT_TRUE(w.Start({tree_}, {}, &err)) << err;
  Workload maker;
  maker.Start({"/bin/sh", "-c", "cd batch && for i in $(seq 300); do : > f$i; done"},
              base_ + "/maker.out", tree_);
  ASSERT_TRUE(maker.Wait(30));
  EXPECT_EQ(maker.code(), 0);
  usleep(100000);
  EXPECT_EQ(w.Stop(), 0);
  nlohmann::json st = ExitStats(w);
  ASSERT_FALSE(st.is_null()) << w.Stderr();
  int events = st.value("name_events", 0) + st.value("close_writes", 0);
  EXPECT_GE(events, 500) << st.dump();
  // One wake-up per two events when each is read as it comes; batched, at most one per batch
  // period (2 ms) while they come, and the timeouts of the wait (about 5 a second). Where
  // creating a file is slow (a file system without a journal, after many deletions: 1 ms a
  // file), 300 creations span 150 batch periods, and the bound is the time's.
  double periods = maker.seconds() / 0.002;
  EXPECT_LE(st.value("wakeups", 9999), std::max(events / 4.0, periods * 1.25 + 10))
      << st.dump() << " maker " << maker.seconds() << " s";
}

// Files that live a few milliseconds (a database's journal, a temporary file) take no mark of
// their own, and a new file that lives on takes one: one file held open for 0.3 s among 400
// created and deleted at once, half of them under one name, as a journal is (when the first
// comes due, another file has its name).
TEST_F(WatchTest, OnlyNewFilesThatLiveOnAreMarked) {
  Watcher w;
  std::string err;
  ASSERT_TRUE(w.Start({tree_}, {}, &err)) << err;
  Workload maker;
  std::string script =
      "mkdir journal && sleep 0.2 && cd journal && "
      "for i in $(seq 200); do echo x > j$i; rm j$i; echo x > db-journal; rm db-journal; done; "
      "exec 3> kept.db; echo data >&3; sleep 0.3; exec 3>&-";
  maker.Start({"/bin/sh", "-c", script}, base_ + "/maker.out", tree_);
  ASSERT_TRUE(maker.Wait(30));
  EXPECT_EQ(maker.code(), 0);
  EXPECT_EQ(w.Stop(), 0);
  nlohmann::json st = ExitStats(w);
  ASSERT_FALSE(st.is_null()) << w.Stderr();
  EXPECT_GE(st.value("name_events", 0), 400) << st.dump();  // (repeats of a name may merge)
  EXPECT_EQ(st.value("file_marks", -1), 1) << st.dump() << w.Stderr();
}

// A file created in the tree and still open by its writer (so not leased) is guarded once a
// few milliseconds old: encrypted first by the simulator, it is restored. Also when the
// directory it was created in is renamed 20 ms later (the name vigie waits to mark follows;
// the simulator takes the last directory of the root first).
TEST_F(WatchTest, ANewFileStillOpenByItsWriterIsRestored) {
  const std::pair<const char*, const char*> cases[] = {
      {"exec 3> 000-minutes.txt; echo 'board minutes, draft 3' >&3; sleep 3", "000-minutes.txt"},
      {"mkdir zzz-new && sleep 0.2 && exec 3> zzz-new/000-minutes.txt && echo 'board minutes, "
       "draft 3' >&3 && sleep 0.02 && mv zzz-new zzz-board && sleep 3",
       "zzz-board/000-minutes.txt"},
  };
  for (const auto& [script, name] : cases) {
    Watcher w;
    std::string err;
    ASSERT_TRUE(w.Start({tree_}, {}, &err)) << err;
    Workload writer;
    writer.Start({"/bin/sh", "-c", script}, base_ + "/writer.out", tree_);
    usleep(300000);
    SimReport r = RunSimulator(w, tree_, {"--mode", "inplace"}, 30);
    writer.Kill();
    EXPECT_TRUE(r.stopped_by_vigie) << name << "\n" << w.Stderr();
    EXPECT_EQ(r.lost, 0u) << (r.lost_paths.empty() ? "" : r.lost_paths[0]) << "\n" << w.Stderr();
    std::ifstream in(tree_ + "/" + name);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "board minutes, draft 3") << name << "\n" << w.Stderr();
    EXPECT_EQ(w.Stop(), 0);
  }
}

// Text files rewritten in place by one shell: each read and written by the shell itself (one
// process, one actor), read before it is truncated and written. `ahead`: the file read last, and
// not written.
std::string RewriteScript(const std::string& files, const std::string& ahead = "") {
  std::string s = "for f in " + files +
                  "; do exec 3< \"$f\"; sleep 0.05; d=$(cat <&3); exec 3<&-; "
                  "t=$(printf '%s\\n' \"$d\" | tr a-m n-z); printf '%s\\n' \"$t\" > \"$f\"; "
                  "done";
  if (!ahead.empty()) s += "; sleep 0.2; exec 3< " + ahead + "; sleep 0.3; exec 3<&-";
  return s;
}

bool WaitStderr(const Watcher& w, const std::string& text, double seconds) {
  for (double end = Now() + seconds; Now() < end; usleep(20000))
    if (w.Stderr().find(text) != std::string::npos) return true;
  return false;
}

// A program that reads each file before it rewrites it in place is seen reading, once it has
// rewritten two: the file is copied then and its lease let go, so that its write waits for
// nothing. Honest work, not stopped, its files as it wrote them.
TEST_F(WatchTest, ARewriterIsCopiedAheadOfItsWrites) {
  std::string dir = tree_ + "/edits";
  std::filesystem::create_directories(dir);
  for (int i = 0; i < 12; ++i)
    std::ofstream(dir + "/note" + std::to_string(10 + i) + ".txt")
        << "minutes of meeting " << i << "\nattendees: alice, bob, carol\n";
  Watcher w;
  std::string err;
  ASSERT_TRUE(w.Start({tree_}, {"--verbose"}, &err)) << err;
  Workload editor;
  editor.Start({"/bin/sh", "-c", RewriteScript("*.txt")}, base_ + "/editor.out", dir);
  ASSERT_TRUE(editor.Wait(30));
  EXPECT_EQ(editor.code(), 0);
  EXPECT_EQ(w.Stop(), 0);
  for (const auto& e : w.Events()) EXPECT_NE(e.value("event", ""), "alert");
  nlohmann::json st = ExitStats(w);
  ASSERT_FALSE(st.is_null()) << w.Stderr();
  // The first two break their leases; the rest are copied ahead (one more may break when its
  // read is seen late).
  EXPECT_GE(st.value("ahead_copies", 0), 9) << st.dump() << w.Stderr();
  // Each taken by the writer.
  size_t taken = 0;
  for (size_t at = 0; (at = w.Stderr().find("taken by actor", at)) != std::string::npos; ++at)
    taken++;
  EXPECT_GE(taken, 9u) << w.Stderr();
  EXPECT_LE(st.value("lease_breaks", 99), 3) << st.dump();
  std::ifstream in(dir + "/note15.txt");
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first, "zvnutrs os zrrtvnt 5");  // a-m to n-z: written, and not restored
}

// A file copied ahead of its rewriter's write, then encrypted by another program before the
// copy ends: the file is restored with the rest. (Written before the attack's first evidence,
// it has only the copy ahead; after, its open is a permission event with a copy of its own.)
TEST_F(WatchTest, AFileCopiedAheadIsRestoredAfterAnotherWriter) {
  Watcher w;
  Workload editor;
  StartRewriter(w, editor, RewriteScript("000-a.txt 000-b.txt", "000-c.txt"));
  ASSERT_TRUE(editor.Wait(30));
  ASSERT_TRUE(WaitStderr(w, "copied ahead of a write: " + tree_ + "/000-c.txt", 2)) << w.Stderr();
  // Within the copy's time: the simulator goes through the root's files first, in order.
  SimReport r = RunSimulator(w, tree_, {"--mode", "inplace"}, 30);
  EXPECT_TRUE(r.stopped_by_vigie) << w.Stderr();
  EXPECT_NE(r.sim_output.find("touch " + tree_ + "/000-c.txt"), std::string::npos) << r.sim_output;
  EXPECT_EQ(r.lost, 0u) << (r.lost_paths.empty() ? "" : r.lost_paths[0]) << w.Stderr();
  EXPECT_EQ(w.Stop(), 0);
}

// A file copied ahead and rewritten, then encrypted once its copy ahead has ended: restored to
// what its rewriter wrote, not to the content before.
TEST_F(WatchTest, AFileRewrittenAfterItsCopyAheadIsRestoredToTheRewrite) {
  Watcher w;
  Workload editor;
  StartRewriter(
      w, editor,
      RewriteScript("000-a.txt 000-b.txt") + "; sleep 0.2; " + RewriteScript("000-c.txt"));
  ASSERT_TRUE(editor.Wait(30));
  std::string c = tree_ + "/000-c.txt";
  ASSERT_TRUE(WaitStderr(w, "copy ahead of " + c + " taken by actor", 2)) << w.Stderr();
  ASSERT_TRUE(WaitStderr(w, "done with the copy ahead of " + c, 5)) << w.Stderr();
  // Its write was judged: nothing changed unseen.
  std::string log = w.Stderr(), done = "done with the copy ahead of " + c;
  size_t at = log.find(done);
  EXPECT_EQ(log.substr(at, log.find('\n', at) - at).find("changed unseen"), std::string::npos)
      << log;
  SimReport r = RunSimulator(w, tree_, {"--mode", "inplace"}, 30);
  EXPECT_TRUE(r.stopped_by_vigie) << w.Stderr();
  EXPECT_NE(r.sim_output.find("touch " + c), std::string::npos) << r.sim_output;
  EXPECT_EQ(r.lost, 0u) << (r.lost_paths.empty() ? "" : r.lost_paths[0]) << w.Stderr();
  EXPECT_EQ(w.Stop(), 0);
}

// A file copied ahead and not written is leased again: the next writer meets the lease.
TEST_F(WatchTest, AFileCopiedAheadAndNotWrittenIsLeasedAgain) {
  Watcher w;
  Workload editor;
  StartRewriter(w, editor, RewriteScript("000-a.txt 000-b.txt", "000-c.txt"));
  ASSERT_TRUE(editor.Wait(30));
  std::string c = tree_ + "/000-c.txt";
  ASSERT_TRUE(WaitStderr(w, "copied ahead of a write: " + c, 2)) << w.Stderr();
  ASSERT_TRUE(WaitStderr(w, "done with the copy ahead of " + c + ", leased again", 5))
      << w.Stderr();
  Workload appender;
  appender.Start({"/bin/sh", "-c", "echo 'audited' >> 000-c.txt"}, base_ + "/append.out", tree_);
  ASSERT_TRUE(appender.Wait(30));
  EXPECT_TRUE(WaitStderr(w, "lease broken by a writer: " + c, 2)) << w.Stderr();
  EXPECT_EQ(w.Stop(), 0);
}

// Two writers of a file copied ahead (its reader, and another program that opened it before the
// reader wrote): each takes a copy of its own.
TEST_F(WatchTest, EachWriterOfAFileCopiedAheadTakesACopy) {
  std::string go = base_ + "/go", c = tree_ + "/000-c.txt";
  Watcher w;
  Workload editor;
  StartRewriter(w, editor,
                RewriteScript("000-a.txt 000-b.txt") +
                    "; sleep 0.2; exec 3< 000-c.txt; d=$(cat <&3); exec 3<&-; "
                    "while [ ! -e " +
                    go +
                    " ]; do sleep 0.01; done; "
                    "printf '%s edited\\n' \"$d\" > 000-c.txt");
  ASSERT_TRUE(WaitStderr(w, "copied ahead of a write: " + c, 5)) << w.Stderr();
  Workload other;
  other.Start(
      {"/bin/sh", "-c",
       "exec 4<> 000-c.txt; touch " + go + "; sleep 0.5; head -c 3000 /dev/urandom >&4; exec 4>&-"},
      base_ + "/other.out", tree_);
  ASSERT_TRUE(editor.Wait(30));
  ASSERT_TRUE(other.Wait(30));
  EXPECT_EQ(editor.code(), 0);
  EXPECT_EQ(other.code(), 0);
  usleep(300000);
  EXPECT_EQ(w.Stop(), 0);
  std::string log = w.Stderr(), taken = "copy ahead of " + c + " taken by actor ";
  std::set<std::string> actors;
  for (size_t at = 0; (at = log.find(taken, at)) != std::string::npos; ++at)
    actors.insert(log.substr(at + taken.size(), log.find('\n', at) - at - taken.size()));
  EXPECT_EQ(actors.size(), 2u) << log;
}

// A file copied ahead, then moved out of the trees, or truncated through its path (which opens
// nothing): the mover takes the copy; the truncated file's copy is kept, for whoever deletes
// or replaces the file next.
TEST_F(WatchTest, AFileCopiedAheadMovedOutOrTruncated) {
  Watcher w;
  Workload editor;
  StartRewriter(w, editor,
                RewriteScript("000-a.txt 000-b.txt") +
                    "; sleep 0.2; exec 3< 000-c.txt; exec 4< 000-d.txt; sleep 0.3; exec 3<&- 4<&-",
                4);
  ASSERT_TRUE(editor.Wait(30));
  std::string c = tree_ + "/000-c.txt", d = tree_ + "/000-d.txt";
  ASSERT_TRUE(WaitStderr(w, "copied ahead of a write: " + c, 2)) << w.Stderr();
  ASSERT_TRUE(WaitStderr(w, "copied ahead of a write: " + d, 2)) << w.Stderr();
  Workload other;
  other.Start({"/bin/sh", "-c",
               "mv 000-c.txt " + base_ +
                   "/moved-out.txt && perl -e 'truncate(\"000-d.txt\", 0) or "
                   "exit 1'"},
              base_ + "/other.out", tree_);
  ASSERT_TRUE(other.Wait(30));
  EXPECT_EQ(other.code(), 0);
  EXPECT_TRUE(WaitStderr(w, "copy ahead of " + c + " taken by actor", 2)) << w.Stderr();
  EXPECT_TRUE(
      WaitStderr(w, "done with the copy ahead of " + d + ", leased again, changed unseen", 5))
      << w.Stderr();
  // Deleted now: the deleter takes the copy of what the truncate destroyed.
  Workload rm;
  rm.Start({"/bin/sh", "-c", "rm 000-d.txt"}, base_ + "/rm.out", tree_);
  ASSERT_TRUE(rm.Wait(30));
  EXPECT_TRUE(WaitStderr(w, "copy of " + d + " taken by actor", 2)) << w.Stderr();
  EXPECT_EQ(w.Stop(), 0);
}

// The files of a directory that comes into the tree (made elsewhere and moved in, or filled
// before vigie sees its creation) are leased as soon as the directory is seen: reading them
// costs no permission event.
TEST_F(WatchTest, FilesOfADirectoryMovedInAreLeased) {
  std::string outside = base_ + "/incoming";
  std::filesystem::create_directories(outside);
  for (int i = 0; i < 5; ++i)
    std::ofstream(outside + "/f" + std::to_string(i) + ".txt") << "file " << i << "\n";
  Watcher w;
  std::string err;
  ASSERT_TRUE(w.Start({tree_}, {}, &err)) << err;
  ASSERT_EQ(rename(outside.c_str(), (tree_ + "/incoming").c_str()), 0);
  usleep(300000);  // the move is read, the directory marked, its files leased
  Workload reader;
  reader.Start({"/bin/sh", "-c", "cat incoming/* incoming/* >/dev/null"}, base_ + "/reader.out",
               tree_);
  ASSERT_TRUE(reader.Wait(30));
  EXPECT_EQ(reader.code(), 0);
  EXPECT_EQ(w.Stop(), 0);
  nlohmann::json st = ExitStats(w);
  ASSERT_FALSE(st.is_null()) << w.Stderr();
  EXPECT_EQ(st.value("opens", -1), 0) << st.dump();
}

// A file with a permission mark of its own that is read is leased then, even when no
// close-write will ever lease it: here a hard link into the tree of a file written outside it.
// Its first read is a permission event, the next ones are not.
TEST_F(WatchTest, AFileReadOnceIsLeased) {
  std::string outside = base_ + "/outside.txt", inside = tree_ + "/linked.txt";
  std::ofstream(outside) << "a file written outside the tree, linked into it\n";
  Watcher w;
  std::string err;
  ASSERT_TRUE(w.Start({tree_}, {}, &err)) << err;
  ASSERT_EQ(link(outside.c_str(), inside.c_str()), 0);
  usleep(300000);  // the creation is read, the link marked
  Workload reader;
  reader.Start({"/bin/sh", "-c",
                "for i in 1 2 3 4 5 6 7 8 9 10; do cat linked.txt >/dev/null; "
                "sleep 0.02; done"},
               base_ + "/reader.out", tree_);
  ASSERT_TRUE(reader.Wait(30));
  EXPECT_EQ(reader.code(), 0);
  EXPECT_EQ(w.Stop(), 0);
  nlohmann::json st = ExitStats(w);
  ASSERT_FALSE(st.is_null()) << w.Stderr();
  EXPECT_GE(st.value("opens", 0), 1) << st.dump();
  EXPECT_LE(st.value("opens", 99), 2) << st.dump();
}

// A leased file deleted by honest work is let go: vigie keeps no deleted file open, and the
// disk space comes back.
TEST_F(WatchTest, DeletedLeasedFilesAreLetGo) {
  Watcher w;
  std::string err;
  ASSERT_TRUE(w.Start({tree_}, {}, &err)) << err;
  Workload rm;
  rm.Start({"/bin/sh", "-c", "find . -type f -name 'doc-1*' -delete"}, base_ + "/rm.out", tree_);
  ASSERT_TRUE(rm.Wait(30));
  auto held_deleted = [&] {
    int n = 0;
    std::string fds = "/proc/" + std::to_string(w.pid()) + "/fd";
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(fds, ec)) {
      std::error_code ec2;
      std::string target = std::filesystem::read_symlink(e.path(), ec2).string();
      if (target.rfind(tree_, 0) == 0 && target.find(" (deleted)") != std::string::npos) n++;
    }
    return n;
  };
  int left = -1;
  for (double end = Now() + 5; Now() < end; usleep(20000))
    if ((left = held_deleted()) == 0) break;
  EXPECT_EQ(left, 0);
  EXPECT_EQ(w.Stop(), 0);
}

// The writer that breaks a lease is named by its FAN_OPEN and its file restored; evidence
// suspends the leases, and they resume once the attack is over.
TEST_F(WatchTest, LeaseBreaksNameTheWriterAndLeasesResume) {
  Watcher w;
  std::string err;
  ASSERT_TRUE(w.Start({tree_}, {"--lease-calm", "0.5", "--verbose"}, &err)) << err;
  SimReport r = RunSimulator(w, tree_, {"--mode", "inplace"}, 30);
  EXPECT_TRUE(r.stopped_by_vigie) << w.Stderr();
  EXPECT_EQ(r.lost, 0u) << w.Stderr();
  EXPECT_NE(w.Stderr().find("writer of "), std::string::npos) << w.Stderr();
  bool suspended = false, resumed = false;
  for (double end = Now() + 10; Now() < end && !resumed; usleep(50000)) {
    for (const auto& e : w.Events()) {
      if (e.value("event", "") != "leases") continue;
      suspended |= e.contains("suspended");
      resumed |= e.contains("resumed");
    }
  }
  EXPECT_TRUE(suspended) << w.Stderr();
  EXPECT_TRUE(resumed) << w.Stderr();
  EXPECT_EQ(w.Stop(), 0);
  nlohmann::json st = ExitStats(w);
  EXPECT_GE(st.value("lease_breaks", 0), 1) << st.dump();
  EXPECT_EQ(st.value("lease_suspensions", 0), 1) << st.dump();
}

// A directory moved out of the tree while leases are suspended, and back in (with a file
// written meanwhile) once they have resumed: its files are leased when it comes back, which
// means opening them, and every open in the tree must still go through. (vigie also lifts any
// permission mark the directory kept from the suspension before opening there; this run does
// not leave one behind.)
TEST_F(WatchTest, ADirectoryMovedOutAndBackAroundASuspension) {
  std::string inside = tree_ + "/moving", outside = base_ + "/moving";
  std::filesystem::create_directories(inside);
  std::ofstream(inside + "/old.txt") << "there before\n";
  Watcher w;
  std::string err;
  ASSERT_TRUE(w.Start({tree_}, {"--lease-calm", "2"}, &err)) << err;
  SimReport r = RunSimulator(w, tree_, {"--mode", "inplace"}, 30);
  ASSERT_TRUE(r.stopped_by_vigie) << w.Stderr();
  ASSERT_EQ(rename(inside.c_str(), outside.c_str()), 0);  // suspended still (2 s of calm)
  bool resumed = false;
  for (double end = Now() + 15; Now() < end && !resumed; usleep(50000))
    for (const auto& e : w.Events())
      resumed |= e.value("event", "") == "leases" && e.contains("resumed");
  ASSERT_TRUE(resumed) << w.Stderr();
  std::ofstream(outside + "/new.txt") << "written outside\n";
  usleep(200000);  // its close-write judged while outside: not leased
  ASSERT_EQ(rename(outside.c_str(), inside.c_str()), 0);
  usleep(300000);
  Workload reader;
  reader.Start({"/bin/sh", "-c", "cat moving/new.txt moving/old.txt >/dev/null"},
               base_ + "/reader.out", tree_);
  EXPECT_TRUE(reader.Wait(10)) << "an open in the trees hangs: " << w.Stderr();
  EXPECT_EQ(w.Stop(), 0);
}

// truncate(2) opens nothing, so no event names the process whose break copied the file; the
// copy goes to the process that then deletes the file, and comes back with its restore. (A
// decoy written at the end convicts it.)
TEST_F(WatchTest, TruncatedThenDeletedLeasedFilesAreRestored) {
  Watcher w;
  std::string err;
  ASSERT_TRUE(w.Start({tree_}, {"--decoys", "--verbose"}, &err)) << err;
  std::map<std::string, std::string> before = Snapshot(tree_);
  // One process that stays alive: a deletion is attributed through /proc, which a process
  // that has exited no longer has.
  std::string script =
      "f=$(find . -type f ! -name '.vigie-decoy-*' | head -3); "
      "d=$(ls -A | grep '^.vigie-decoy-' | head -1); "
      "exec perl -e '$d = shift; for (@ARGV) { truncate($_, 0) or exit 1; unlink($_) or exit 1 } "
      "open(my $h, \">>\", $d); print $h \"x\"; close($h); sleep 10' \"$d\" $f";
  Workload job;
  job.Start({"/bin/sh", "-c", script}, base_ + "/job.out", tree_);
  ASSERT_TRUE(job.Wait(30)) << job.Output();
  EXPECT_TRUE(job.signaled()) << job.Output() << w.Stderr();
  EXPECT_TRUE(w.WaitEvent("restored", 10)) << w.Stderr();
  Loss l;
  for (double end = Now() + 5; Now() < end; usleep(50000)) {
    l = Compare(before, Snapshot(tree_));
    if (l.lost == 0) break;
  }
  EXPECT_EQ(l.lost, 0u) << l.first << "\n" << w.Stderr();
  EXPECT_EQ(w.Stop(), 0);
}

TEST(WatchLarge, ThousandDocumentTreeLosesNothing) {
  if (geteuid() != 0) GTEST_SKIP() << "vigie watch needs root (fanotify)";
  std::string base = MakeTempDir("vigie-watch-large");
  struct Cleanup {
    std::string dir;
    ~Cleanup() { RemoveTree(dir); }
  } cleanup{base};
  std::string tree = base + "/tree";
  ASSERT_EQ(GenerateTree(tree, 1000, 11), 1000u);
  for (const char* mode : {"inplace", "copy-delete", "intermittent"}) {
    Watcher w;
    std::string err;
    ASSERT_TRUE(w.Start({tree}, {}, &err)) << err;
    SimReport r = RunSimulator(w, tree, {"--mode", mode, "--workers", "2"}, 60);
    EXPECT_TRUE(r.stopped_by_vigie) << mode << "\n" << w.Stderr();
    EXPECT_EQ(r.lost, 0u) << mode << " " << r.first_lost << "\n" << w.Stderr();
    EXPECT_EQ(r.extra, 0u) << mode;
    EXPECT_EQ(w.Stop(), 0);
  }
}

TEST(WatchCli, ErrorsHaveExitStatuses) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  Workload a;
  std::string out = "/tmp/vigie-watch-cli-" + std::to_string(getpid());
  a.Start({VigiePath(), "watch", "/nonexistent/dir"}, out);
  ASSERT_TRUE(a.Wait(10));
  EXPECT_EQ(a.code(), 1);
  EXPECT_NE(a.Output().find("not a directory"), std::string::npos);
  Workload b;
  b.Start({VigiePath(), "watch", "/"}, out);
  ASSERT_TRUE(b.Wait(10));
  EXPECT_EQ(b.code(), 1);
  unlink(out.c_str());
}

}  // namespace
}  // namespace vigie::watch::testing
