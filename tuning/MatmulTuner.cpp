//===- MatmulTuner.cpp - Tuning one qf.matmul on this machine --------------===//
#include "tuning/MatmulTuner.h"
#include "tuning/Search.h"

#include "bench/Probes.h"
#include "codegen/cpu/Package.h"
#include "passes/MatmulSchedule.h"
#include "qf/Reference/Quantizer.h"
#include "runtime/Package.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

using namespace mlir;
using namespace mlir::qf;
using namespace qforge::tuning;

namespace {

std::string schemeText(SchemeAttr scheme) {
  if (StringRef preset = scheme.getPresetName(); !preset.empty())
    return preset.str();
  std::string text;
  llvm::raw_string_ostream(text) << scheme;
  return text;
}

std::string attrText(Attribute a) {
  std::string text;
  llvm::raw_string_ostream(text) << a;
  return text;
}

/// A module with one public function `kernel(a, w) -> y`: the matmul.
OwningOpRef<ModuleOp> buildKernelModule(MLIRContext *ctx, const MatmulKernel &kernel,
                                        CpuScheduleAttr schedule) {
  ctx->loadDialect<func::FuncDialect, QfDialect>();
  OpBuilder b(ctx);
  Location loc = b.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  auto a = RankedTensorType::get({kernel.m, kernel.k}, b.getF32Type());
  auto w = QTensorType::get(ctx, {kernel.n, kernel.k}, kernel.weights);
  auto y = RankedTensorType::get({kernel.m, kernel.n}, b.getF32Type());
  auto fn = func::FuncOp::create(b, loc, "kernel", b.getFunctionType({a, w}, {y}));
  Block *body = fn.addEntryBlock();
  b.setInsertionPointToStart(body);
  IntegerAttr hadamard = kernel.hadamard ? b.getI64IntegerAttr(kernel.hadamard) : nullptr;
  IntegerAttr seed = kernel.hadamard ? b.getI64IntegerAttr(kernel.hadamardSeed) : nullptr;
  auto mm = MatmulOp::create(b, loc, y, body->getArgument(0), body->getArgument(1), kernel.activations,
                             hadamard, seed, schedule);
  func::ReturnOp::create(b, loc, mm.getResult());
  return module;
}

MatmulOp theMatmul(ModuleOp module) {
  MatmulOp found;
  module.walk([&](MatmulOp op) { found = op; });
  return found;
}

/// The data a kernel runs on, and the copies of its weights.
struct Workload {
  std::vector<float> a;
  std::vector<std::vector<std::vector<uint8_t>>> weightCopies;
  std::vector<float> y;
};

llvm::Expected<Workload> makeWorkload(const MatmulKernel &kernel) {
  std::mt19937 gen(42);
  std::normal_distribution<float> normal;
  Workload work;
  std::vector<float> w(size_t(kernel.n) * kernel.k);
  work.a.resize(size_t(kernel.m) * kernel.k);
  work.y.resize(size_t(kernel.m) * kernel.n);
  for (float &v : w)
    v = normal(gen);
  for (float &v : work.a)
    v = normal(gen);
  auto q = quantize(kernel.weights, {kernel.n, kernel.k}, w);
  if (!q)
    return q.takeError();
  // Weights from DRAM on every run, as a model too large for the cache reads them.
  work.weightCopies.assign(qforge::bench::copiesBeyondCache(q->layout.totalBytes()), q->buffers);
  return work;
}

/// Schedules measured again against the default at the end, and how often.
constexpr size_t kFinalists = 3;
constexpr int kFinalRounds = 3;

struct Measured {
  double seconds;
  std::vector<float> y;
};

/// Compiles the kernel with `schedule` into a package and times it.
llvm::Expected<Measured> measure(MLIRContext *ctx, const MatmulKernel &kernel, CpuScheduleAttr schedule,
                                 const CpuTarget &target, const TuneOptions &options, Workload &work) {
  OwningOpRef<ModuleOp> module = buildKernelModule(ctx, kernel, schedule);
  llvm::SmallString<128> dir;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("qforge-tune", dir))
    return llvm::createStringError("cannot create a temporary directory: " + ec.message());
  llvm::scope_exit cleanup([&] { llvm::sys::fs::remove_directories(dir); });
  if (llvm::Error err = writeCpuPackage(*module, dir, target))
    return std::move(err);
  std::string error;
  std::unique_ptr<qforge::runtime::Package> package = qforge::runtime::Package::load(dir.str().str(), error);
  if (!package)
    return llvm::createStringError(error);
  package->setThreads(options.threads);

