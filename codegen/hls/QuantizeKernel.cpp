//===- QuantizeKernel.cpp - qf.quantize as an HLS kernel -------------------===//
//
// The reference quantizer's steps (dialects/qf/lib/Reference/
// SchemeQuantizer.cpp, docs/formats.md) in double, per block: the block's
// range, its ideal scale, the stored scale (a shared exponent, an f16/f32
// rounding, or the nearest code of a scale format), the zero point, then each
// element's code. A format's encoder is generated from its host codec: the
// finite values ascending, the midpoints between neighbours, and the code a
// midpoint itself takes under the scheme's rounding (so ties need no logic
// of their own), plus the sign of zero. The storage buffers are written bit
// packed, as qf/IR/Layout.h lays them out.
//===----------------------------------------------------------------------===//
#include "codegen/hls/CppText.h"
#include "codegen/hls/HlsKernel.h"

#include "qf/IR/Layout.h"
#include "qf/Reference/HostCodec.h"
#include "qf/Reference/Quantizer.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qf;
using llvm::formatv;

namespace qforge::hls {
namespace {

/// `uint32_t encode_NAME(double y)`: the code HostCodec::encode(y, mode,
/// saturate = true) gives, and with `decoder` `const double NAME_VALUES[]`
/// by code.
std::string emitEncoder(llvm::StringRef name, QuantFormatAttrInterface format, RoundingMode mode,
                        bool decoder) {
  HostCodec codec(format);
  unsigned bits = format.getBitWidth();
  llvm::ArrayRef<HostCodec::Entry> entries = codec.getEntries();
  std::optional<uint64_t> negZero = codec.getNegativeZeroCode();
  std::string values, codes, mids, ties;
  for (size_t i = 0; i < entries.size(); ++i) {
    values += (i ? ", " : "") + doubleLiteral(entries[i].value);
    codes += (i ? ", " : "") + str(entries[i].code);
    if (i + 1 == entries.size())
      continue;
    double lo = entries[i].value, hi = entries[i + 1].value;
    double mid = lo + (hi - lo) / 2;
    if (mode == RoundingMode::toward_zero) // the smaller magnitude, whichever side
      mid = std::fabs(lo) < std::fabs(hi) ? INFINITY : -INFINITY;
    mids += (i ? ", " : "") + doubleLiteral(mid);
    ties += (i ? ", " : "") + str(std::isfinite(mid) ? codec.encode(mid, mode) : entries[i].code);
  }
  uint64_t zeroCode = 0;
  for (const HostCodec::Entry &e : entries)
    if (e.value == 0)
      zeroCode = e.code;
  std::string negZeroFix;
  if (negZero) {
    uint64_t fixed = mode == RoundingMode::nearest_lowest_code ? std::min(zeroCode, *negZero) : *negZero;
    negZeroFix = formatv("  if (code == {0} && std::signbit(y))\n    code = {1};\n", zeroCode, fixed).str();
  }
  std::optional<uint64_t> nan = format.getNaNCode();
  std::string decodeTable;
  if (decoder) {
    std::string byCode;
    for (uint64_t c = 0; c < (uint64_t(1) << bits); ++c) {
      double v = codec.decode(c);
      byCode += (c ? (c % 8 ? ", " : ",\n    ") : "") + doubleLiteral(std::isfinite(v) ? v : 0.0);
    }
    decodeTable = fill(R"(// ${FORMAT}: the value of every code (non-finite ones as 0).
const double ${NAME}_VALUES[${CODES}] = {
    ${BY_CODE}};
)",
                       {{"FORMAT", str(format)},
                        {"NAME", name.str()},
                        {"CODES", str(uint64_t(1) << bits)},
                        {"BY_CODE", byCode}});
  }
  return decodeTable + fill(R"(// ${FORMAT}, rounding ${MODE}, saturating: finite values ascending, their codes,
// the midpoints between neighbours and the code a midpoint takes.
const double ${NAME}_SORTED[${N}] = {${VALUES}};
const uint32_t ${NAME}_SORTED_CODES[${N}] = {${CODES_SORTED}};
const double ${NAME}_MIDS[${N1}] = {${MIDS}};
const uint32_t ${NAME}_TIES[${N1}] = {${TIES}};

uint32_t encode_${NAME}(double y) {
#pragma HLS INLINE
  if (std::isnan(y))
    ${NAN}
  if (y >= ${NAME}_SORTED[${N1}])
    return ${NAME}_SORTED_CODES[${N1}];
  if (y <= ${NAME}_SORTED[0])
    return ${NAME}_SORTED_CODES[0];
  int i = 0; // the first value >= y
  for (int j = 0; j < ${N}; ++j) {
#pragma HLS UNROLL
    if (${NAME}_SORTED[j] < y)
      i = j + 1;
  }
  uint32_t code;
  if (${NAME}_SORTED[i] == y)
    code = ${NAME}_SORTED_CODES[i];
  else
    code = y > ${NAME}_MIDS[i - 1]   ? ${NAME}_SORTED_CODES[i]
           : y < ${NAME}_MIDS[i - 1] ? ${NAME}_SORTED_CODES[i - 1]
                                    : ${NAME}_TIES[i - 1];
${NEG_ZERO}  return code;
}

)",
              {{"FORMAT", str(format)},
               {"NAME", name.str()},
               {"MODE", stringifyRoundingMode(mode).str()},
               {"N", str(entries.size())},
               {"N1", str(entries.size() - 1)},
               {"VALUES", values},
               {"CODES_SORTED", codes},
               {"MIDS", mids},
               {"TIES", ties},
               {"NAN", nan ? "return " + str(*nan) + ";" : "y = 0.0;"},
               {"NEG_ZERO", negZeroFix}});
}

