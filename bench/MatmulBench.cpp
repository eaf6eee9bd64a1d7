//===- MatmulBench.cpp - `qforge bench matmul` -----------------------------===//
//
// Times the fused kernel (qf.matmul compiled by the CPU pipeline) against the
// unfused baseline (compiled qf.dequantize to f32, then a straightforward
// compiled f32 matmul), next to the machine's DRAM read bandwidth and FMA
// peak, all in one process. Threads split the output rows N; each thread
// runs the kernel compiled for its slice on its slice of the storage. Runs
// cycle through copies of the weights that together exceed the last-level
// cache, so weights always come from DRAM.
//===----------------------------------------------------------------------===//
#include "bench/MatmulBench.h"
#include "bench/Probes.h"
#include "runtime/ThreadTeam.h"

#include "codegen/cpu/Jit.h"
#include "codegen/cpu/Pipeline.h"
#include "qf/IR/Layout.h"
#include "qf/Reference/Quantizer.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/Parser/Parser.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <cmath>
#include <random>

using namespace mlir;
using namespace mlir::qf;
using namespace qforge::bench;

namespace {

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

std::string dims(int64_t a, int64_t b) { return std::to_string(a) + "x" + std::to_string(b); }

template <int N>
StridedMemRefType<char, N> describe(void *data, std::array<int64_t, N> sizes) {
  return describeRowMajor<char, N>(static_cast<char *>(data), sizes);
}

/// One thread's share: rows [row0, row0 + rows) of the weights, in each
/// copy of them.
struct Slice {
  int64_t row0, rows;
  std::vector<std::vector<StridedMemRefType<char, 1>>> storage; ///< a copy, a buffer
  StridedMemRefType<char, 2> a, y, wf32;
  std::vector<std::vector<void *>> fusedArgs, dequantArgs; ///< a copy; fused_exact takes fusedArgs
  std::vector<void *> sgemmArgs;
  JitModule *kernels;
};

struct Launch {
  enum Which { Fused, FusedExact, Unfused };
  std::vector<Slice> *slices;
  Which which;
  size_t copy;
  std::vector<std::string> errors; ///< one slot a thread
};

} // namespace

