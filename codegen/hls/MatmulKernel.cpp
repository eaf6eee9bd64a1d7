//===- MatmulKernel.cpp - qf.matmul as an HLS kernel -----------------------===//
//
// A qf.matmul with an integer activation scheme: a DATAFLOW of two stages,
// the activation quantizer (the reference's double-precision arithmetic) and
// the fused dequantizing dot product. Weight codes decode through a ROM to
// integers in units of the format's smallest step, so a joint block (weight
// block x activation group) is an exact ap_int dot product whatever the
// unroll; blocks then accumulate in f32 in K order:
//   acc += (ws_b * sa_g) * float(dot_j)
// with ws_b the weight block's decoded scale (times the tensor scale, times
// the step). docs/hls.md states it; the host reference below computes the
// same from the qf reference library (HostCodec, encodeFloatBits).
//===----------------------------------------------------------------------===//
#include "codegen/hls/CppText.h"
#include "codegen/hls/HlsKernel.h"

#include "qf/IR/Layout.h"
#include "qf/Reference/HostCodec.h"
#include "qf/Reference/Quantizer.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace mlir;
using namespace mlir::qf;
using llvm::formatv;

namespace qforge::hls {
namespace {

/// The codes of a format as integers in units of 2^unitExp (the coarsest
/// power of two that makes every finite value whole); non-finite codes
/// decode to 0 (the quantizers saturate and never produce them).
struct IntegerCodes {
  unsigned codeBits = 0;
  int unitExp = 0;
  std::vector<int64_t> values;
  int64_t lo = 0, hi = 0;
  /// Bits of a signed integer that holds every value.
  unsigned valueBits() const {
    unsigned b = 1;
    while (lo < -(int64_t(1) << (b - 1)) || hi > (int64_t(1) << (b - 1)) - 1)
      ++b;
    return b;
  }
};

/// Weights wider than this (as integers) would make the dot products
/// overflow 64 bits.
constexpr int kMaxValueBits = 40;

std::optional<IntegerCodes> integerCodes(QuantFormatAttrInterface format) {
  IntegerCodes c;
  c.codeBits = format.getBitWidth();
  if (c.codeBits > 8)
    return std::nullopt;
  HostCodec codec(format);
  std::vector<double> v;
  for (uint64_t code = 0; code < (uint64_t(1) << c.codeBits); ++code) {
    double x = codec.decode(code);
    v.push_back(std::isfinite(x) ? x : 0.0);
  }
  for (c.unitExp = 30; c.unitExp >= -30; --c.unitExp) {
    bool whole = llvm::all_of(v, [&](double x) {
      double y = std::ldexp(x, -c.unitExp);
      return y == std::floor(y) && std::fabs(y) < std::ldexp(1.0, kMaxValueBits - 1);
    });
    if (whole)
      break;
  }
  if (c.unitExp < -30)
    return std::nullopt;
  for (double x : v) {
    c.values.push_back(int64_t(std::ldexp(x, -c.unitExp)));
    c.lo = std::min(c.lo, c.values.back());
    c.hi = std::max(c.hi, c.values.back());
  }
  return c;
}

/// How the kernel turns a stored block scale into an f32.
enum class ScaleKind { rom, f16, f32 };

/// What one qf.matmul function computes, checked.
class MatmulKernel : public HlsKernel {
public:
  explicit MatmulKernel(std::string name) : HlsKernel(std::move(name)) {}

  int64_t m = 0, n = 0, k = 0;
  SchemeAttr weights, acts;
  StorageLayout layout;
  // Weights.
  int64_t block = 0; ///< elements of K one weight scale covers
  IntegerCodes codes;
  ScaleKind scaleKind = ScaleKind::rom;
  std::optional<IntegerCodes> zeroPoints;
  bool tensorScale = false;
  // Activations: int codes, one f32 scale a group.
  int64_t group = 0;
  bool mx = false;          ///< shared-exponent scale, else a float scale (f16 or f32)
  bool actScaleF16 = false; ///< float scale rounded to f16
  IntegerCodes actCodes;
  int actEmax = 0; ///< MX: floor(log2) of the element's largest value
  // Joint blocks.
  int64_t joint = 0;
  int64_t unroll = 0, partition = 0;