enum class ScaleKind { exponent, f16, f32, format };

class QuantizeKernel : public HlsKernel {
public:
  explicit QuantizeKernel(std::string name) : HlsKernel(std::move(name)) {}

  int64_t m = 0, k = 0, group = 0;
  SchemeAttr scheme;
  StorageLayout layout;
  ScaleKind scaleKind = ScaleKind::f16;
  bool zeroPoint = false, tensorScale = false;
  int64_t partition = 0;

  int64_t blocks() const { return m * (k / group); }
  unsigned elementBits() const { return scheme.getElement().getBitWidth(); }

  std::string describe() const override {
    return "qf.quantize of " + str(m) + "x" + str(k) + " f32 to " + str(scheme);
  }
  std::vector<Port> ports() const override {
    std::vector<Port> p = {{"x", false, false, m * k}};
    for (const StorageBuffer &b : layout.buffers)
      p.push_back({"q_" + b.name, true, true, b.bytes});
    return p;
  }

  std::string emitStages() const override;
  std::string emitTopBody() const override;

  llvm::Expected<TestData> makeTestData(uint64_t seed) const override {
    std::mt19937_64 rng(seed);
    std::vector<float> x = testActivations(m, k, rng);
    llvm::Expected<QuantizedTensor> q = quantize(scheme, {m, k}, x);
    if (!q)
      return q.takeError();
    TestData data{{"x", bytesOf(x)}};
    for (auto [desc, bytes] : llvm::zip(q->layout.buffers, q->buffers))
      data["q_" + desc.name] = bytes;
    return data;
  }

  Estimate estimate() const override {
    Estimate e;
    int64_t values = int64_t(1) << elementBits();
    // A double divide (3200 LUT), add and compares (ilogb, rounding: 800
    // LUT), and a comparator a format value (120 LUT) for the encoder.
    e.dsp = 3 + (zeroPoint ? 3 : 0);
    e.lut = 3200 + 800 + 120 * values + (tensorScale ? 1000 : 0);
    e.bram18k = (group * 32 + 18431) / 18432 + (partition > 1 ? partition - 1 : 0);
    // Per block: one pass for the range, one to encode, at II = 1, and a
    // 60-cycle scale computation; with a tensor scale, a first pass.
    e.latencyCycles = blocks() * (2 * group + 60) + (tensorScale ? m * k : 0) + layout.totalBytes();
    e.intervalCycles = e.latencyCycles;
    return e;
  }
  std::string describeKnobs() const override {
    return "partition = " + str(partition) + " (the block's values, cyclic); the encoder's " +
           str(int64_t(1) << elementBits()) + " comparisons unrolled";
  }

private:
  const StorageBuffer *buffer(llvm::StringRef name) const {
    for (const StorageBuffer &b : layout.buffers)
      if (b.name == name)
        return &b;
    return nullptr;
  }
};

