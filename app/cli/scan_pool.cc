#include "cli/scan_pool.h"

namespace vigie::cli {

ScanPool::ScanPool(size_t threads, Work work) : work_(std::move(work)), capacity_(threads * 4 + 4) {
  if (threads == 0) threads = 1;
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this, i] { run(i); });
}

ScanPool::~ScanPool() { finish(); }

void ScanPool::submit(std::string path) {
  std::unique_lock lock(mu_);
  room_.wait(lock, [this] { return queue_.size() < capacity_; });
  queue_.push_back(std::move(path));
  ready_.notify_one();
}

void ScanPool::finish() {
  {
    std::lock_guard lock(mu_);
    if (closing_) return;
    closing_ = true;
  }
  ready_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void ScanPool::run(size_t worker) {
  for (;;) {
    std::string path;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing and drained
      path = std::move(queue_.front());
      queue_.pop_front();
      room_.notify_one();
    }
    work_(worker, path);
  }
}

}  // namespace vigie::cli