llvm::Expected<MatmulBenchReport> qforge::bench::runMatmulBench(MLIRContext *ctx,
                                                                const MatmulBenchOptions &o) {
  DialectRegistry registry;
  registerCpuPipelineDialects(registry);
  ctx->appendDialectRegistry(registry);
  SchemeAttr scheme = o.scheme;
  std::string schemeText; // as a !qf.qtensor's scheme
  llvm::raw_string_ostream(schemeText) << scheme;
  if (o.threads < 1 || o.threads > 64 || o.m < 1 || o.n < o.threads || o.k < 1)
    return makeError("need m, k >= 1, 1 <= threads <= 64 and n >= threads");
  std::string fusedAttrs; // the fused matmul's attributes
  if (!o.actScheme.empty()) {
    std::string text = "#qf.scheme<" + o.actScheme + ">";
    if (!parseAttribute(text, ctx))
      return makeError("--act-scheme: '" + o.actScheme + "' is neither a preset nor a scheme body");
    std::string rotation;
    if (o.actHadamard)
      rotation = "act_hadamard = " + std::to_string(o.actHadamard) + " : i64, act_hadamard_seed = " +
                 std::to_string(o.actHadamardSeed) + " : i64, ";
    fusedAttrs = rotation + "act_scheme = " + text;
  }
  if (!o.schedule.empty()) {
    auto schedule = dyn_cast_or_null<CpuScheduleAttr>(parseAttribute("#qf.cpu_schedule<" + o.schedule + ">", ctx));
    if (!schedule)
      return makeError("--schedule: '" + o.schedule + "' is not a #qf.cpu_schedule body (docs/tuning.md)");
    if (schedule.getSplit() > 1)
      return makeError("--schedule: the benchmark gives each of --threads its own rows; leave split out");
    std::string text;
    llvm::raw_string_ostream(text) << schedule;
    fusedAttrs += (fusedAttrs.empty() ? "" : ", ") + ("schedule = " + text);
  }
  if (!fusedAttrs.empty())
    fusedAttrs = " {" + fusedAttrs + "}";

  // Weights and activations; the reference quantizer makes the storage.
  std::mt19937 gen(42);
  std::normal_distribution<float> normal;
  std::vector<float> w(o.n * o.k), a(o.m * o.k);
  for (float &v : w)
    v = normal(gen);
  for (float &v : a)
    v = normal(gen);
  auto q = quantize(scheme, {o.n, o.k}, w);
  if (!q)
    return q.takeError();
  w.clear();
  w.shrink_to_fit();
  // Copies of the weights used in turn, so that between two runs on one copy
  // the others push it out of the last-level cache: every run reads its
  // weights from DRAM, as a model too large for the cache does.
  int64_t weightBytes = q->layout.totalBytes();
  size_t copies = copiesBeyondCache(weightBytes);
  // They lie one after another (each buffer 64-byte aligned) on 2 MiB pages.
  auto aligned = [](size_t bytes) { return (bytes + 63) / 64 * 64; };
  size_t copyBytes = 0;
  for (const std::vector<uint8_t> &buffer : q->buffers)
    copyBytes += aligned(buffer.size());
  std::unique_ptr<uint8_t, void (*)(void *)> arena(
      static_cast<uint8_t *>(allocateHugePages(copies * copyBytes)), std::free);
  std::vector<std::vector<llvm::MutableArrayRef<uint8_t>>> weightCopies(copies);
  for (size_t c = 0; c < copies; ++c) {
    uint8_t *at = arena.get() + c * copyBytes;
    for (const std::vector<uint8_t> &buffer : q->buffers) {
      std::copy(buffer.begin(), buffer.end(), at);
      weightCopies[c].emplace_back(at, buffer.size());
      at += aligned(buffer.size());
    }
  }

  // Row slices and the byte ranges of each buffer they own.
  std::vector<Slice> slices(o.threads);
  std::map<int64_t, std::unique_ptr<JitModule>> kernelsByRows;
  int64_t per = (o.n + o.threads - 1) / o.threads;
  std::vector<float> y(o.m * o.n), wf32(size_t(o.n) * o.k);
  std::vector<std::vector<float>> yParts(o.threads);
  for (int t = 0; t < o.threads; ++t) {
    Slice &s = slices[t];
    s.row0 = t * per;
    s.rows = std::min(per, o.n - s.row0);
    if (s.rows <= 0)
      return makeError("--threads " + std::to_string(o.threads) + " leaves a thread no rows");
    for (std::vector<llvm::MutableArrayRef<uint8_t>> &copy : weightCopies) {
      s.storage.emplace_back();
      for (auto [spec, bytes] : llvm::zip(q->layout.buffers, copy)) {
        bool perRow = spec.count % o.n == 0;
        int64_t bitsPerRow = perRow ? spec.count / o.n * spec.itemBits : 0;
        if (perRow && (bitsPerRow % 8))
          return makeError("buffer '" + spec.name + "' packs rows into shared bytes; use a K "
                           "that makes each row whole bytes");
        int64_t offset = s.row0 * bitsPerRow / 8;
        int64_t size = perRow ? s.rows * bitsPerRow / 8 : int64_t(bytes.size());
        s.storage.back().push_back(describe<1>(bytes.data() + offset, {size}));
      }
    }
    yParts[t].resize(o.m * s.rows);
    s.a = describe<2>(a.data(), {o.m, o.k});
    s.y = describe<2>(yParts[t].data(), {o.m, s.rows});
    s.wf32 = describe<2>(wf32.data() + s.row0 * o.k, {s.rows, o.k});
    std::unique_ptr<JitModule> &kernels = kernelsByRows[s.rows];
    if (!kernels) {
      std::string qtype = "!qf.qtensor<" + dims(s.rows, o.k) + ", " + schemeText + ">";
      std::string at = "tensor<" + dims(o.m, o.k) + "xf32>", yt = "tensor<" + dims(o.m, s.rows) + "xf32>",
                  wt = "tensor<" + dims(s.rows, o.k) + "xf32>";
      auto matmul = [&](const std::string &name, const std::string &attr) {
        return "func.func @" + name + "(%a: " + at + ", %w: " + qtype + ") -> " + yt + " {\n" +
               "  %c = qf.matmul %a, %w" + attr + " : " + at + ", " + qtype + " -> " + yt +
               "\n  return %c : " + yt + "\n}\n";
      };
      std::string source =
          matmul("fused", fusedAttrs) + (o.actScheme.empty() ? "" : matmul("fused_exact", "")) +
          "func.func @dequant(%w: " + qtype + ") -> " + wt + " {\n" +
          "  %d = qf.dequantize %w : " + qtype + " -> " + wt + "\n  return %d : " + wt + "\n}\n" +
          "func.func @sgemm(%a: " + at + ", %w: " + wt + ") -> " + yt + " {\n" +
          "  %z = arith.constant 0.0 : f32\n  %e = tensor.empty() : " + yt + "\n" +
          "  %i = linalg.fill ins(%z : f32) outs(%e : " + yt + ") -> " + yt + "\n" +
          "  %c = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, "
          "affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%a, %w : " +
          at + ", " + wt + ") outs(%i : " + yt + ") -> " + yt + "\n  return %c : " + yt + "\n}\n";
      OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, ctx);
      if (!module)
        return makeError("the benchmark kernels do not verify (diagnostic above)");
      auto jit = JitModule::compile(*module, o.target);
      if (!jit)
        return jit.takeError();
      kernels = std::move(*jit);
    }
    s.kernels = kernels.get();
  }
  for (Slice &s : slices) {
    for (auto &storage : s.storage) {
      std::vector<void *> &fused = s.fusedArgs.emplace_back(std::vector<void *>{&s.a});
      std::vector<void *> &dequant = s.dequantArgs.emplace_back();
      for (auto &d : storage) {
        fused.push_back(&d);
        dequant.push_back(&d);
      }
      fused.push_back(&s.y);
      dequant.push_back(&s.wf32);
    }
    s.sgemmArgs = {&s.a, &s.wf32, &s.y};
  }

  ThreadTeam team(o.threads);
  Launch launch{&slices, Launch::Fused, 0, std::vector<std::string>(o.threads)};
  size_t runs = 0; // runs so far: each takes the next copy of the weights
  auto runOnce = [&](Launch::Which which) {
    launch.which = which;
    launch.copy = runs++ % copies;
    auto t0 = std::chrono::steady_clock::now();
    team.run(
        [](int t, void *c) {
          auto *l = static_cast<Launch *>(c);
          Slice &s = (*l->slices)[t];
          auto record = [&](llvm::Error err) {
            if (err)
              l->errors[t] = llvm::toString(std::move(err));
          };
          if (l->which == Launch::Fused) {
            record(s.kernels->call("fused", s.fusedArgs[l->copy]));
          } else if (l->which == Launch::FusedExact) {
            record(s.kernels->call("fused_exact", s.fusedArgs[l->copy]));
          } else {
            record(s.kernels->call("dequant", s.dequantArgs[l->copy]));
            record(s.kernels->call("sgemm", s.sgemmArgs));
          }
        },
        &launch);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  // Median seconds of a batch of runs, after one that warms caches and page
  // tables; batches of short kernels last about 20 ms.
  auto batch = [&](Launch::Which which, int size) {
    std::vector<double> samples;
    runOnce(which);
    for (int i = 0; i < size; ++i)
      samples.push_back(runOnce(which));
    return median(samples.data(), int(samples.size()));
  };
  auto batchSize = [&](Launch::Which which) {
    return int(std::clamp(0.02 / runOnce(which), double(o.repeats), 200.0));
  };

  MatmulBenchReport report;
  report.weightBytes = double(weightBytes);
  report.flops = 2.0 * double(o.m) * double(o.n) * double(o.k);
  report.fmaGflops = measureFmaPeak(team, o.repeats);
  // The fused kernel in `repeats` rounds of one DRAM probe pass and then one
  // batch: its share of the bandwidth is the median over rounds of the
  // batch's weight GB/s over the pass's, so drifts of the machine's
  // bandwidth during the run move kernel and probe alike.
  {
    DramProbe probe(team);
    int size = batchSize(Launch::Fused);
    std::vector<double> seconds, probes, ratios;
    for (int r = 0; r < o.repeats; ++r) {
      probes.push_back(probe.measure());
      seconds.push_back(batch(Launch::Fused, size));
      ratios.push_back(double(weightBytes) / seconds.back() / 1e9 / probes.back());
    }
    report.fusedSeconds = median(seconds.data(), o.repeats);
    report.dramGBs = median(probes.data(), o.repeats);
    report.fusedOfDram = median(ratios.data(), o.repeats);
  }
  report.unfusedSeconds = batch(Launch::Unfused, o.repeats);
  if (!o.actScheme.empty())
    report.exactSeconds = batch(Launch::FusedExact, batchSize(Launch::FusedExact));
  for (const std::string &e : launch.errors)
    if (!e.empty())
      return makeError("a benchmark kernel failed: " + e);
  return report;
}