std::string QuantizeKernel::emitStages() const {
  QuantFormatAttrInterface elem = scheme.getElement();
  RoundingMode mode = scheme.getRounding();
  std::string s = formatv("constexpr int M = {0}, K = {1}, GROUP = {2};\n\n", m, k, group).str();
  s += kBitHelpers;
  s += R"(// ORs `code` into bits [index * B, index * B + B) of a zeroed buffer.
template <int B> void put_bits(ap_uint<8> *buf, long index, uint32_t code) {
#pragma HLS INLINE
  const long bit = index * B;
  const ap_uint<16> two = ap_uint<16>(code) << (bit & 7);
  buf[bit >> 3] |= ap_uint<8>(two);
  if ((bit & 7) + B > 8)
    buf[(bit >> 3) + 1] |= ap_uint<8>(two >> 8);
}

void put_le(ap_uint<8> *buf, long at, uint32_t bits, int bytes) {
#pragma HLS INLINE
  for (int i = 0; i < bytes; ++i)
    buf[at + i] = ap_uint<8>(bits >> (8 * i));
}

)";
  s += emitEncoder("elem", elem, mode, /*decoder=*/false);
  Attribute scaleAttr = scheme.getScale();
  if (scaleKind == ScaleKind::format)
    s += emitEncoder("scale", cast<QuantFormatAttrInterface>(scaleAttr), RoundingMode::nearest_even,
                     /*decoder=*/true);
  if (zeroPoint)
    s += emitEncoder("offset", cast<QuantFormatAttrInterface>(scheme.getOffsetFormat()),
                     RoundingMode::nearest_even, /*decoder=*/true);

  HostCodec codec(elem);
  double vmax = codec.maxValue(), vmin = codec.minValue();
  double top = 0;
  if (scaleKind == ScaleKind::format)
    top = HostCodec(cast<QuantFormatAttrInterface>(scaleAttr)).maxValue();
  else if (scaleKind == ScaleKind::f16)
    top = 65504.0;
  else if (scaleKind == ScaleKind::f32)
    top = double(std::numeric_limits<float>::max());

  // The stored scale: its code, and S = its value times the outer scale.
  std::string storeScale;
  switch (scaleKind) {
  case ScaleKind::exponent:
    storeScale = fill(R"(      // OCP MX: 2^(floor(log2(amax)) - emax), the exponent in [-127, 127].
      const double amax = std::max(std::fabs(hi), std::fabs(lo));
      const int e = amax > 0.0 ? std::min(std::max(std::ilogb(amax) - ${EMAX}, -127), 127) : -127;
      put_bits<8>(q_scales, blk, uint32_t(e + 127));
      const double S = std::ldexp(1.0, e);
)",
                      {{"EMAX", str(getMaxExponent(elem))}});
    break;
  case ScaleKind::f16:
    storeScale = R"(      const double r = round_to_f16(outer > 0.0 ? s / outer : 0.0);
      put_le(q_scales, 2 * blk, f16_bits(r), 2);
      const double S = r * outer;
)";
    break;
  case ScaleKind::f32:
    storeScale = R"(      const float r = float(outer > 0.0 ? s / outer : 0.0);
      put_le(q_scales, 4 * blk, f32_bits(r), 4);
      const double S = double(r) * outer;
)";
    break;
  case ScaleKind::format:
    storeScale = fill(R"(      const uint32_t scode = encode_scale(outer > 0.0 ? s / outer : 0.0);
      put_bits<${BITS}>(q_scales, blk, scode);
      const double S = scale_VALUES[scode] * outer;
)",
                      {{"BITS", str(scheme.getScaleBits())}});
    break;
  }
  std::string ideal = zeroPoint
                          ? fill("      const double s = (std::max(hi, 0.0) - std::min(lo, 0.0)) / (${VMAX} - "
                                 "(${VMIN}));\n",
                                 {{"VMAX", doubleLiteral(vmax)}, {"VMIN", doubleLiteral(vmin)}})
                          : std::string("      double s = 0.0;\n") +
                                (vmax > 0 ? "      s = std::max(s, hi / " + doubleLiteral(vmax) + ");\n" : "") +
                                (vmin < 0 ? "      s = std::max(s, lo / (" + doubleLiteral(vmin) + "));\n" : "");
  std::string offsets;
  if (zeroPoint)
    offsets = fill(R"(      const uint32_t zcode = encode_offset(S > 0.0 ? -std::min(lo, 0.0) / S : 0.0);
      put_bits<${BITS}>(q_offsets, blk, zcode);
      const double zp = offset_VALUES[zcode];
)",
                   {{"BITS", str(buffer("offsets")->itemBits)}});
  std::string outer = "  const double outer = 1.0;\n";
  if (tensorScale)
    outer = fill(R"(  // The tensor scale: the largest block scale any block can want, spread
  // over the scale format's range.
  double all_hi = -INFINITY, all_lo = INFINITY;
tensor:
  for (int i = 0; i < M * K; ++i) {
#pragma HLS PIPELINE II=1
    all_hi = std::max(all_hi, double(x[i]));
    all_lo = std::min(all_lo, double(x[i]));
  }
  double ts = 0.0;
${TS_MAX}${TS_MIN}  float t32 = float(ts);
  if (t32 == 0.0f || !std::isfinite(t32))
    t32 = 1.0f;
  put_le(q_tensor_scale, 0, f32_bits(t32), 4);
  const double outer = t32;
)",
                 {{"TS_MAX", vmax > 0 ? "  ts = std::max(ts, all_hi / (" + doubleLiteral(vmax) + " * " +
                                            doubleLiteral(top) + "));\n"
                                      : ""},
                  {"TS_MIN", vmin < 0 ? "  ts = std::max(ts, all_lo / ((" + doubleLiteral(vmin) + ") * " +
                                            doubleLiteral(top) + "));\n"
                                      : ""}});
  std::string params = "const float x[M * K]";
  for (const StorageBuffer &b : layout.buffers)
    params += ", ap_uint<8> q_" + b.name + "[" + str(b.bytes) + "]";
  s += fill(R"(void quantize(${PARAMS}) {
${OUTER}blocks:
  for (int blk = 0; blk < M * (K / GROUP); ++blk) {
    const int base = (blk / (K / GROUP)) * K + (blk % (K / GROUP)) * GROUP;
    double v[GROUP];
#pragma HLS ARRAY_PARTITION variable=v cyclic factor=${PARTITION}
    double hi = -INFINITY, lo = INFINITY;
  range:
    for (int t = 0; t < GROUP; ++t) {
#pragma HLS PIPELINE II=1
      v[t] = x[base + t];
      hi = std::max(hi, v[t]);
      lo = std::min(lo, v[t]);
    }
    {
${IDEAL}${STORE_SCALE}${OFFSETS}    codes:
      for (int t = 0; t < GROUP; ++t) {
#pragma HLS PIPELINE II=1
        double y = S > 0.0 ? v[t] / S : 0.0;
${ADD_ZP}        put_bits<${ELEM_BITS}>(q_data, long(base) + t, encode_elem(y));
      }
    }
  }
}
)",
            {{"PARAMS", params},
             {"OUTER", outer},
             {"PARTITION", str(partition)},
             {"IDEAL", ideal},
             {"STORE_SCALE", storeScale},
             {"OFFSETS", offsets},
             {"ADD_ZP", zeroPoint ? "        y += zp;\n" : ""},
             {"ELEM_BITS", str(elementBits())}});
  return s;
}

