// The honest workloads; see benign.h.
#include "benign.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "harness.h"
#include "treegen.h"
#include "watch/doc_forge.h"

namespace vigie::watch::testing {
namespace {

namespace fs = std::filesystem;

void Logs(const std::string& dir, int n) {
  fs::create_directories(dir + "/logs");
  for (int i = 0; i < n; ++i)
    WriteFile(dir + "/logs/app" + std::to_string(i) + ".log", ForgeText(uint64_t(i), 16000));
}

void Data(const std::string& dir, size_t n) { GenerateTree(dir + "/data", n, 99); }

}  // namespace

bool HaveTool(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0;
  const char* path = getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    if (access((p.substr(start, end - start) + "/" + name).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

void SetUpBenign(const Benign& b, const std::string& dir) {
  fs::create_directories(dir);
  b.setup(dir);
}

std::vector<Benign> BenignWorkloads() {
  std::string bin = BinaryDir() + "/tests/watch";
  return {
      {"logrotate-gzip",
       {"gzip"},
       [](const std::string& d) { Logs(d, 300); },
       "cd logs && for f in *.log; do mv \"$f\" \"$f.1\" && : > \"$f\" && gzip -9 \"$f.1\"; "
       "done"},
      {"tar-backup",
       {"tar", "gzip"},
       [](const std::string& d) { Data(d, 300); },
       "tar czf backup.tar.gz data"},
      {"zip-backup",
       {"zip"},
       [](const std::string& d) { Data(d, 300); },
       "zip -qr backup.zip data"},
      {"openssl-enc-backup",
       {"tar", "openssl"},
       [](const std::string& d) { Data(d, 200); },
       "tar cf backup.tar data && openssl enc -aes-256-cbc -pbkdf2 -pass pass:vigie -in "
       "backup.tar -out backup.tar.enc && rm backup.tar"},
      {"gpg-backup",
       {"tar", "gpg"},
       [](const std::string& d) { Data(d, 200); },
       "export GNUPGHOME=$(mktemp -d /tmp/vigie-gpg-XXXXXX) && tar cf backup.tar data && gpg "
       "--batch --yes --quiet --pinentry-mode loopback --passphrase vigie -c -o backup.tar.gpg "
       "backup.tar; s=$?; rm -rf \"$GNUPGHOME\" backup.tar; exit $s"},
      {"sqlite-writes",
       {"sqlite3"},
       [](const std::string& d) {
         std::ofstream sql(d + "/load.sql");
         sql << "CREATE TABLE IF NOT EXISTS visits(id INTEGER PRIMARY KEY, patient TEXT, note "
                "TEXT, at TEXT);\n";
         for (int t = 0; t < 40; ++t) {
           sql << "BEGIN;\n";
           for (int i = 0; i < 100; ++i)
             sql << "INSERT INTO visits(patient, note, at) VALUES('patient " << (t * 100 + i)
                 << "', 'routine check, blood pressure normal, follow-up in " << (i % 12)
                 << " months', datetime('now'));\n";
           sql << "UPDATE visits SET note = note || ' (reviewed)' WHERE id % 7 = " << (t % 7)
               << ";\nCOMMIT;\n";
         }
         sql << "VACUUM;\n";
       },
       "sqlite3 clinic.db < load.sql && sqlite3 clinic.db 'SELECT count(*) FROM visits;' "
       ">/dev/null"},
      {"compiler",
       {"g++"},
       [](const std::string& d) {
         fs::create_directories(d + "/src");
         for (int i = 0; i < 6; ++i) {
           std::ofstream f(d + "/src/unit" + std::to_string(i) + ".cc");
           f << "#include <string>\n#include <vector>\nint unit" << i
             << "(int x) { std::vector<std::string> v; for (int k = 0; k < x; ++k) "
                "v.push_back(std::to_string(k)); return int(v.size()); }\n";
         }
         std::ofstream m(d + "/src/main.cc");
         m << "int unit0(int);\nint main() { return unit0(3) == 3 ? 0 : 1; }\n";
       },
       "cd src && for f in *.cc; do g++ -O1 -c \"$f\" -o \"${f%.cc}.o\" || exit 1; done && g++ "
       "*.o -o app && ./app"},
      {"package-install",
       {"cp", "mv"},
       [](const std::string& d) {
         fs::create_directories(d + "/usr/lib/app");
         fs::create_directories(d + "/staging");
         int i = 0;
         for (const auto& e : fs::directory_iterator("/usr/bin")) {
           if (!e.is_regular_file() || e.file_size() > 2000000 || e.file_size() < 10000) continue;
           std::string name = "tool" + std::to_string(i);
           fs::copy_file(e.path(), d + "/staging/" + name);
           // The installed, older version: another binary under the same name.
           WriteFile(d + "/usr/lib/app/" + name, ForgeText(uint64_t(i), 30000));
           if (++i == 60) break;
         }
       },
       "for f in staging/*; do n=$(basename \"$f\"); cp \"$f\" \"usr/lib/app/$n.dpkg-new\" && "
       "mv -f \"usr/lib/app/$n.dpkg-new\" \"usr/lib/app/$n\" || exit 1; done"},
      {"git",
       {"git"},
       [](const std::string& d) { Data(d, 200); },
       "cd data && git init -q && git add -A && git -c user.name=v -c user.email=v@example.org "
       "commit -qm import && echo change >> README.md && git add README.md && git -c "
       "user.name=v -c user.email=v@example.org commit -qm change && git gc -q"},
      {"git-clones",
       {"git"},
       [](const std::string& d) {
         Data(d, 200);
         std::string cmd = "cd '" + d +
                           "/data' && git init -q && git add -A && git -c user.name=v -c "
                           "user.email=v@example.org commit -qm import";
         if (system(cmd.c_str()) != 0) fprintf(stderr, "git-clones: setup failed\n");
       },
       // Three clones of one repository: the same hooks, HEAD and refs in three directories.
       "for r in a b c; do git clone -q data clone-$r || exit 1; done"},
      {"image-conversion",
       {bin + "/vigie-imgconv"},
       [](const std::string& d) {
         fs::create_directories(d + "/img");
         for (int i = 0; i < 80; ++i)
           WriteFile(d + "/img/photo" + std::to_string(i) + ".png", ForgePng(uint64_t(i)));
       },
       bin + "/vigie-imgconv img/*.png"},
  };
}

}  // namespace vigie::watch::testing