  int64_t weightBlocks() const { return k / block; }
  int64_t groups() const { return k / group; }
  unsigned weightBits() const {
    return zeroPoints ? std::max(codes.valueBits(), zeroPoints->valueBits()) + 1 : codes.valueBits();
  }
  unsigned accBits() const {
    unsigned lanes = 0;
    while ((int64_t(1) << lanes) < joint)
      ++lanes;
    return weightBits() + actCodes.valueBits() + lanes;
  }

  std::string describe() const override {
    return "qf.matmul " + str(m) + "x" + str(k) + " activations (" + str(acts) + ") x " + str(n) + "x" + str(k) +
           " weights (" + str(weights) + ")";
  }
  std::vector<Port> ports() const override {
    std::vector<Port> p = {{"a", false, false, m * k}};
    for (const StorageBuffer &b : layout.buffers)
      p.push_back({"w_" + b.name, false, true, b.bytes});
    p.push_back({"c", true, false, m * n});
    return p;
  }
  std::string emitStages() const override;
  std::string emitTopBody() const override;
  llvm::Expected<TestData> makeTestData(uint64_t seed) const override;
  Estimate estimate() const override;
  std::string describeKnobs() const override {
    return formatv("unroll = {0} lanes a cycle, partition = {1} (qa, cyclic); joint block of {2}", unroll,
                   partition, joint);
  }
};

/// The kernel's arithmetic on the host, from the reference library:
/// HostCodec for codes, SchemeAttr::decodeScale for scales, encodeFloatBits
/// for the f16 rounding of activation scales.
std::vector<float> hostReference(const MatmulKernel &kn, llvm::ArrayRef<float> a, const QuantizedTensor &w) {
  auto bufferOf = [&](llvm::StringRef name) -> const std::vector<uint8_t> & {
    for (auto [desc, bytes] : llvm::zip(w.layout.buffers, w.buffers))
      if (desc.name == name)
        return bytes;
    llvm_unreachable("no such buffer");
  };
  auto bitsAt = [](const std::vector<uint8_t> &buf, int64_t index, unsigned bits) {
    uint64_t v = 0;
    for (unsigned i = 0; i < bits; ++i) {
      int64_t bit = index * bits + i;
      v |= uint64_t((buf[bit / 8] >> (bit % 8)) & 1) << i;
    }
    return v;
  };
  HostCodec element(kn.weights.getElement());
  int64_t groups = kn.groups();
  std::vector<int64_t> qa(kn.m * kn.k);
  std::vector<float> sa(kn.m * groups);
  FloatType f16 = Float16Type::get(kn.weights.getContext());
  for (int64_t m = 0; m < kn.m; ++m)
    for (int64_t g = 0; g < groups; ++g) {
      const float *x = &a[m * kn.k + g * kn.group];
      double scale, unit;
      if (kn.mx) {
        double amax = 0;
        for (int64_t t = 0; t < kn.group; ++t)
          amax = std::max(amax, std::fabs(double(x[t])));
        int e = amax > 0 ? std::clamp(std::ilogb(amax) - kn.actEmax, -127, 127) : -127;
        scale = std::ldexp(1.0, e);
        unit = std::ldexp(1.0, e + kn.actCodes.unitExp);
      } else {
        double hi = *std::max_element(x, x + kn.group), lo = *std::min_element(x, x + kn.group);
        double s = std::max(hi / double(kn.actCodes.hi), lo / double(kn.actCodes.lo));
        scale = s == 0 ? 0.0 : kn.actScaleF16 ? decodeFloatBits(f16, encodeFloatBits(f16, s)) : double(float(s));
        unit = scale;
      }
      sa[m * groups + g] = float(unit);
      for (int64_t t = 0; t < kn.group; ++t) {
        double q = kn.mx ? std::nearbyint(double(x[t]) / scale * std::ldexp(1.0, -kn.actCodes.unitExp))
                   : scale > 0 ? std::nearbyint(double(x[t]) / scale)
                               : 0.0;
        qa[m * kn.k + g * kn.group + t] = int64_t(std::clamp(q, double(kn.actCodes.lo), double(kn.actCodes.hi)));
      }
    }
  const std::vector<uint8_t> &data = bufferOf("data"), &scales = bufferOf("scales");
  float tensorScale = 1;
  if (kn.tensorScale)
    std::memcpy(&tensorScale, bufferOf("tensor_scale").data(), 4);
  std::optional<HostCodec> zeroPoints;
  const std::vector<uint8_t> *offsets = nullptr;
  if (kn.zeroPoints) {
    zeroPoints.emplace(cast<QuantFormatAttrInterface>(kn.weights.getOffsetFormat()));
    offsets = &bufferOf("offsets");
  }
  std::vector<float> c(kn.m * kn.n);
  for (int64_t m = 0; m < kn.m; ++m)
    for (int64_t n = 0; n < kn.n; ++n) {
      float acc = 0;
      for (int64_t j = 0; j < kn.k / kn.joint; ++j) {
        int64_t blockIndex = n * kn.weightBlocks() + j * kn.joint / kn.block, dot = 0;
        double zp = zeroPoints ? zeroPoints->decode(bitsAt(*offsets, blockIndex, kn.zeroPoints->codeBits)) : 0.0;
        for (int64_t t = 0; t < kn.joint; ++t) {
          int64_t e = n * kn.k + j * kn.joint + t;
          double v = element.decode(bitsAt(data, e, kn.codes.codeBits));
          if (!std::isfinite(v))
            v = 0;
          if (zeroPoints)
            v -= zp;
          dot += int64_t(std::ldexp(v, -kn.codes.unitExp)) * qa[m * kn.k + j * kn.joint + t];
        }
        float ws = float(kn.weights.decodeScale(bitsAt(scales, blockIndex, kn.weights.getScaleBits())));
        if (kn.tensorScale)
          ws = ws * tensorScale;
        ws = ws * std::ldexp(1.0f, kn.codes.unitExp);
        float scale = ws * sa[m * groups + j * kn.joint / kn.group];
        acc += scale * float(dot);
      }
      c[m * kn.n + n] = acc;
    }
  return c;
}

} // namespace

llvm::Expected<std::unique_ptr<HlsKernel>> makeMatmulKernel(func::FuncOp fn, MatmulOp matmul,
                                                            const HlsOptions &options) {
  std::string where = errorPrefix(matmul.getLoc(), "qf.matmul in @" + fn.getSymName().str());
  auto fail = [&](const llvm::Twine &why) { return llvm::createStringError(where + why); };
  RankedTensorType aType = staticF32Matrix(matmul.getLhs().getType());
  if (!aType || !staticF32Matrix(matmul.getResult().getType()))
    return fail("activations and result must be static rank-2 f32 tensors");
  if (fn.getNumArguments() != 2 || matmul.getLhs() != fn.getArgument(0) || matmul.getRhs() != fn.getArgument(1))
    return fail("the function's arguments must be the matmul's activations and weights");

  auto made = std::make_unique<MatmulKernel>(fn.getSymName().str());
  MatmulKernel &kernel = *made;
  kernel.m = aType.getDimSize(0);
  QTensorType wType = matmul.getRhs().getType();
  kernel.n = wType.getShape()[0];
  kernel.k = wType.getShape()[1];
  kernel.weights = wType.getScheme();
  kernel.layout = getStorageLayout(kernel.weights, wType.getShape());

  // Weights: planar, grouped along K, scale per block, integer zero points.
  SchemeAttr w = kernel.weights;
  if (w.getLayout() != LayoutKind::planar)
    return fail(llvm::Twine("weights in the ") + stringifyLayoutKind(w.getLayout()) +
                " layout are not supported by the hls target yet (planar schemes are)");
  if (w.getGranularity() != Granularity::group || (w.getAxis() != 1 && w.getAxis() != -1) || w.getSuperBlock())
    return fail("weights must be grouped along K with one level of scales");
  kernel.block = w.getGroupSize();
  std::optional<IntegerCodes> codes = integerCodes(w.getElement());
  if (!codes)
    return fail("the weight format's values are not whole multiples of one power of two within " +
                llvm::Twine(kMaxValueBits) + " bits, which the exact integer dot products need");
  kernel.codes = *codes;
  if (w.getOffset() == OffsetKind::min)
    return fail("weights with mins are not supported by the hls target (zero points are)");
  if (w.getOffset() == OffsetKind::zero_point) {
    kernel.zeroPoints = integerCodes(cast<QuantFormatAttrInterface>(w.getOffsetFormat()));
    if (!kernel.zeroPoints || kernel.zeroPoints->unitExp != 0 || kernel.codes.unitExp != 0)
      return fail("zero points must be integers in the element's units");
  }
  if (auto typeAttr = dyn_cast<TypeAttr>(w.getScale())) {
    Type floatScale = typeAttr.getValue();
    if (floatScale.isF16())
      kernel.scaleKind = ScaleKind::f16;
    else if (floatScale.isF32())
      kernel.scaleKind = ScaleKind::f32;
    else
      return fail("weight scales must be f16, f32 or a format of at most 8 bits");
  } else if (w.getScaleBits() > 8) {
    return fail("weight scales must be f16, f32 or a format of at most 8 bits");
  }
  if (Type t = w.getTensorScaleType()) {
    if (!t.isF32())
      return fail("a tensor scale must be f32");
    kernel.tensorScale = true;
  }

  // Activations: integer codes of at most 8 bits, float or MX scales.
  std::optional<SchemeAttr> act = matmul.getActScheme();
  if (!act)
    return fail("the hls target needs an activation scheme (act_scheme) with integer codes: its kernels are "
                "integer dot products");
  kernel.acts = *act;
  std::optional<IntegerCodes> actCodes = integerCodes(act->getElement());
  if (!actCodes || !isa<IntFormatAttr>(act->getElement()) || actCodes->valueBits() > 8 ||
      act->getOffset() != OffsetKind::none)
    return fail("the activation scheme must have signed integer codes of at most 8 bits and no offsets");
  kernel.actCodes = *actCodes;
  if (act->getGranularity() == Granularity::group && (act->getAxis() == 1 || act->getAxis() == -1))
    kernel.group = act->getGroupSize();
  else if (act->getGranularity() == Granularity::per_axis && act->getAxis() == 0)
    kernel.group = kernel.k;
  else
    return fail("activation scales must be per group along K or per token");
  if (act->hasSharedExponentScale()) {
    kernel.mx = true;
    kernel.actEmax = std::ilogb(HostCodec(act->getElement()).maxValue());
  } else if (auto t = dyn_cast<TypeAttr>(act->getScale()); t && (t.getValue().isF16() || t.getValue().isF32())) {
    kernel.actScaleF16 = t.getValue().isF16();
  } else {
    return fail("activation scales must be f16, f32 or shared exponents (MX)");
  }
  if (kernel.k % kernel.block || kernel.k % kernel.group ||
      std::max(kernel.block, kernel.group) % std::min(kernel.block, kernel.group))
    return fail(formatv("the weight block ({0}) and the activation group ({1}) must divide K = {2} and one "
                        "the other",
                        kernel.block, kernel.group, kernel.k)
                    .str());
  kernel.joint = std::min(kernel.block, kernel.group);
  kernel.unroll = options.unroll ? options.unroll : kernel.joint;
  if (kernel.joint % kernel.unroll)
    return fail(formatv("unroll = {0} must divide the joint block of {1} elements", kernel.unroll, kernel.joint)
                    .str());
  kernel.partition = options.partition ? options.partition : kernel.unroll;
  return std::unique_ptr<HlsKernel>(std::move(made));
}

std::string MatmulKernel::emitStages() const {
  const MatmulKernel &kn = *this;
  std::string s;
  llvm::raw_string_ostream os(s);
  int64_t groups = kn.groups();
  os << formatv("constexpr int M = {0}, N = {1}, K = {2};\n", kn.m, kn.n, kn.k);
  os << formatv("constexpr int BLOCK = {0};  // elements of K a weight scale covers\n", kn.block);
  os << formatv("constexpr int GROUP = {0};  // elements of K an activation scale covers\n", kn.group);
  os << formatv("constexpr int JOINT = {0};  // one exact integer dot product\n", kn.joint);
  os << formatv("constexpr int UNROLL = {0}; // lanes a cycle\n\n", kn.unroll);
  os << formatv("typedef ap_int<{0}> weight_t;  // a weight in units of 2^{1}\n",
                kn.zeroPoints ? std::max(kn.codes.valueBits(), kn.zeroPoints->valueBits()) + 1
                              : kn.codes.valueBits(),
                kn.codes.unitExp);
  os << formatv("typedef ap_int<{0}> act_t;\n", kn.actCodes.valueBits());
  os << formatv("typedef ap_int<{0}> dot_t;     // a joint block's dot product, exact\n\n", kn.accBits());

  os << formatv("// {0} code -> value / 2^{1}\nconst ap_int<{2}> WEIGHT_VALUES[{3}] = {{\n    {4}};\n",
                kn.weights.getElement(), kn.codes.unitExp, kn.codes.valueBits(), kn.codes.values.size(),
                joinInts(kn.codes.values));
  if (kn.zeroPoints)
    os << formatv("const ap_int<{0}> ZERO_POINTS[{1}] = {{\n    {2}};\n", kn.zeroPoints->valueBits(),
                  kn.zeroPoints->values.size(), joinInts(kn.zeroPoints->values));
  if (kn.scaleKind == ScaleKind::rom) {
    os << formatv("// {0} block scale code -> value\nconst float SCALE_VALUES[{1}] = {{\n    ",
                  kn.weights.getScale(), 1 << kn.weights.getScaleBits());
    for (uint64_t code = 0; code < (uint64_t(1) << kn.weights.getScaleBits()); ++code)
      os << (code ? (code % 8 ? ", " : ",\n    ") : "") << floatLiteral(float(kn.weights.decodeScale(code)));
    os << "};\n";
  }
  os << "\n" << kBitHelpers;
  // The weight block scale as an f32.
  os << "float weight_scale(";
  for (const StorageBuffer &b : kn.layout.buffers)
    if (b.name != "data" && b.name != "offsets")
      os << (b.name == "scales" ? "" : ", ") << "const ap_uint<8> *w_" << b.name;
  os << ", long blockIndex) {\n#pragma HLS INLINE\n  float s = ";
  switch (kn.scaleKind) {
  case ScaleKind::rom:
    os << formatv("SCALE_VALUES[code_at<{0}>(w_scales, blockIndex)]", kn.weights.getScaleBits());
    break;
  case ScaleKind::f16:
    os << "f32_from_f16(uint32_t(w_scales[2 * blockIndex]) | uint32_t(w_scales[2 * blockIndex + 1]) << 8)";
    break;
  case ScaleKind::f32:
    os << "f32_from_bits(le32(w_scales, blockIndex))";
    break;
  }
  os << ";\n";
  if (kn.tensorScale)
    os << "  s = s * f32_from_bits(le32(w_tensor_scale, 0));\n";
  if (kn.codes.unitExp)
    os << "  s = s * " << floatLiteral(std::ldexp(1.0f, kn.codes.unitExp)) << "; // the codes' unit\n";
  os << "  return s;\n}\n\n";

  // Stage 1: the activation quantizer.
  std::string groupsText = std::to_string(groups);
  os << fill(R"(// Activations to int codes and one f32 scale a group (the reference
// quantizer's double-precision arithmetic).
void quantize(const float a[M * K], act_t qa[M * K], float sa[M * ${GROUPS}]) {
rows:
  for (int m = 0; m < M; ++m) {
  groups:
    for (int g = 0; g < ${GROUPS}; ++g) {
      const int base = m * K + g * GROUP;
)",
             {{"GROUPS", groupsText}});
  if (kn.mx) {
    os << fill(R"(      double amax = 0.0;
    amax:
      for (int t = 0; t < GROUP; ++t) {
#pragma HLS PIPELINE II=1
        amax = std::max(amax, std::fabs(double(a[base + t])));
      }
      // OCP MX: 2^(floor(log2(amax)) - emax), the exponent in [-127, 127].
      const int e = amax > 0.0 ? std::min(std::max(std::ilogb(amax) - ${EMAX}, -127), 127) : -127;
      const double x = std::ldexp(1.0, e);
      sa[m * ${GROUPS} + g] = std::ldexp(1.0f, e + (${UNIT}));
    codes:
      for (int t = 0; t < GROUP; ++t) {
#pragma HLS PIPELINE II=1
        const double q = std::nearbyint(std::ldexp(double(a[base + t]) / x, ${MINUS_UNIT}));
        qa[base + t] = act_t(std::min(std::max(q, ${LO}.0), ${HI}.0));
      }
    }
  }
}

)",
               {{"EMAX", str(kn.actEmax)},
                {"GROUPS", groupsText},
                {"UNIT", str(kn.actCodes.unitExp)},
                {"MINUS_UNIT", str(-kn.actCodes.unitExp)},
                {"LO", str(kn.actCodes.lo)},
                {"HI", str(kn.actCodes.hi)}});
  } else {
    os << fill(R"(      double hi = a[base], lo = a[base];
    range:
      for (int t = 1; t < GROUP; ++t) {
#pragma HLS PIPELINE II=1
        hi = std::max(hi, double(a[base + t]));
        lo = std::min(lo, double(a[base + t]));
      }
      const double s = std::max(hi / ${HI}.0, lo / ${LO}.0);
      const double scale = s == 0.0 ? 0.0 : ${ROUND};
      sa[m * ${GROUPS} + g] = float(scale);
    codes:
      for (int t = 0; t < GROUP; ++t) {
#pragma HLS PIPELINE II=1
        const double q = scale > 0.0 ? std::nearbyint(double(a[base + t]) / scale) : 0.0;
        qa[base + t] = act_t(std::min(std::max(q, ${LO}.0), ${HI}.0));
      }
    }
  }
}

)",
               {{"HI", str(kn.actCodes.hi)},
                {"LO", str(kn.actCodes.lo)},
                {"ROUND", kn.actScaleF16 ? "round_to_f16(s)" : "double(float(s))"},
                {"GROUPS", groupsText}});
  }

  // Stage 2: the fused dequantizing dot products.
  std::string scaleArgs, weightParams;
  for (const StorageBuffer &b : kn.layout.buffers) {
    if (b.name != "data" && b.name != "offsets")
      scaleArgs += "w_" + b.name + ", ";
    weightParams += ", const ap_uint<8> w_" + b.name + "[" + str(b.bytes) + "]";
  }
  std::string zeroPoint;
  if (kn.zeroPoints)
    zeroPoint = " - weight_t(ZERO_POINTS[code_at<" + str(kn.zeroPoints->codeBits) + ">(w_offsets, long(n) * " +
                str(kn.weightBlocks()) + " + j * JOINT / BLOCK)])";
  os << fill(R"(// c[m][n] = sum over joint blocks j, in K order, of
// (weight scale * activation scale) * float(exact integer dot product).
void dot(const act_t qa[M * K], const float sa[M * ${GROUPS}]${WEIGHTS}, float c[M * N]) {
rows:
  for (int m = 0; m < M; ++m) {
  cols:
    for (int n = 0; n < N; ++n) {
      float acc = 0.0f;
    blocks:
      for (int j = 0; j < K / JOINT; ++j) {
        dot_t sum = 0;
      lanes:
        for (int t = 0; t < JOINT; ++t) {
#pragma HLS PIPELINE II=1
#pragma HLS UNROLL factor=UNROLL
          const long e = long(n) * K + j * JOINT + t;
          const weight_t w = weight_t(WEIGHT_VALUES[code_at<${CODE_BITS}>(w_data, e)])${ZERO_POINT};
          sum += dot_t(w * qa[m * K + j * JOINT + t]);
        }
        const float scale = weight_scale(${SCALE_ARGS}long(n) * ${BLOCKS} + j * JOINT / BLOCK) * sa[m * ${GROUPS} + j * JOINT / GROUP];
        acc += scale * float(sum.to_int64());
      }
      c[m * N + n] = acc;
    }
  }
}
)",
             {{"GROUPS", groupsText},
              {"WEIGHTS", weightParams},
              {"CODE_BITS", str(kn.codes.codeBits)},
              {"ZERO_POINT", zeroPoint},
              {"SCALE_ARGS", scaleArgs},
              {"BLOCKS", str(kn.weightBlocks())}});

  return s;
}

