// A fixed set of threads that scan the files of a directory walk (-p N).
//
// The walk submits paths; a bounded queue makes it wait when the threads fall behind, so a
// huge tree never becomes a huge queue. Each thread owns one Scanner (chosen by the worker
// index passed to `work`), since a Scanner is not shared between threads.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vigie::cli {

class ScanPool {
 public:
  using Work = std::function<void(size_t worker, const std::string& path)>;

  ScanPool(size_t threads, Work work);
  ~ScanPool();  // finishes the queued work
  ScanPool(const ScanPool&) = delete;
  ScanPool& operator=(const ScanPool&) = delete;

  void submit(std::string path);
  // Waits until every submitted path was handled and stops the threads.
  void finish();

 private:
  void run(size_t worker);

  Work work_;
  size_t capacity_;
  std::mutex mu_;
  std::condition_variable ready_;  // work arrived or the pool is closing
  std::condition_variable room_;   // the queue has room
  std::deque<std::string> queue_;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace vigie::cli
