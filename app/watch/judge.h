// Judging rewritten files on a thread of its own.
//
// Comparing a rewritten file with its copy reads up to 320 KiB of each and measures entropy
// block by block: milliseconds for a large file. Done on the monitor's thread, it would make
// every open that arrives meanwhile wait (each `sqlite3` closing the database it rewrote, and
// the next one opening it). The judge does that pure work: reading the samples and computing
// the verdict; the monitor applies the verdict to the model when it is ready. The judge never
// opens a file inside the watched trees (it reads through the close-write's descriptor, which
// fanotify opened for the monitor, and copies from the store or memory).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "watch/content.h"

namespace vigie::watch {

class Judge {
 public:
  struct Job {
    uint64_t actor = 0;
    std::string path;
    int fd = -1;                                    // owned: the rewritten file
    std::shared_ptr<const std::string> copy_bytes;  // the copy, when kept in memory,
    std::string copy_object;                        // or its file in the store
  };
  struct Result {
    uint64_t actor = 0;
    std::string path;
    bool ok = false;  // both samples were read
    Verdict verdict;
  };

  Judge();
  ~Judge();
  Judge(const Judge&) = delete;
  Judge& operator=(const Judge&) = delete;

  void Submit(Job job);
  // The verdicts ready so far.
  std::vector<Result> Take();
  // Readable when verdicts are ready (an eventfd; read it to clear).
  int ready_fd() const { return ready_fd_; }
  // Waits until every job submitted has its verdict.
  void WaitIdle();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable work_, idle_;
  std::deque<Job> jobs_;
  std::vector<Result> done_;
  bool busy_ = false;
  bool stop_ = false;
  int ready_fd_ = -1;
  std::thread thread_;
};

}  // namespace vigie::watch
