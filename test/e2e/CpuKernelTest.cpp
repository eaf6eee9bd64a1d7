//===- CpuKernelTest.cpp - Compiled CPU kernels against the host reference -===//
//
// For every preset (and every one grouped along K in the tiled layout):
// quantize random weights with the host reference (itself checked bit for
// bit against ml_dtypes / gguf / numpy in test/numerics),
// compile `qf.matmul` and `qf.dequantize` with the CPU pipeline, run them, and
// compare with the reference dequantization followed by an f64 matmul.
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Jit.h"
#include "qf/IR/Presets.h"
#include "qf/Reference/Quantizer.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace mlir;
using namespace mlir::qf;

namespace {

struct Shape {
  int64_t m, n, k;
};

template <typename T, int N>
StridedMemRefType<T, N> describe(T *data, std::array<int64_t, N> sizes) {
  return describeRowMajor<T, N>(data, sizes);
}

/// 1-D i8 descriptors of quantized storage, one per buffer in layout order.
std::vector<StridedMemRefType<int8_t, 1>> describeStorage(QuantizedTensor &q) {
  std::vector<StridedMemRefType<int8_t, 1>> storage;
  for (std::vector<uint8_t> &bytes : q.buffers)
    storage.push_back(describe<int8_t, 1>(reinterpret_cast<int8_t *>(bytes.data()),
                                          {int64_t(bytes.size())}));
  return storage;
}

std::vector<float> gaussian(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> dist;
  std::vector<float> x(n);
  for (float &v : x)
    v = dist(gen);
  return x;
}

class CpuKernelTest : public ::testing::TestWithParam<std::string> {
protected:
  CpuKernelTest() {
    ctx.loadDialect<QfDialect, func::FuncDialect, linalg::LinalgDialect, tensor::TensorDialect>();
  }

  OwningOpRef<ModuleOp> parse(const std::string &source) {
    return parseSourceString<ModuleOp>(source, &ctx);
  }

  /// Runs `@mm` (a [M, K] x W[N, K]^T) and `@dq` (W) compiled for the host.
  /// The parameter: a preset name or the body of a #qf.scheme.
  SchemeAttr scheme() {
    return cast<SchemeAttr>(parseAttribute("#qf.scheme<" + GetParam() + ">", &ctx));
  }
  std::string qtensor(int64_t n, int64_t k) {
    return "!qf.qtensor<" + std::to_string(n) + "x" + std::to_string(k) + ", #qf.scheme<" +
           GetParam() + ">>";
  }

