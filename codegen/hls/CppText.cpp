//===- CppText.cpp - Writing the HLS kernels' C++ --------------------------===//
#include "codegen/hls/CppText.h"

#include <cmath>
#include <cstdio>

using namespace qforge::hls;

std::string qforge::hls::fill(llvm::StringRef text,
                              llvm::ArrayRef<std::pair<llvm::StringRef, std::string>> values) {
  std::string out = text.str();
  for (auto &[key, value] : values) {
    std::string token = "${" + key.str() + "}";
    for (size_t at = out.find(token); at != std::string::npos; at = out.find(token, at + value.size()))
      out.replace(at, token.size(), value);
  }
  return out;
}

std::string qforge::hls::floatLiteral(float x) {
  if (!std::isfinite(x))
    return std::isnan(x) ? "NAN" : (x > 0 ? "INFINITY" : "-INFINITY");
  char text[48];
  std::snprintf(text, sizeof text, "%.8ef", double(x)); // 9 digits: the same float back
  return text;
}

std::string qforge::hls::doubleLiteral(double x) {
  if (!std::isfinite(x))
    return std::isnan(x) ? "NAN" : (x > 0 ? "INFINITY" : "-INFINITY");
  char text[48];
  std::snprintf(text, sizeof text, "%.16e", x); // 17 digits: the same double back
  return text;
}

std::string qforge::hls::joinInts(llvm::ArrayRef<int64_t> v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? (i % 16 ? ", " : ",\n    ") : "") + std::to_string(v[i]);
  return s;
}

const char qforge::hls::kBitHelpers[] = R"(// Bits [index * B, index * B + B) of a little-endian bit-packed buffer.
template <int B> ap_uint<B> code_at(const ap_uint<8> *buf, long index) {
#pragma HLS INLINE
  const long bit = index * B;
  ap_uint<16> two = buf[bit >> 3];
  if ((bit & 7) + B > 8)
    two |= ap_uint<16>(buf[(bit >> 3) + 1]) << 8;
  return ap_uint<B>(two >> (bit & 7));
}

uint32_t le32(const ap_uint<8> *buf, long i) {
#pragma HLS INLINE
  return uint32_t(buf[4 * i]) | uint32_t(buf[4 * i + 1]) << 8 | uint32_t(buf[4 * i + 2]) << 16 |
         uint32_t(buf[4 * i + 3]) << 24;
}

float f32_from_bits(uint32_t bits) {
#pragma HLS INLINE
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint32_t f32_bits(float f) {
#pragma HLS INLINE
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return bits;
}

float f32_from_f16(uint32_t h) {
#pragma HLS INLINE
  const int e = (h >> 10) & 0x1F, m = h & 0x3FF;
  float v = e == 0 ? std::ldexp(float(m), -24)
          : e == 31 ? (m ? NAN : INFINITY)
                    : std::ldexp(float(m | 0x400), e - 25);
  return (h & 0x8000) ? -v : v;
}

// x >= 0 to the nearest f16 value, ties to even (as a double).
double round_to_f16(double x) {
#pragma HLS INLINE
  if (x == 0.0)
    return 0.0;
  const int e = std::max(std::ilogb(x), -14); // subnormals: steps of 2^-24
  const double step = std::ldexp(1.0, e - 10);
  const double r = std::nearbyint(x / step) * step;
  return r > 65504.0 ? INFINITY : r;
}

// The f16 bits of round_to_f16's result.
uint32_t f16_bits(double r) {
#pragma HLS INLINE
  if (r == INFINITY)
    return 0x7C00;
  if (r < std::ldexp(1.0, -14))
    return uint32_t(std::ldexp(r, 24));
  const int e = std::ilogb(r);
  return uint32_t(e + 15) << 10 | (uint32_t(std::ldexp(r, 10 - e)) & 0x3FF);
}

)";