std::string QuantizeKernel::emitTopBody() const {
  std::string s;
  for (const StorageBuffer &b : layout.buffers)
    s += fill(R"(zero_${NAME}:
  for (int i = 0; i < ${BYTES}; ++i) {
#pragma HLS PIPELINE II=1
    q_${NAME}[i] = 0;
  }
)",
              {{"NAME", b.name}, {"BYTES", str(b.bytes)}});
  s += "  quantize(x";
  for (const StorageBuffer &b : layout.buffers)
    s += ", q_" + b.name;
  return s + ");\n";
}

} // namespace

llvm::Expected<std::unique_ptr<HlsKernel>> makeQuantizeKernel(func::FuncOp fn, QuantizeOp op,
                                                              const HlsOptions &options) {
  std::string where = errorPrefix(op.getLoc(), "qf.quantize in @" + fn.getSymName().str());
  auto fail = [&](const llvm::Twine &why) { return llvm::createStringError(where + why); };
  RankedTensorType type = staticF32Matrix(op.getInput().getType());
  if (!type)
    return fail("the input must be a static rank-2 f32 tensor");
  if (fn.getNumArguments() != 1 || op.getInput() != fn.getArgument(0))
    return fail("the function's one argument must be the input");
  auto kernel = std::make_unique<QuantizeKernel>(fn.getSymName().str());
  kernel->m = type.getDimSize(0);
  kernel->k = type.getDimSize(1);
  SchemeAttr scheme = kernel->scheme = op.getResult().getType().getScheme();
  kernel->layout = getStorageLayout(scheme, {kernel->m, kernel->k});
  if (scheme.getLayout() != LayoutKind::planar)
    return fail(llvm::Twine("schemes in the ") + stringifyLayoutKind(scheme.getLayout()) +
                " layout are not supported by the hls target yet (planar schemes are)");
  if (scheme.getGranularity() == Granularity::group && (scheme.getAxis() == 1 || scheme.getAxis() == -1))
    kernel->group = scheme.getGroupSize();
  else if (scheme.getGranularity() == Granularity::per_axis && scheme.getAxis() == 0)
    kernel->group = kernel->k;
  else
    return fail("scales must be per group along the last axis or per row");
  if (scheme.getSuperBlock())
    return fail("second-level scales are not supported by the hls target yet");
  if (scheme.getOffset() == OffsetKind::min)
    return fail("mins are not supported by the hls target yet (zero points are)");
  if (!scheme.getSaturate())
    return fail("saturate = false is not supported by the hls target");
  if (scheme.getElement().getBitWidth() > 8)
    return fail("element formats of more than 8 bits are not supported by the hls target");
  kernel->zeroPoint = scheme.getOffset() == OffsetKind::zero_point;
  if (scheme.hasSharedExponentScale()) {
    kernel->scaleKind = ScaleKind::exponent;
  } else if (auto t = dyn_cast<TypeAttr>(scheme.getScale())) {
    if (t.getValue().isF16())
      kernel->scaleKind = ScaleKind::f16;
    else if (t.getValue().isF32())
      kernel->scaleKind = ScaleKind::f32;
    else
      return fail("scales must be f16, f32, shared exponents or a format of at most 8 bits");
  } else if (scheme.getScaleBits() <= 8) {
    kernel->scaleKind = ScaleKind::format;
  } else {
    return fail("scales must be f16, f32, shared exponents or a format of at most 8 bits");
  }
  if (Type t = scheme.getTensorScaleType()) {
    if (!t.isF32() || kernel->scaleKind == ScaleKind::exponent)
      return fail("a tensor scale must be f32, over block scales that are not shared exponents");
    kernel->tensorScale = true;
  }
  kernel->partition = options.partition ? options.partition : 1;
  return std::unique_ptr<HlsKernel>(std::move(kernel));
}

} // namespace qforge::hls