  /// With `actScheme` (a #qf.scheme body), the activations are quantized on
  /// the fly; the reference quantizes them with the host quantizer.
  void check(Shape s, const std::string &actScheme = "") {
    SchemeAttr scheme = this->scheme();
    std::string actAttr =
        actScheme.empty() ? "" : " {act_scheme = #qf.scheme<" + actScheme + ">}";
    std::string qtype = qtensor(s.n, s.k);
    std::string m = std::to_string(s.m), n = std::to_string(s.n), k = std::to_string(s.k);
    std::string source =
        "func.func @mm(%a: tensor<" + m + "x" + k + "xf32>, %w: " + qtype + ") -> tensor<" + m +
        "x" + n + "xf32> {\n  %c = qf.matmul %a, %w" + actAttr + " : tensor<" + m + "x" + k + "xf32>, " + qtype +
        " -> tensor<" + m + "x" + n + "xf32>\n  return %c : tensor<" + m + "x" + n + "xf32>\n}\n" +
        "func.func @dq(%w: " + qtype + ") -> tensor<" + n + "x" + k + "xf32> {\n" +
        "  %d = qf.dequantize %w : " + qtype + " -> tensor<" + n + "x" + k + "xf32>\n" +
        "  return %d : tensor<" + n + "x" + k + "xf32>\n}\n";
    OwningOpRef<ModuleOp> module = parse(source);
    ASSERT_TRUE(module) << source;

    std::vector<float> a = gaussian(s.m * s.k, 1), w = gaussian(s.n * s.k, 2);
    auto q = quantize(scheme, {s.n, s.k}, w);
    ASSERT_TRUE(bool(q)) << llvm::toString(q.takeError());
    std::vector<float> wRef(w.size());
    ASSERT_FALSE(bool(dequantize(scheme, {s.n, s.k}, *q, wRef)));
    std::vector<float> aRef = a;
    if (!actScheme.empty()) {
      auto act = cast<SchemeAttr>(parseAttribute("#qf.scheme<" + actScheme + ">", &ctx));
      auto qa = quantize(act, {s.m, s.k}, a);
      ASSERT_TRUE(bool(qa)) << llvm::toString(qa.takeError());
      ASSERT_FALSE(bool(dequantize(act, {s.m, s.k}, *qa, aRef)));
    }

    auto jit = JitModule::compile(*module);
    ASSERT_TRUE(bool(jit)) << llvm::toString(jit.takeError());

    std::vector<StridedMemRefType<int8_t, 1>> storage = describeStorage(*q);

    std::vector<float> y(s.m * s.n, NAN), wOut(w.size(), NAN);
    auto aDesc = describe<float, 2>(a.data(), {s.m, s.k});
    auto yDesc = describe<float, 2>(y.data(), {s.m, s.n});
    auto wDesc = describe<float, 2>(wOut.data(), {s.n, s.k});
    std::vector<void *> mmArgs = {&aDesc}, dqArgs;
    for (auto &d : storage) {
      mmArgs.push_back(&d);
      dqArgs.push_back(&d);
    }
    mmArgs.push_back(&yDesc);
    dqArgs.push_back(&wDesc);
    ASSERT_FALSE(bool((*jit)->call("mm", mmArgs)));
    ASSERT_FALSE(bool((*jit)->call("dq", dqArgs)));

    // Dequantization: the same values up to f32 rounding of the scale
    // product, and the same signed zeros.
    for (size_t i = 0; i < w.size(); ++i) {
      ASSERT_NEAR(wOut[i], wRef[i], 4e-7 * std::fabs(wRef[i]) + 1e-30)
          << GetParam() << " element " << i;
      if (wRef[i] == 0)
        ASSERT_EQ(std::signbit(wOut[i]), std::signbit(wRef[i])) << GetParam() << " element " << i;
    }
    // Matmul: f32 accumulation against f64, bounded by the sum of |products|.
    // Integer dot products scale sums of biased byte codes (q4_0's are
    // q + 8), whose f32 rounding is a few times that of the plain products;
    // one activation code off by one still moves a result by ~1/(64 K) of it.
    double tolerance = actScheme.empty() ? 1e-6 : 8e-6;
    for (int64_t i = 0; i < s.m; ++i)
      for (int64_t j = 0; j < s.n; ++j) {
        double ref = 0, mag = 0;
        for (int64_t l = 0; l < s.k; ++l) {
          double p = double(aRef[i * s.k + l]) * wRef[j * s.k + l];
          ref += p;
          mag += std::fabs(p);
        }
        ASSERT_NEAR(y[i * s.n + j], ref, tolerance * mag + 1e-30)
            << GetParam() << " [" << i << ", " << j << "] of " << s.m << "x" << s.n << "x" << s.k;
      }
  }