  std::vector<qforge::runtime::Buffer> results = {{work.y.data(), work.y.size() * sizeof(float)}};
  size_t runs = 0;
  auto runOnce = [&]() -> llvm::Expected<double> {
    std::vector<qforge::runtime::Buffer> args = {{work.a.data(), work.a.size() * sizeof(float)}};
    for (std::vector<uint8_t> &buffer : work.weightCopies[runs++ % work.weightCopies.size()])
      args.push_back({buffer.data(), buffer.size()});
    auto t0 = std::chrono::steady_clock::now();
    if (!package->run("kernel", args, results, error))
      return llvm::createStringError(error);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  llvm::Expected<double> first = runOnce(); // warms caches and page tables
  if (!first)
    return first.takeError();
  int batch = int(std::clamp(0.02 / std::max(*first, 1e-9), 1.0, 200.0));
  std::vector<double> samples;
  for (int r = 0; r < options.repeats; ++r) {
    double total = 0;
    for (int i = 0; i < batch; ++i) {
      llvm::Expected<double> s = runOnce();
      if (!s)
        return s.takeError();
      total += *s;
    }
    samples.push_back(total / batch);
  }
  return Measured{robustMedian(samples), work.y};
}

} // namespace

double qforge::tuning::robustMedian(std::vector<double> samples) {
  auto medianOf = [](std::vector<double> v) { return qforge::bench::median(v.data(), int(v.size())); };
  double mid = medianOf(samples);
  std::vector<double> deviations;
  for (double s : samples)
    deviations.push_back(std::fabs(s - mid));
  double mad = medianOf(deviations);
  std::vector<double> kept;
  for (double s : samples)
    if (std::fabs(s - mid) <= 3 * mad)
      kept.push_back(s);
  return kept.empty() ? mid : medianOf(kept);
}

std::optional<MatmulKernel> MatmulKernel::of(MatmulOp op) {
  auto a = dyn_cast<RankedTensorType>(op.getLhs().getType());
  if (!a || a.getRank() != 2 || !a.hasStaticShape())
    return std::nullopt;
  MatmulKernel kernel;
  kernel.weights = op.getRhs().getType().getScheme();
  kernel.activations = op.getActSchemeAttr();
  kernel.hadamard = int64_t(op.getActHadamard().value_or(0));
  kernel.hadamardSeed = int64_t(op.getActHadamardSeed().value_or(0));
  kernel.m = a.getDimSize(0);
  kernel.n = op.getRhs().getType().getShape()[0];
  kernel.k = a.getDimSize(1);
  return kernel;
}

std::string MatmulKernel::describe() const {
  std::string act = activations ? schemeText(activations) : "f32";
  if (hadamard)
    act += " rotated H_" + std::to_string(hadamard);
  return schemeText(weights) + " " + std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k) +
         " act " + act;
}

TuningKey qforge::tuning::tuningKey(const MatmulKernel &kernel, const CpuTarget &target, int threads) {
  TuningKey key;
  key.target = llvm::sys::getProcessTriple();
  key.cpu = target.cpu() + "+" + llvm::join(target.checkedFeatures(), ",") + "/" +
            std::to_string(target.vectorBits()) + "-bit";
  key.op = "matmul";
  key.shape = std::to_string(kernel.m) + "x" + std::to_string(kernel.n) + "x" + std::to_string(kernel.k);
  key.scheme = schemeText(kernel.weights);
  key.activation = kernel.activations ? schemeText(kernel.activations) : "f32";
  if (kernel.hadamard)
    key.activation += "+h" + std::to_string(kernel.hadamard) + "s" + std::to_string(kernel.hadamardSeed);
  key.threads = threads;
  key.spaceVersion = kScheduleSpaceVersion;
  key.compiler = "qforge " QFORGE_VERSION_STRING;
  return key;
}

