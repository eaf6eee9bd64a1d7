//===- GgufFileTest.cpp - frontend/gguf on hand-built files ----------------===//
#include "frontend/gguf/GgufFile.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace qforge::gguf;

namespace {

/// Little-endian GGUF bytes built field by field.
struct Builder {
  std::vector<uint8_t> bytes;
  template <typename T> Builder &put(T v) {
    uint8_t b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    bytes.insert(bytes.end(), b, b + sizeof(T));
    return *this;
  }
  Builder &str(const std::string &s) {
    put<uint64_t>(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
    return *this;
  }
  void padTo(size_t alignment) {
    while (bytes.size() % alignment)
      bytes.push_back(0);
  }
};

/// GGUF v3: general.alignment = 64, a string array, one f32 tensor of
/// ne = [32, 2] and one q4_0 tensor of ne = [64, 1] behind it.
std::vector<uint8_t> smallFile() {
  Builder b;
  b.put<uint32_t>(0x46554747).put<uint32_t>(3).put<uint64_t>(2).put<uint64_t>(2);
  b.str("general.alignment").put<uint32_t>(4).put<uint32_t>(64);
  b.str("tokens").put<uint32_t>(9).put<uint32_t>(8).put<uint64_t>(2).str("a").str("bc");
  b.str("w").put<uint32_t>(2).put<uint64_t>(32).put<uint64_t>(2).put<uint32_t>(0).put<uint64_t>(0);
  b.str("q").put<uint32_t>(1).put<uint64_t>(64).put<uint32_t>(2).put<uint64_t>(256);
  b.padTo(64);
  for (int i = 0; i < 256 + 36; ++i)
    b.bytes.push_back(uint8_t(i));
  return b.bytes;
}

llvm::Expected<std::unique_ptr<GgufFile>> parse(const std::vector<uint8_t> &bytes) {
  return GgufFile::read(llvm::MemoryBuffer::getMemBufferCopy(
                            llvm::StringRef(reinterpret_cast<const char *>(bytes.data()), bytes.size())),
                        "test.gguf");
}

std::string errorOf(const std::vector<uint8_t> &bytes) {
  auto file = parse(bytes);
  if (file)
    return "";
  return llvm::toString(file.takeError());
}

TEST(GgufFile, ReadsHeaderMetadataAndTensors) {
  auto file = parse(smallFile());
  ASSERT_TRUE(bool(file)) << llvm::toString(file.takeError());
  const GgufFile &f = **file;
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), 64u);
  EXPECT_EQ(f.dataOffset() % 64, 0u);
  const Value *tokens = f.find("tokens");
  ASSERT_NE(tokens, nullptr);
  ASSERT_EQ(tokens->elements.size(), 2u);
  EXPECT_EQ(tokens->elements[1].s, "bc");
  const TensorInfo *w = f.findTensor("w"), *q = f.findTensor("q");
  ASSERT_TRUE(w && q);
  EXPECT_EQ(w->bytes, 256u);
  EXPECT_EQ(w->data[1], 1);
  EXPECT_EQ(q->bytes, 36u); // two Q4_0 blocks
  EXPECT_EQ(q->data[0], 0); // 256 mod 256
}

TEST(GgufFile, EveryTruncationIsALocatedError) {
  std::vector<uint8_t> bytes = smallFile();
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::string err = errorOf(std::vector<uint8_t>(bytes.begin(), bytes.begin() + n));
    EXPECT_NE(err.find("test.gguf: offset "), std::string::npos) << "cut at " << n << ": " << err;
  }
}

TEST(GgufFile, CorruptFieldsNameTheField) {
  std::vector<uint8_t> bytes = smallFile();
  auto patched = [&](size_t at, uint64_t value, size_t width) {
    std::vector<uint8_t> copy = bytes;
    std::memcpy(copy.data() + at, &value, width);
    return errorOf(copy);
  };
  // general.alignment's value sits after magic, version, counts (24), the
  // key (8 + 17) and its type (4).
  EXPECT_NE(patched(24 + 25 + 4, 48, 4).find("general.alignment': must be a uint32 power of two"), std::string::npos);
  EXPECT_NE(patched(4, 7, 4).find("offset 4: version: GGUF version 7"), std::string::npos);
  EXPECT_NE(patched(16, uint64_t(1) << 40, 8).find("metadata count"), std::string::npos);
  // The tokens array's count.
  size_t count = 24 + 25 + 4 + 4 + 8 + 6 + 4 + 4;
  EXPECT_NE(patched(count, uint64_t(1) << 40, 8).find("elements of string cannot fit"), std::string::npos);
}

} // namespace