  /// `y + W x` written as linalg.matvec on qf.dequantize: qf-fuse-dequant
  /// turns it into qf.matmul, so the decode happens inside the contraction.
  void checkFusedMatvec(int64_t n, int64_t k) {
    SchemeAttr scheme = this->scheme();
    std::string N = std::to_string(n), K = std::to_string(k);
    std::string qtype = qtensor(n, k);
    std::string source =
        "func.func @mv(%x: tensor<" + K + "xf32>, %w: " + qtype + ", %y: tensor<" + N +
        "xf32>) -> tensor<" + N + "xf32> {\n  %d = qf.dequantize %w : " + qtype +
        " -> tensor<" + N + "x" + K + "xf32>\n  %r = linalg.matvec ins(%d, %x : tensor<" + N +
        "x" + K + "xf32>, tensor<" + K + "xf32>) outs(%y : tensor<" + N + "xf32>) -> tensor<" +
        N + "xf32>\n  return %r : tensor<" + N + "xf32>\n}\n";
    OwningOpRef<ModuleOp> module = parse(source);
    ASSERT_TRUE(module) << source;
    std::vector<float> x = gaussian(k, 3), w = gaussian(n * k, 4), y0 = gaussian(n, 5);
    auto q = quantize(scheme, {n, k}, w);
    ASSERT_TRUE(bool(q)) << llvm::toString(q.takeError());
    std::vector<float> wRef(w.size());
    ASSERT_FALSE(bool(dequantize(scheme, {n, k}, *q, wRef)));
    auto jit = JitModule::compile(*module);
    ASSERT_TRUE(bool(jit)) << llvm::toString(jit.takeError());

    std::vector<StridedMemRefType<int8_t, 1>> storage = describeStorage(*q);
    std::vector<float> out(n, NAN);
    auto xDesc = describe<float, 1>(x.data(), {k});
    auto yDesc = describe<float, 1>(y0.data(), {n});
    auto outDesc = describe<float, 1>(out.data(), {n});
    std::vector<void *> args = {&xDesc};
    for (auto &d : storage)
      args.push_back(&d);
    args.push_back(&yDesc);
    args.push_back(&outDesc);
    std::vector<float> yBefore = y0;
    ASSERT_FALSE(bool((*jit)->call("mv", args)));
    // The kernel reads its accumulator input and must not write into it.
    ASSERT_EQ(y0, yBefore) << GetParam() << ": the kernel wrote into its input";
    for (int64_t j = 0; j < n; ++j) {
      double ref = y0[j], mag = std::fabs(y0[j]);
      for (int64_t l = 0; l < k; ++l) {
        double p = double(wRef[j * k + l]) * x[l];
        ref += p;
        mag += std::fabs(p);
      }
      ASSERT_NEAR(out[j], ref, 1e-6 * mag + 1e-30) << GetParam() << " row " << j;
    }
  }