llvm::Expected<TuneResult> qforge::tuning::tuneMatmul(MLIRContext *ctx, const MatmulKernel &kernel,
                                                      const CpuTarget &target, const TuneOptions &options) {
  OwningOpRef<ModuleOp> probe = buildKernelModule(ctx, kernel, nullptr);
  MatmulOp op = theMatmul(*probe);
  if (failed(verify(*probe)))
    return llvm::createStringError(kernel.describe() + ": not a valid matmul");
  SmallVector<SmallVector<int64_t>> space = getScheduleSpace(op);
  llvm::Expected<Workload> work = makeWorkload(kernel);
  if (!work)
    return work.takeError();

  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  TuneResult result;
  result.record.key = tuningKey(kernel, target, options.threads);

  llvm::Expected<Measured> base = measure(ctx, kernel, nullptr, target, options, *work);
  if (!base)
    return base.takeError();
  std::vector<float> reference = base->y;
  float scale = 0;
  for (float v : reference)
    scale = std::max(scale, std::fabs(v));
  result.record.defaultSeconds = base->seconds;
  result.record.seconds = base->seconds;
  result.trials.push_back({0, "default", base->seconds});

  EvolutionarySearch search({space.begin(), space.end()}, options.seed);
  std::map<SmallVector<int64_t>, double> byKernel; // normalized schedule -> seconds
  auto legal = [&](ArrayRef<int64_t> p) {
    SmallVector<int64_t> v(p);
    normalizeScheduleValues(v);
    return checkSchedule(op, scheduleFromValues(ctx, v)).empty();
  };
  auto report = [&] {
    if (!options.progress)
      return;
    double spent = elapsed(), perTrial = spent / double(result.trials.size());
    double eta = perTrial * double(options.trials - int64_t(result.trials.size()));
    if (options.timeBudget > 0)
      eta = std::min(eta, std::max(0.0, options.timeBudget - spent));
    options.progress({int64_t(result.trials.size()), options.trials, result.record.seconds,
                      *result.record.defaultSeconds, spent, eta});
  };
  report();
  while (int64_t(result.trials.size()) < options.trials &&
         (options.timeBudget <= 0 || elapsed() < options.timeBudget)) {
    std::optional<Point> point = search.next(legal);
    if (!point)
      break; // every legal schedule measured
    SmallVector<int64_t> values(*point);
    normalizeScheduleValues(values);
    if (auto it = byKernel.find(values); it != byKernel.end()) {
      search.tell(*point, it->second); // the same kernel as one measured
      continue;
    }
    CpuScheduleAttr schedule = scheduleFromValues(ctx, values);
    llvm::Expected<Measured> m = measure(ctx, kernel, schedule, target, options, *work);
    if (!m)
      return llvm::createStringError(kernel.describe() + ", schedule " + attrText(schedule) + ": " + toString(m.takeError()));
    for (size_t i = 0; i < reference.size(); ++i)
      if (!(std::fabs(m->y[i] - reference[i]) <= 1e-4f * scale))
        return llvm::createStringError(kernel.describe() + ", schedule " + attrText(schedule) + ": output " +
                         std::to_string(i) + " is " + std::to_string(m->y[i]) + ", the default schedule's " +
                         std::to_string(reference[i]) + " (a compiler bug: please report it)");
    byKernel[values] = m->seconds;
    search.tell(*point, m->seconds);
    result.trials.push_back({int64_t(result.trials.size()), attrText(schedule), m->seconds});
    if (m->seconds < result.record.seconds) {
      result.record.seconds = m->seconds;
      result.record.schedule = attrText(schedule);
    }
    report();
  }
  // The machine's bandwidth drifts over a session and one lucky sample can
  // crown a schedule: the default and the fastest few of the search are
  // measured again in turn, and the record takes the lowest median, the
  // default's own when no candidate beats it.
  std::vector<std::pair<double, SmallVector<int64_t>>> ranked;
  for (auto &[values, seconds] : byKernel)
    if (seconds < *result.record.defaultSeconds)
      ranked.push_back({seconds, values});
  llvm::sort(ranked, [](const auto &a, const auto &b) { return a.first < b.first; });
  ranked.resize(std::min<size_t>(ranked.size(), kFinalists));
  result.record.schedule = attrText(defaultSchedule(ctx));
  if (!ranked.empty()) {
    SmallVector<CpuScheduleAttr> contenders = {CpuScheduleAttr()};
    for (auto &[seconds, values] : ranked)
      contenders.push_back(scheduleFromValues(ctx, values));
    std::vector<std::vector<double>> times(contenders.size());
    for (int round = 0; round < kFinalRounds; ++round)
      for (auto [schedule, samples] : llvm::zip(contenders, times)) {
        llvm::Expected<Measured> m = measure(ctx, kernel, schedule, target, options, *work);
        if (!m)
          return m.takeError();
        samples.push_back(m->seconds);
      }
    auto median = [](std::vector<double> &v) { return qforge::bench::median(v.data(), int(v.size())); };
    result.record.defaultSeconds = result.record.seconds = median(times[0]);
    for (size_t i = 1; i < contenders.size(); ++i)
      if (double t = median(times[i]); t < result.record.seconds) {
        result.record.seconds = t;
        result.record.schedule = attrText(contenders[i]);
      }
  }
  result.record.trials = int64_t(result.trials.size());
  result.pruned = search.pruned();
  return result;
}

llvm::Expected<std::pair<int64_t, int64_t>>
qforge::tuning::applyTunedSchedules(ModuleOp module, TuningDb &db, const CpuTarget &target, int threads) {
  int64_t set = 0, missing = 0;
  llvm::Error failure = llvm::Error::success();
  module.walk([&](MatmulOp op) {
    std::optional<MatmulKernel> kernel = MatmulKernel::of(op);
    if (!kernel || failure)
      return;
    llvm::Expected<std::vector<TuningRecord>> found = db.lookup(tuningKey(*kernel, target, threads));
    if (!found) {
      failure = found.takeError();
      return;
    }
    for (const TuningRecord &r : *found) {
      auto schedule = dyn_cast_or_null<CpuScheduleAttr>(parseAttribute(r.schedule, op.getContext()));
      if (schedule && checkSchedule(op, schedule).empty()) {
        op.setScheduleAttr(schedule);
        ++set;
        return;
      }
    }
    ++missing;
  });
  if (failure)
    return std::move(failure);
  return std::pair(set, missing);
}
