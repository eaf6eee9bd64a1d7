//===- HadamardKernel.cpp - qf.hadamard as an HLS kernel -------------------===//
//
// Each block of SIZE elements along the last axis: the seeded signs, then
// log2(SIZE) butterfly stages (a + b, a - b) in double, then the product with
// 1 / sqrt(SIZE) rounded once to f32: the host reference's steps
// (qf::rotateRows), so the two agree bit for bit. Within a stage the
// butterflies are independent, so unrolling them changes nothing.
//===----------------------------------------------------------------------===//
#include "codegen/hls/CppText.h"
#include "codegen/hls/HlsKernel.h"

#include "qf/Reference/Hadamard.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qf;
using llvm::formatv;

namespace qforge::hls {
namespace {

class HadamardKernel : public HlsKernel {
public:
  explicit HadamardKernel(std::string name) : HlsKernel(std::move(name)) {}

  int64_t m = 0, k = 0, size = 0;
  std::optional<uint64_t> seed;
  int64_t unroll = 0, partition = 0;

  int64_t stages() const { return llvm::Log2_64(uint64_t(size)); }

  std::string describe() const override {
    return "qf.hadamard of " + str(m) + "x" + str(k) + " f32, blocks of " + str(size) +
           (seed ? ", seed " + str(*seed) : std::string());
  }
  std::vector<Port> ports() const override { return {{"x", false, false, m * k}, {"y", true, false, m * k}}; }

  std::string emitStages() const override {
    std::string s = formatv("constexpr int M = {0}, K = {1}, SIZE = {2};\nconstexpr int UNROLL = {3}; // "
                            "butterflies a cycle\n\n",
                            m, k, size, unroll)
                        .str();
    if (seed) {
      SmallVector<int64_t> negate;
      for (int64_t i = 0; i < k; ++i)
        negate.push_back(hadamardSign(*seed, uint64_t(i)) < 0);
      s += "// The seeded random signs along K: 1 negates.\nconst bool NEGATE[K] = {\n    " + joinInts(negate) +
           "};\n\n";
    }
    s += fill(R"(void rotate(const float x[M * K], float y[M * K]) {
  const double norm = 1.0 / std::sqrt(double(SIZE));
rows:
  for (int m = 0; m < M; ++m) {
  blocks:
    for (int b = 0; b < K / SIZE; ++b) {
      double v[SIZE];
#pragma HLS ARRAY_PARTITION variable=v cyclic factor=${PARTITION}
      const int base = m * K + b * SIZE;
    load:
      for (int i = 0; i < SIZE; ++i) {
#pragma HLS PIPELINE II=1
        const double e = x[base + i];
        v[i] = ${SIGNED};
      }
    stages:
      for (int h = 1; h < SIZE; h *= 2) {
      butterflies:
        for (int i = 0; i < SIZE / 2; ++i) {
#pragma HLS PIPELINE II=1
#pragma HLS UNROLL factor=UNROLL
          const int lo = (i / h) * 2 * h + i % h, hi = lo + h;
          const double a = v[lo], c = v[hi];
          v[lo] = a + c;
          v[hi] = a - c;
        }
      }
    store:
      for (int i = 0; i < SIZE; ++i) {
#pragma HLS PIPELINE II=1
        y[base + i] = float(v[i] * norm);
      }
    }
  }
}
)",
              {{"PARTITION", str(partition)}, {"SIGNED", seed ? "NEGATE[b * SIZE + i] ? -e : e" : "e"}});
    return s;
  }

  std::string emitTopBody() const override { return "  rotate(x, y);\n"; }

  llvm::Expected<TestData> makeTestData(uint64_t testSeed) const override {
    std::mt19937_64 rng(testSeed);
    std::vector<float> x = testActivations(m, k, rng), y = x;
    rotateRows(y, k, size, seed);
    return TestData{{"x", bytesOf(x)}, {"y", bytesOf(y)}};
  }

  Estimate estimate() const override {
    Estimate e;
    // A double add or subtract: 3 DSP and 800 LUT; two a butterfly. The
    // signs: K bits of ROM; the block in registers up to 64 doubles, else
    // BRAM banks.
    e.dsp = 2 * unroll * 3 + 8; // and the final multiply (8 DSP)
    e.lut = 2 * unroll * 800 + 600 + (seed ? (k + 63) / 64 : 0);
    e.bram18k = size * 64 <= 4096 ? 0 : std::max<int64_t>(partition, (size * 64 + 18431) / 18432);
    int64_t perBlock = 2 * size + stages() * (size / 2 / unroll + 12);
    e.latencyCycles = e.intervalCycles = m * (k / size) * perBlock;
    return e;
  }

  std::string describeKnobs() const override {
    return formatv("unroll = {0} butterflies a cycle, partition = {1} (the block, cyclic)", unroll, partition);
  }
};

} // namespace

llvm::Expected<std::unique_ptr<HlsKernel>> makeHadamardKernel(func::FuncOp fn, HadamardOp op,
                                                              const HlsOptions &options) {
  std::string where = errorPrefix(op.getLoc(), "qf.hadamard in @" + fn.getSymName().str());
  RankedTensorType type = staticF32Matrix(op.getInput().getType());
  if (!type)
    return llvm::createStringError(where + "the input must be a static rank-2 f32 tensor");
  if (int64_t axis = int64_t(op.getAxis()); axis != -1 && axis != 1)
    return llvm::createStringError(where + "the rotation must run along the last axis");
  if (fn.getNumArguments() != 1 || op.getInput() != fn.getArgument(0))
    return llvm::createStringError(where + "the function's one argument must be the rotation's input");
  auto kernel = std::make_unique<HadamardKernel>(fn.getSymName().str());
  kernel->m = type.getDimSize(0);
  kernel->k = type.getDimSize(1);
  kernel->size = op.getSize();
  if (kernel->size < 2 || kernel->k % kernel->size)
    return llvm::createStringError(where + "the block size must be a power of two of at least 2 dividing the last axis");
  kernel->seed = op.getSeed() ? std::optional<uint64_t>(uint64_t(*op.getSeed())) : std::nullopt;
  int64_t half = kernel->size / 2;
  kernel->unroll = options.unroll ? options.unroll : std::min<int64_t>(half, 8);
  if (half % kernel->unroll)
    return llvm::createStringError(where + formatv("unroll = {0} must divide the {1} butterflies of a stage", kernel->unroll,
                                     half)
                                 .str());
  kernel->partition = options.partition ? options.partition : 2 * kernel->unroll;
  return std::unique_ptr<HlsKernel>(std::move(kernel));
}

} // namespace qforge::hls