std::string MatmulKernel::emitTopBody() const {
  std::string s = "#pragma HLS DATAFLOW\n";
  s += "  act_t qa[M * K];\n  float sa[M * " + str(groups()) + "];\n";
  s += "#pragma HLS ARRAY_PARTITION variable=qa cyclic factor=" + str(partition) + "\n";
  s += "  quantize(a, qa, sa);\n  dot(qa, sa";
  for (const StorageBuffer &b : layout.buffers)
    s += ", w_" + b.name;
  return s + ", c);\n";
}

llvm::Expected<TestData> MatmulKernel::makeTestData(uint64_t seed) const {
  std::mt19937_64 rng(seed);
  std::vector<float> a = testActivations(m, k, rng), wf(n * k);
  std::normal_distribution<float> normal;
  for (float &x : wf)
    x = normal(rng) * 0.05f;
  llvm::Expected<QuantizedTensor> w = quantize(weights, {n, k}, wf);
  if (!w)
    return w.takeError();
  TestData data;
  data["a"] = bytesOf(a);
  for (auto [desc, bytes] : llvm::zip(w->layout.buffers, w->buffers))
    data["w_" + desc.name] = bytes;
  data["c"] = bytesOf(hostReference(*this, a, *w));
  return data;
}

Estimate MatmulKernel::estimate() const {
  const MatmulKernel &kn = *this;
  Estimate e;
  unsigned wBits = kn.codes.valueBits(), aBits = kn.actCodes.valueBits(), acc = kn.accBits();
  // Lanes: products of at most 6 x 8 bits in LUTs, wider ones on a DSP.
  if (std::min(wBits, aBits) <= 6)
    e.lut += kn.unroll * wBits * aBits;
  else
    e.dsp += kn.unroll;
  e.lut += (kn.unroll - 1) * acc;                                             // adder tree
  e.lut += kn.unroll * (((int64_t(1) << kn.codes.codeBits) * wBits + 63) / 64); // code ROMs (LUTRAM)
  // Per block: two f32 multiplies (3 DSP, 100 LUT) and an f32 add (2 DSP, 250 LUT); the quantizer's
  // double divide (3200 LUT) and compare/round logic (800 LUT).
  e.dsp += 2 * 3 + 2;
  e.lut += 2 * 100 + 250 + 3200 + 800;
  auto brams = [](int64_t bits, int64_t banks) { return std::max(banks, (bits + 18431) / 18432 + banks - 1); };
  // Ping-pong buffers between the DATAFLOW stages.
  e.bram18k = 2 * brams(kn.m * kn.k * aBits, kn.partition) + 2 * brams(kn.m * kn.groups() * 32, 1);
  // Cycles: the quantizer reads each group twice at II=1 (plus a 40-cycle divide a group); the dot
  // product takes joint/unroll cycles a block plus the 8-cycle scale multiply-add it waits on.
  int64_t quantize = kn.m * kn.groups() * (2 * kn.group + 40);
  int64_t dot = kn.m * kn.n * (kn.k / kn.joint) * (kn.joint / kn.unroll + 8);
  e.latencyCycles = quantize + dot;
  e.intervalCycles = std::max(quantize, dot);
  return e;
}


} // namespace qforge::hls