  MLIRContext ctx;
};

TEST_P(CpuKernelTest, FusedMatvecFromLinalg) { checkFusedMatvec(7, 256); }

TEST_P(CpuKernelTest, Gemv) { check({1, 5, 256}); }
TEST_P(CpuKernelTest, SmallGemmOddSizes) { check({3, 13, 512}); }

// Activations quantized on the fly: per token (f32 scales), in groups of 32
// (f16 scales, the int8_g32 preset), and 4-bit groups of 64 rounding away.
TEST_P(CpuKernelTest, Int8PerTokenActivations) {
  check({1, 5, 256}, "element = #qf.int<8>, per_axis = 0, scale = f32");
  check({5, 7, 512}, "element = #qf.int<8>, per_axis = 0, scale = f32");
}
TEST_P(CpuKernelTest, Int8GroupActivations) { check({3, 13, 512}, "int8_g32"); }
// Enough activation rows for the packed-panel kernel: one or two vectors of
// columns a panel, and a tail of rows short of a register tile.
TEST_P(CpuKernelTest, Int8ActivationsPrefill) {
  check({19, 48, 256}, "int8_g32");
  check({16, 64, 512}, "element = #qf.int<8>, per_axis = 0, scale = f32");
}
TEST_P(CpuKernelTest, Int4Activations) {
  check({2, 3, 256}, "element = #qf.int<4>, group = 64, scale = bf16, rounding = nearest_away");
}

std::vector<std::string> presetNames(bool onlyDividing96) {
  MLIRContext ctx;
  std::vector<std::string> names;
  for (llvm::StringRef n : getPresetNames()) {
    SchemeAttr s = getPreset(&ctx, n);
    int64_t g = s.getGroupSize(), sb = s.getSuperBlock();
    if (!onlyDividing96 || !((g && 96 % g) || (sb && 96 % sb)))
      names.push_back(n.str());
  }
  return names;
}

/// The presets grouped along K, in the tiled layout.
std::vector<std::string> tiledPresetNames(bool onlyDividing96) {
  MLIRContext ctx;
  std::vector<std::string> names;
  for (const std::string &n : presetNames(onlyDividing96))
    if (getPreset(&ctx, n).getGranularity() == Granularity::group)
      names.push_back(n + ", layout = tiled");
  return names;
}

class CpuKernelOddKTest : public CpuKernelTest {};

// K not a multiple of 64, for the presets whose groups divide it.
TEST_P(CpuKernelOddKTest, KNotMultipleOf64) { check({2, 3, 96}); }
// The decode kernel's steps of one chunk (K = 96) and of two (K = 192).
TEST_P(CpuKernelOddKTest, Int8ActivationsKNotMultipleOf128) {
  check({1, 5, 96}, "int8_g32");
  check({3, 4, 192}, "int8_g32");
}

INSTANTIATE_TEST_SUITE_P(Presets, CpuKernelTest, ::testing::ValuesIn(presetNames(false)));

// Custom schemes: the worked-example format, offsets along other axes, 2-D
// blocks, codebooks and ternary go through the same kernels.
INSTANTIATE_TEST_SUITE_P(
    Custom, CpuKernelTest,
    ::testing::Values("element = #qf.fnuz<e4m3>, group = 32, scale = f16",
                      "element = #qf.fnuz<e5m2>, per_axis = 0, scale = f32",
                      "element = #qf.int<4, unsigned>, per_axis = 0, scale = f16, "
                      "zero_point = #qf.int<4, unsigned>",
                      "element = #qf.int<8>, block = [1, 64], scale = bf16",
                      "element = #qf.lut<[-2.0, -0.5, 0.5, 2.0]>, group = 32, scale = f16",
                      "element = #qf.ternary, group = 64, scale = f16",
                      "element = #qf.float<e2m1>, group = 32, scale = f16, rounding = nearest_away",
                      "element = #qf.float<e2m1>, group = 32, scale = bf16, tensor_scale = f32"));
INSTANTIATE_TEST_SUITE_P(Presets, CpuKernelOddKTest, ::testing::ValuesIn(presetNames(true)));
// Weights repacked into tiles take the same kernels (K = 96: tiles of 32).
INSTANTIATE_TEST_SUITE_P(Tiled, CpuKernelTest, ::testing::ValuesIn(tiledPresetNames(false)));
INSTANTIATE_TEST_SUITE_P(Tiled, CpuKernelOddKTest, ::testing::ValuesIn(tiledPresetNames(true)));

TEST(CpuKernelErrors, GroupThatDoesNotDivideKIsACompileTimeError) {
  MLIRContext ctx;
  ctx.loadDialect<QfDialect, func::FuncDialect>();
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    diagnostics += d.str();
    return success();
  });
  auto module = parseSourceString<ModuleOp>(
      "func.func @mm(%a: tensor<1x100xf32>, %w: !qf.qtensor<4x100, int4_g32>) -> "
      "tensor<1x4xf32> {\n  %c = qf.matmul %a, %w : tensor<1x100xf32>, "
      "!qf.qtensor<4x100, int4_g32> -> tensor<1x4xf32>\n  return %c : tensor<1x4xf32>\n}",
      &ctx);
  EXPECT_FALSE(module);
  EXPECT_NE(diagnostics.find("group size 32 does not divide dimension 1 (size 100)"),
            std::string::npos)
      << diagnostics;
}

} // namespace
