//===- TuneCommand.cpp - `qforge tune` -------------------------------------===//
#include "TuneHelpers.h"

#include "codegen/cpu/Pipeline.h"
#include "tuning/MatmulTuner.h"
#include "tuning/Report.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <thread>

using namespace llvm;
using namespace mlir;

namespace qforge {

namespace {

constexpr const char *kUsage =
    "usage: qforge tune matmul --scheme S --m M --n N --k K [--act-scheme A [--act-hadamard SIZE[:SEED]]]\n"
    "                          [--threads T] [--trials N] [--time-budget SEC] [--seed S] [--repeats R]\n"
    "                          [--cpu NAME] [--vector-bits B] [--db PATH]\n"
    "       qforge tune model.gguf [--scheme S | --policy P.toml] [--act-scheme A|none] [--weights-layout file|tiled]\n"
    "                          [same options]\n"
    "       qforge tune --report [--db PATH] [--svg FILE]";

std::string clock(double seconds) {
  int64_t s = int64_t(seconds + 0.5);
  char text[32];
  snprintf(text, sizeof text, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
  return text;
}

} // namespace

std::string defaultTuningDbPath() {
  SmallString<256> path;
  if (std::optional<std::string> cache = sys::Process::GetEnv("QFORGE_CACHE"))
    path = *cache;
  else if (std::optional<std::string> home = sys::Process::GetEnv("HOME"))
    sys::path::append(path, *home, ".cache", "qforge");
  sys::path::append(path, "tuning.db");
  return path.str().str();
}

Expected<std::unique_ptr<tuning::TuningDb>> openTuningDb(const Args &args) {
  std::string path = args.get("db", defaultTuningDbPath());
  if (std::error_code ec = sys::fs::create_directories(sys::path::parent_path(path)); ec && !path.empty())
    return makeError(path + ": " + ec.message());
  return tuning::TuningDb::open(path);
}

int defaultThreads() { return int(std::max(1u, std::thread::hardware_concurrency())); }

Expected<tuning::TuneOptions> tuneOptions(const Args &args) {
  tuning::TuneOptions o;
  Expected<int64_t> threads = args.getPositive("threads", defaultThreads());
  Expected<int64_t> trials = args.getPositive("trials", 32);
  Expected<int64_t> seed = args.getPositive("seed", 1);
  Expected<int64_t> repeats = args.getPositive("repeats", 5);
  Expected<int64_t> budget = args.getPositive("time-budget", 1);
  for (Expected<int64_t> *v : {&threads, &trials, &seed, &repeats, &budget})
    if (!*v)
      return v->takeError();
  if (*threads > 64)
    return makeError("--threads: at most 64");
  o.threads = int(*threads);
  o.trials = *trials;
  o.seed = uint64_t(*seed);
  o.repeats = int(*repeats);
  o.timeBudget = args.has("time-budget") ? double(*budget) : 0;
  return o;
}

std::function<void(const tuning::TuneProgress &)> progressBar(const std::string &what) {
  bool tty = errs().is_displayed();
  return [what, tty](const tuning::TuneProgress &p) {
    constexpr int kWidth = 24;
    int filled = int(kWidth * std::min<int64_t>(p.trial, p.trials) / std::max<int64_t>(p.trials, 1));
    std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '-');
    errs() << (tty ? "\r" : "") << "qforge tune: " << what << " [" << bar << "] "
           << format("%lld/%lld  best %.4f ms (%.2fx default)  elapsed %s  ETA %s", (long long)p.trial,
                     (long long)p.trials, p.bestSeconds * 1e3, p.defaultSeconds / p.bestSeconds,
                     clock(p.elapsed).c_str(), clock(p.eta).c_str())
           << (tty ? "" : "\n");
    errs().flush();
  };
}

/// Tunes one kernel, stores the session and prints the outcome.
Error tuneAndRecord(MLIRContext *ctx, const tuning::MatmulKernel &kernel, const qf::CpuTarget &cpu,
                    tuning::TuneOptions options, tuning::TuningDb &db) {
  options.progress = progressBar(kernel.describe());
  Expected<tuning::TuneResult> result = tuning::tuneMatmul(ctx, kernel, cpu, options);
  if (errs().is_displayed())
    errs() << "\n";
  if (!result)
    return result.takeError();
  if (Error err = db.record(result->record, result->trials))
    return err;
  outs() << format("%s  threads=%d: default %.4f ms, tuned %.4f ms (%.2fx) after %lld trials (%lld pruned "
                   "by legality): %s\n",
                   kernel.describe().c_str(), options.threads, *result->record.defaultSeconds * 1e3,
                   result->record.seconds * 1e3, *result->record.defaultSeconds / result->record.seconds,
                   (long long)result->record.trials, (long long)result->pruned, result->record.schedule.c_str());
  return Error::success();
}

Error tuneMain(MLIRContext *ctx, ArrayRef<const char *> argv) {
  if (argv.empty())
    return makeError(kUsage);
  StringRef what = argv[0];
  if (what == "--report") {
    Expected<Args> args = Args::parse("tune --report", argv.drop_front(), {}, {"db", "svg"});
    if (!args)
      return args.takeError();
    Expected<std::unique_ptr<tuning::TuningDb>> db = openTuningDb(*args);
    if (!db)
      return db.takeError();
    Expected<std::vector<tuning::TuningRecord>> records = (*db)->records();
    if (!records)
      return records.takeError();
    outs() << "tuning database " << (*db)->path() << ": " << records->size() << " record(s)\n";
    tuning::printRecordTable(outs(), *records);
    if (args->has("svg")) {
      std::vector<std::vector<tuning::Trial>> trials;
      for (const tuning::TuningRecord &r : *records) {
        Expected<std::vector<tuning::Trial>> t = (*db)->latestTrials(r.key);
        if (!t)
          return t.takeError();
        trials.push_back(std::move(*t));
      }
      std::error_code ec;
      raw_fd_ostream os(args->get("svg"), ec);
      if (ec)
        return makeError(args->get("svg") + ": " + ec.message());
      tuning::writeTrialsSvg(os, *records, trials);
      outs() << "wrote " << args->get("svg") << "\n";
    }
    return Error::success();
  }
  static const StringRef kTuneOptions[] = {"threads", "trials", "time-budget", "seed", "repeats", "cpu", "vector-bits", "db"};
  DialectRegistry registry;
  qf::registerCpuPipelineDialects(registry);
  ctx->appendDialectRegistry(registry);
  if (what.ends_with(".gguf")) {
    SmallVector<StringRef> optional(std::begin(kTuneOptions), std::end(kTuneOptions));
    optional.append({"scheme", "policy", "act-scheme", "weights-layout"});
    Expected<Args> args = Args::parse("tune", argv.drop_front(), {}, optional);
    if (!args)
      return args.takeError();
    return tuneModel(ctx, what, *args);
  }
  if (what != "matmul")
    return makeError(kUsage);
  SmallVector<StringRef> optional(std::begin(kTuneOptions), std::end(kTuneOptions));
  optional.append({"act-scheme", "act-hadamard"});
  Expected<Args> args = Args::parse("tune matmul", argv.drop_front(), {"scheme", "m", "n", "k"}, optional);
  if (!args)
    return args.takeError();
  tuning::MatmulKernel kernel;
  Expected<qf::SchemeAttr> weights = parseScheme(ctx, args->get("scheme"));
  if (!weights)
    return weights.takeError();
  kernel.weights = *weights;
  if (args->has("act-scheme")) {
    Expected<qf::SchemeAttr> act = parseScheme(ctx, args->get("act-scheme"));
    if (!act)
      return act.takeError();
    kernel.activations = *act;
  }
  if (Error err = parseActHadamard(*args, bool(kernel.activations), kernel.hadamard, kernel.hadamardSeed))
    return err;
  for (auto [name, field] : {std::pair<StringRef, int64_t *>{"m", &kernel.m}, {"n", &kernel.n}, {"k", &kernel.k}}) {
    Expected<int64_t> v = args->getPositive(name, 1);
    if (!v)
      return v.takeError();
    *field = *v;
  }
  Expected<tuning::TuneOptions> options = tuneOptions(*args);
  if (!options)
    return options.takeError();
  Expected<qf::CpuTarget> cpu = parseCpuTarget(*args);
  if (!cpu)
    return cpu.takeError();
  Expected<std::unique_ptr<tuning::TuningDb>> db = openTuningDb(*args);
  if (!db)
    return db.takeError();
  qf::prepareForHostCodegen(ctx);
  return tuneAndRecord(ctx, kernel, *cpu, *options, **db);
}

} // namespace qforge
