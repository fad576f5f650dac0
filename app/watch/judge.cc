// The judge's thread; see judge.h.
#include "watch/judge.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "watch/store.h"

namespace vigie::watch {

Judge::Judge() {
  ready_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  thread_ = std::thread([this] { Run(); });
}

Judge::~Judge() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_.notify_all();
  thread_.join();
  for (const Job& j : jobs_)
    if (j.fd >= 0) close(j.fd);
  if (ready_fd_ >= 0) close(ready_fd_);
}

void Judge::Submit(Job job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
  }
  work_.notify_one();
}

std::vector<Judge::Result> Judge::Take() {
  uint64_t n;
  (void)!read(ready_fd_, &n, sizeof n);
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Result> out;
  out.swap(done_);
  return out;
}

void Judge::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return jobs_.empty() && !busy_; });
}

void Judge::Run() {
  // Signals are the monitor's (it reads them through a signalfd).
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
      if (stop_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
      busy_ = true;
    }
    Result r;
    r.actor = job.actor;
    r.path = std::move(job.path);
    Sample before, after;
    bool have_before = false;
    if (job.copy_bytes) {
      Store::SampleOfBytes(*job.copy_bytes, &before);
      have_before = true;
    } else if (!job.copy_object.empty()) {
      // The store may have dropped the copy meanwhile: then there is nothing to compare.
      int fd = open(job.copy_object.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        have_before = ReadSample(fd, &before);
        close(fd);
      }
    }
    if (have_before && ReadSample(job.fd, &after)) {
      r.verdict = Compare(before, after);
      r.ok = true;
    }
    close(job.fd);
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_.push_back(std::move(r));
      busy_ = false;
    }
    uint64_t one = 1;
    (void)!write(ready_fd_, &one, sizeof one);
    idle_.notify_all();
  }
}

}  // namespace vigie::watch
