#include "watch/content.h"

#include <gtest/gtest.h>
#include <openssl/rand.h>

#include "watch/doc_forge.h"

namespace vigie::watch {
namespace {

std::string Random(size_t n) {
  std::string s(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), int(n));
  return s;
}

Sample Of(const std::string& bytes) {
  Sample s;
  s.size = bytes.size();
  s.head = bytes.substr(0, kHeadBytes);
  if (bytes.size() > kHeadBytes)
    s.tail = bytes.substr(bytes.size() - std::min<size_t>(kTailBytes, bytes.size() - kHeadBytes));
  return s;
}

TEST(Content, EntropyBounds) {
  EXPECT_DOUBLE_EQ(Entropy(std::string(1000, 'a')), 0.0);
  EXPECT_GT(Entropy(Random(65536)), 7.9);
  EXPECT_LT(Entropy(ForgeText(1, 20000)), 5.0);
}

TEST(Content, ForgedDocumentsHaveTheirKind) {
  EXPECT_EQ(KindOf(ForgeDocx(1)), Kind::kZip);
  EXPECT_EQ(KindOf(ForgeXlsx(2)), Kind::kZip);
  EXPECT_EQ(KindOf(ForgePdf(3)), Kind::kPdf);
  EXPECT_EQ(KindOf(ForgePng(4)), Kind::kPng);
  EXPECT_EQ(KindOf(ForgeJpeg(5)), Kind::kJpeg);
  EXPECT_EQ(KindOf(ForgeSqlite(6)), Kind::kSqlite);
  EXPECT_EQ(KindOf(ForgeOle(7)), Kind::kOle);
  EXPECT_EQ(KindOf(ForgeText(8, 3000)), Kind::kText);
  for (auto doc : {ForgeDocx(1), ForgePdf(3), ForgePng(4), ForgeJpeg(5)})
    EXPECT_TRUE(TrailerIntact(KindOf(doc), Of(doc)));
}

TEST(Content, WholeFileEncryptionIsDestroyed) {
  for (auto doc : {ForgeText(1, 30000), ForgeDocx(2), ForgePdf(3), ForgeSqlite(4), ForgeJpeg(5)}) {
    Verdict v = Compare(Of(doc), Of(Random(doc.size() + 16)));
    EXPECT_TRUE(v.destroyed) << KindName(KindOf(doc));
  }
}

TEST(Content, HeaderPreservingEncryptionIsDestroyed) {
  for (auto doc : {ForgePdf(13), ForgeJpeg(14), ForgeDocx(15), ForgeText(16, 40000)}) {
    std::string enc = doc.substr(0, 512) + Random(doc.size() - 512);
    EXPECT_TRUE(Compare(Of(doc), Of(enc)).destroyed) << KindName(KindOf(doc));
  }
}

TEST(Content, IntermittentEncryptionIsDestroyed) {
  std::string doc = ForgeText(21, 400000);
  std::string enc = doc;
  for (size_t off = 0; off + 4096 <= enc.size(); off += 4 * 4096)
    enc.replace(off, 4096, Random(4096));
  EXPECT_TRUE(Compare(Of(doc), Of(enc)).destroyed);
}

TEST(Content, HonestRewritesAreNot) {
  std::string text = ForgeText(31, 20000);
  EXPECT_FALSE(Compare(Of(text), Of(text + "appended line\n")).destroyed);
  EXPECT_FALSE(Compare(Of(text), Of(ForgeText(32, 20000))).destroyed);
  std::string db = ForgeSqlite(33), db2 = ForgeSqlite(34);
  EXPECT_FALSE(Compare(Of(db), Of(db2)).destroyed);
  // Compressed output with its magic (gzip of the same text) is not encryption.
  std::string gz = std::string("\x1f\x8b\x08\x00", 4) + Random(8000);
  EXPECT_FALSE(Compare(Of(text), Of(gz)).destroyed);
  EXPECT_FALSE(Compare(Of(text), Of("")).destroyed);  // truncation (copytruncate)
  EXPECT_FALSE(AssessNew("/x/backup.tar.gz", Of(gz)).destroyed);
  EXPECT_FALSE(AssessNew("/x/a.enc", Of("Salted__" + Random(5000))).destroyed);
}

TEST(Content, NewRandomFilesAreSuspicious) {
  EXPECT_TRUE(AssessNew("/x/report.docx.locked", Of(Random(9000))).destroyed);
  EXPECT_FALSE(AssessNew("/x/small", Of(Random(100))).destroyed);  // too short to judge
}

TEST(Content, KindForName) {
  EXPECT_EQ(KindForName("/a/b/Report.PDF"), Kind::kPdf);
  EXPECT_EQ(KindForName("/a/b/.hidden"), Kind::kUnknown);
  EXPECT_EQ(KindForName("noext"), Kind::kUnknown);
}

}  // namespace
}  // namespace vigie::watch

namespace vigie::watch {
namespace {

TEST(Content, HostileBytesNeverCrash) {
  // Short, truncated and random buffers, including ones that start like every known magic.
  const char* magics[] = {"%PDF-",
                          "PK\x03\x04",
                          "\x89PNG\r\n\x1a\n",
                          "\xff\xd8\xff",
                          "GIF89a",
                          "BM",
                          "SQLite format 3",
                          "\x7f"
                          "ELF",
                          "\x1f\x8b",
                          "\x8c",
                          "\xc3",
                          "\x85",
                          "x\x9c",
                          "RIFF"};
  for (int i = 0; i < 2000; ++i) {
    size_t n = size_t(i * 37 % 9000);
    std::string a = Random(n), b = Random(size_t(i * 53 % 7000));
    std::string m = magics[i % (sizeof magics / sizeof *magics)];
    if (i % 2) a = (m + a).substr(0, std::max<size_t>(n, 1));
    if (i % 3 == 0) b = m + b;
    Sample sa = Of(a), sb = Of(b);
    (void)KindName(KindOf(a));
    (void)TrailerIntact(KindOf(a), sa);
    (void)Compare(sa, sb);
    (void)Compare(sb, sa);
    (void)AssessNew(i % 2 ? "/x/a.pdf" : "noext", sb);
  }
  Sample empty;
  EXPECT_FALSE(Compare(empty, empty).destroyed);
  EXPECT_FALSE(AssessNew("", empty).destroyed);
}

TEST(Content, WriteAllThenPreadAllRoundTrip) {
  std::string bytes = Random(300000);  // more than a pipe or one write may take
  FILE* f = tmpfile();
  ASSERT_NE(f, nullptr);
  int fd = fileno(f);
  ASSERT_TRUE(WriteAll(fd, bytes.data(), bytes.size()));
  std::string back(bytes.size() + 10, '\0');
  bool error = false;
  back.resize(PreadAll(fd, back.data(), back.size(), 0, &error));
  EXPECT_FALSE(error);
  EXPECT_EQ(back, bytes);
  fclose(f);
  int bad = -1;
  EXPECT_FALSE(WriteAll(bad, bytes.data(), 1));
}

}  // namespace
}  // namespace vigie::watch
