//===- CppText.h - Writing the HLS kernels' C++ (private to codegen/hls) ---===//
#ifndef QFORGE_CODEGEN_HLS_CPPTEXT_H
#define QFORGE_CODEGEN_HLS_CPPTEXT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace qforge::hls {

/// `text` with each ${KEY} replaced by its value (C++ is full of braces,
/// which formatv would take for replacements).
std::string fill(llvm::StringRef text, llvm::ArrayRef<std::pair<llvm::StringRef, std::string>> values);

template <typename T> std::string str(const T &v) {
  std::string s;
  llvm::raw_string_ostream(s) << v;
  return s;
}

/// An f32 literal that reads back as `x` exactly.
std::string floatLiteral(float x);
/// A double literal that reads back as `x` exactly.
std::string doubleLiteral(double x);
/// Comma-separated, 16 a line.
std::string joinInts(llvm::ArrayRef<int64_t> values);

/// C++ helpers the kernels share, each `#pragma HLS INLINE`:
///   code_at<B>(buf, index)   bits [index*B, index*B+B) of a bit-packed buffer
///   le32(buf, i), f32_from_bits(u32), f32_from_f16(u32)
///   round_to_f16(double x >= 0)   nearest f16 value, ties to even
extern const char kBitHelpers[];

} // namespace qforge::hls

#endif // QFORGE_CODEGEN_HLS_CPPTEXT_H
