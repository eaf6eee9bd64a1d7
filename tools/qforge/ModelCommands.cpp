//===- ModelCommands.cpp - Compiling, running and tokenizing models --------===//
#include "TuneHelpers.h"

#include "codegen/cpu/ModelPackage.h"
#include "codegen/cpu/Pipeline.h"
#include "frontend/gguf/GgufFile.h"
#include "frontend/llama/LlamaGraph.h"
#include "frontend/llama/PrecisionBudget.h"
#include "frontend/npy/Npy.h"
#include "frontend/policy/QuantPolicy.h"
#include "runtime/LlamaModel.h"
#include "runtime/Sampler.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <set>
#include <thread>

using namespace llvm;
using namespace mlir;
namespace rt = qforge::runtime;

namespace qforge {

namespace {
/// The schemes --bits-budget chooses from unless --candidates names others:
/// 8.5, 6.25, 4.5, 4.25 and 3.5 bits per weight in MX, NVFP4 and integer
/// formats.
constexpr const char *kBudgetCandidates = "q8_0,mxfp6_e2m3,nvfp4,int4_g32,mxfp4,int4_g64,int3_g32";

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Expected<std::unique_ptr<rt::LlamaModel>> loadModel(StringRef dir, const Args &args) {
  Expected<int64_t> threads = args.getPositive("threads", 1);
  if (!threads)
    return threads.takeError();
  std::string error;
  std::unique_ptr<rt::LlamaModel> model = rt::LlamaModel::load(dir.str(), error);
  if (!model)
    return makeError(error);
  model->setThreads(int(std::min<int64_t>(*threads, 1024)));
  return model;
}
} // namespace

/// The package of `file` built with `options` written to `output` (or, with
/// `emitMlir`, its kernels' IR printed and nothing written).
Error writeModel(MLIRContext *ctx, const gguf::GgufFile &file, StringRef input,
                 const llama::LlamaGraphOptions &options, StringRef output, bool emitMlir,
                 const qf::CpuTarget &cpu, llvm::function_ref<void(const Twine &)> progress,
                 llvm::function_ref<Error(ModuleOp)> prepare = {}) {
  Expected<llama::LlamaGraph> graph = llama::buildLlamaGraph(file, ctx, options);
  if (!graph)
    return makeError(input + ": " + toString(graph.takeError()));
  if (prepare)
    if (Error err = prepare(*graph->kernels))
      return err;
  std::string error;
  std::unique_ptr<rt::Tokenizer> tokenizer = rt::Tokenizer::create(graph->vocab, error);
  if (!tokenizer)
    return makeError(input + ": tokenizer: " + error);
  if (emitMlir) {
    graph->kernels->print(outs());
    outs() << "\n";
    return Error::success();
  }
  const rt::ModelDescription &d = graph->description;
  progress(Twine("llama graph: ") + Twine(int64_t(d.params.at("layers"))) + " layers, " +
           Twine(d.tensors.size()) + " weight tensors, " +
           Twine(std::distance(graph->kernels->getOps().begin(), graph->kernels->getOps().end())) +
           " kernels, " + Twine(tokenizer->size()) + " tokens");
  if (Error err = qf::writeModelPackage(*graph->kernels, d, graph->tensorData, *tokenizer, output,
                                        cpu, progress))
    return err;
  progress("wrote " + output);
  return Error::success();
}

/// The mean square of every input column of every matrix's activations
/// while a package of the file's own encodings (f32 activations), compiled
/// for the purpose into a temporary directory, reads the text at `path`.
Expected<llama::ActivationSquares> calibrate(MLIRContext *ctx, const gguf::GgufFile &file,
                                             StringRef input, StringRef path,
                                             const qf::CpuTarget &cpu,
                                             llvm::function_ref<void(const Twine &)> progress) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> text = MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!text)
    return makeError("--calibration " + path + ": " + text.getError().message());
  SmallString<128> dir;
  if (std::error_code ec = sys::fs::createUniqueDirectory("qforge-calibration", dir))
    return makeError("cannot make a directory for the calibration package: " + ec.message());
  llvm::scope_exit cleanup([&] { sys::fs::remove_directories(dir); });
  llama::LlamaGraphOptions options;
  options.actScheme = "";
  if (Error err = writeModel(ctx, file, input, options, dir, false, cpu, progress))
    return std::move(err);
  std::string error;
  std::unique_ptr<rt::LlamaModel> model = rt::LlamaModel::load(dir.str().str(), error);
  if (!model)
    return makeError(error);
  model->setThreads(int(std::max(1u, std::thread::hardware_concurrency())));
  std::vector<int32_t> tokens = model->tokenizer().encode((*text)->getBuffer().str(), false);
  constexpr size_t kMostTokens = 2048;
  tokens.resize(std::min({tokens.size(), kMostTokens, size_t(model->params().context)}));
  if (tokens.empty())
    return makeError("--calibration " + path + " has no text");
  llama::ActivationSquares squares;
  std::map<std::string, int64_t> rows;
  model->setMatmulObserver([&](const rt::WeightTensor &w, const float *x, int64_t m) {
    std::vector<float> &sum = squares[w.name];
    int64_t k = w.shape[1];
    sum.resize(size_t(k));
    for (int64_t r = 0; r < m; ++r)
      for (int64_t c = 0; c < k; ++c)
        sum[size_t(c)] += x[r * k + c] * x[r * k + c];
    rows[w.name] += m;
  });
  progress("calibrating on " + Twine(tokens.size()) + " tokens of " + path);
  std::vector<float> logits;
  if (!model->eval(tokens, false, logits, error))
    return makeError(error);
  for (auto &[name, sum] : squares)
    for (float &s : sum)
      s /= float(rows[name]);
  return squares;
}

/// --act-scheme, --weights-layout, and --scheme or --policy, into graph
/// options; the policy lives in `storage`.
Error graphOptions(const Args &args, llama::LlamaGraphOptions &options,
                   std::optional<policy::QuantPolicy> &storage) {
  if (args.has("act-scheme"))
    options.actScheme = args.get("act-scheme") == "none" ? "" : args.get("act-scheme");
  std::string layout = args.get("weights-layout", "file");
  if (layout != "tiled" && layout != "file")
    return makeError("--weights-layout '" + layout + "': use file (the default) or tiled (repacked for the CPU kernels)");
  options.tiles = layout == "tiled";
  if (!args.has("scheme") && !args.has("policy"))
    return Error::success();
  Expected<policy::QuantPolicy> p = args.has("policy")
                                        ? policy::QuantPolicy::load(args.get("policy"))
                                        : policy::QuantPolicy::uniform("blk.*", args.get("scheme"), "--scheme");
  if (!p)
    return p.takeError();
  storage = std::move(*p);
  options.policy = &*storage;
  return Error::success();
}

/// Sets tuned schedules from `--db` on a module's matmuls (for `--threads`,
/// default this machine's threads) and says how many it found.
Error applyTuningDb(ModuleOp module, const Args &args, const qf::CpuTarget &cpu,
                    llvm::function_ref<void(const Twine &)> progress) {
  Expected<int64_t> threads = args.getPositive("threads", defaultThreads());
  if (!threads)
    return threads.takeError();
  Expected<std::unique_ptr<tuning::TuningDb>> db = openTuningDb(args);
  if (!db)
    return db.takeError();
  Expected<std::pair<int64_t, int64_t>> applied = tuning::applyTunedSchedules(module, **db, cpu, int(*threads));
  if (!applied)
    return applied.takeError();
  progress("tuning database " + (*db)->path() + ": " + Twine(applied->first) +
           " matmul(s) take tuned schedules for " + Twine(*threads) + " thread(s), " + Twine(applied->second) +
           " keep the default (not tuned: qforge tune)");
  return Error::success();
}

Error compileModel(MLIRContext *ctx, StringRef input, const Args &args,
                   const qf::CpuTarget &cpu) {
  auto start = std::chrono::steady_clock::now();
  auto progress = [&](const Twine &what) {
    errs() << format("qforge compile: [%6.1fs] ", secondsSince(start)) << what << "\n";
  };
  progress("reading " + input);
  Expected<std::unique_ptr<gguf::GgufFile>> file = gguf::GgufFile::open(input);
  if (!file)
    return file.takeError();
  llama::LlamaGraphOptions options;
  if (int(args.has("scheme")) + int(args.has("policy")) + int(args.has("bits-budget")) > 1)
    return makeError("give one of --scheme S, --policy FILE and --bits-budget B");
  if ((args.has("candidates") || args.has("calibration")) && !args.has("bits-budget"))
    return makeError("--candidates and --calibration choose schemes for --bits-budget");
  DialectRegistry registry;
  qf::registerCpuPipelineDialects(registry);
  ctx->appendDialectRegistry(registry);

  std::optional<policy::QuantPolicy> policy;
  std::string chosenPolicy, chosenPolicyPath;
  if (args.has("bits-budget")) {
    Expected<double> bits = args.getNumber("bits-budget", 0, 1, 32);
    if (!bits)
      return bits.takeError();
    llama::PrecisionBudget budget;
    budget.bitsPerWeight = *bits;
    std::string candidates = args.get("candidates", kBudgetCandidates);
    SmallVector<StringRef> names;
    StringRef(candidates).split(names, ',', -1, false);
    for (StringRef name : names)
      budget.candidates.push_back(name.trim().str());
    std::optional<llama::ActivationSquares> squares;
    if (args.has("calibration")) {
      Expected<llama::ActivationSquares> measured =
          calibrate(ctx, **file, input, args.get("calibration"), cpu, progress);
      if (!measured)
        return measured.takeError();
      squares = std::move(*measured);
      budget.squares = &*squares;
    }
    budget.progress = [&](const std::string &what) { progress(what); };
    Expected<std::string> text = llama::choosePrecisionPolicy(**file, ctx, budget);
    if (!text)
      return makeError(input + ": " + toString(text.takeError()));
    chosenPolicy = std::move(*text);
    chosenPolicyPath = args.has("output") ? args.get("output") + "/policy.toml" : "chosen policy";
  }
  if (Error err = graphOptions(args, options, policy))
    return err;
  if (!chosenPolicy.empty()) {
    Expected<policy::QuantPolicy> p = policy::QuantPolicy::parse(chosenPolicy, chosenPolicyPath);
    if (!p)
      return p.takeError();
    policy = std::move(*p);
    options.policy = &*policy;
  }
  options.progress = [&](const std::string &what) { progress(what); };
  auto prepare = [&](ModuleOp module) {
    return args.has("db") ? applyTuningDb(module, args, cpu, progress) : Error::success();
  };
  if (Error err = writeModel(ctx, **file, input, options, args.get("output"), args.has("emit-mlir"),
                             cpu, progress, prepare))
    return err;
  if (!chosenPolicy.empty()) {
    if (args.has("emit-mlir")) {
      errs() << chosenPolicy;
      return Error::success();
    }
    std::error_code ec;
    raw_fd_ostream os(chosenPolicyPath, ec);
    if (ec)
      return makeError(chosenPolicyPath + ": " + ec.message());
    os << chosenPolicy;
    progress("wrote the chosen policy to " + chosenPolicyPath +
             " (--policy compiles the same package from it)");
  }
  return Error::success();
}

Error tuneModel(MLIRContext *ctx, StringRef input, const Args &args) {
  Expected<std::unique_ptr<gguf::GgufFile>> file = gguf::GgufFile::open(input);
  if (!file)
    return file.takeError();
  Expected<qf::CpuTarget> cpu = parseCpuTarget(args);
  if (!cpu)
    return cpu.takeError();
  Expected<tuning::TuneOptions> options = tuneOptions(args);
  if (!options)
    return options.takeError();
  Expected<std::unique_ptr<tuning::TuningDb>> db = openTuningDb(args);
  if (!db)
    return db.takeError();
  llama::LlamaGraphOptions graphOpts;
  std::optional<policy::QuantPolicy> policy;
  if (args.has("scheme") && args.has("policy"))
    return makeError("give one of --scheme S and --policy FILE");
  if (Error err = graphOptions(args, graphOpts, policy))
    return err;
  Expected<llama::LlamaGraph> graph = llama::buildLlamaGraph(**file, ctx, graphOpts);
  if (!graph)
    return makeError(input + ": " + toString(graph.takeError()));
  // Every distinct kernel once, in the package's order.
  std::vector<tuning::MatmulKernel> kernels;
  std::set<std::string> seen;
  graph->kernels->walk([&](qf::MatmulOp op) {
    if (std::optional<tuning::MatmulKernel> k = tuning::MatmulKernel::of(op))
      if (seen.insert(k->describe()).second)
        kernels.push_back(*k);
  });
  errs() << "qforge tune: " << input << ": " << kernels.size() << " distinct matmul kernels, "
         << options->trials << " trials each, on " << options->threads << " thread(s)\n";
  qf::prepareForHostCodegen(ctx);
  for (const tuning::MatmulKernel &kernel : kernels)
    if (Error err = tuneAndRecord(ctx, kernel, *cpu, *options, **db))
      return err;
  outs() << "stored in " << (*db)->path() << "; qforge compile " << input << " --db " << (*db)->path()
         << " uses them\n";
  return Error::success();
}

Error runModel(StringRef dir, ArrayRef<const char *> argv) {
  SmallVector<const char *> rest(argv);
  for (const char *&a : rest)
    if (StringRef(a) == "-n")
      a = "--n";
  Expected<Args> args = Args::parse(
      "run", rest, {}, {"prompt", "prompt-tokens", "n", "threads", "temp", "top-k", "top-p", "seed", "logits"});
  if (!args)
    return args.takeError();
  if (args->has("prompt") == args->has("prompt-tokens"))
    return makeError("give the prompt as --prompt TEXT or --prompt-tokens ID,ID,...");
  Expected<std::unique_ptr<rt::LlamaModel>> model = loadModel(dir, *args);
  if (!model)
    return model.takeError();
  rt::LlamaModel &m = **model;
  Expected<int64_t> n = args->has("n") && args->get("n") == "0" ? 0 : args->getPositive("n", 64);
  Expected<double> temp = args->getNumber("temp", 0, 0, 100);
  Expected<double> topK = args->getNumber("top-k", 40, 0, 1e9);
  Expected<double> topP = args->getNumber("top-p", 0.95, 0, 1);
  Expected<double> seed = args->getNumber("seed", 0, 0, 1e18);
  if (!n)
    return n.takeError();
  for (Expected<double> *number : {&temp, &topK, &topP, &seed})
    if (!*number)
      return number->takeError();

  std::vector<int32_t> prompt;
  if (args->has("prompt")) {
    prompt = m.tokenizer().encode(args->get("prompt"), /*parseSpecial=*/true);
  } else {
    std::string list = args->get("prompt-tokens");
    SmallVector<StringRef> ids;
    StringRef(list).split(ids, ',');
    for (StringRef id : ids) {
      int32_t token;
      if (id.trim().getAsInteger(10, token) || token < 0 || token >= m.params().vocab)
        return makeError("--prompt-tokens: '" + id + "' is not a token id below " +
                         Twine(m.params().vocab));
      prompt.push_back(token);
    }
  }
  if (prompt.empty())
    return makeError("the prompt has no tokens");

  bool allLogits = args->has("logits");
  std::vector<float> logits;
  std::string error;
  auto start = std::chrono::steady_clock::now();
  if (!m.eval(prompt, allLogits, logits, error))
    return makeError(error);
  double promptSeconds = secondsSince(start);
  if (allLogits) {
    if (Error err = npy::write(args->get("logits"), "f4",
                               {int64_t(prompt.size()), m.params().vocab}, logits.data()))
      return err;
    logits.erase(logits.begin(), logits.end() - m.params().vocab);
  }

  rt::Sampler sampler({float(*temp), int(*topK), float(*topP), uint64_t(*seed)});
  if (args->has("prompt"))
    outs() << args->get("prompt");
  start = std::chrono::steady_clock::now();
  int64_t generated = 0, evaluated = 0;
  for (; generated < *n; ++generated) {
    int32_t token = sampler.sample(logits.data(), m.params().vocab);
    if (m.tokenizer().isEndOfGeneration(token))
      break;
    if (args->has("prompt"))
      outs() << m.tokenizer().decode(token);
    else
      outs() << (generated ? "," : "") << token;
    outs().flush();
    if (generated + 1 < *n) {
      if (!m.eval({token}, false, logits, error))
        return makeError(error);
      ++evaluated;
    }
  }
  double decodeSeconds = secondsSince(start);
  outs() << "\n";
  outs().flush();
  errs() << format("qforge run: prompt %zu tokens, %.1f tokens/s; generated %lld tokens, decode "
                   "%.1f tokens/s\n",
                   prompt.size(), double(prompt.size()) / promptSeconds, (long long)generated,
                   evaluated ? double(evaluated) / decodeSeconds : 0.0);
  return Error::success();
}

Error benchModel(ArrayRef<const char *> argv) {
  if (argv.empty() || StringRef(argv[0]).starts_with("--"))
    return makeError("usage: qforge bench model MODEL_DIR [--threads 1,2] [--prompt 512] "
                     "[--decode 128] [--repeats 3]");
  StringRef dir = argv[0];
  Expected<Args> args = Args::parse("bench model", argv.drop_front(), {},
                                    {"threads", "prompt", "decode", "repeats"});
  if (!args)
    return args.takeError();
  Expected<int64_t> promptTokens = args->getPositive("prompt", 512);
  Expected<int64_t> decodeTokens = args->getPositive("decode", 128);
  Expected<int64_t> repeats = args->getPositive("repeats", 3);
  for (Expected<int64_t> *v : {&promptTokens, &decodeTokens, &repeats})
    if (!*v)
      return v->takeError();
  std::vector<int> threadCounts;
  std::string list = args->get("threads", "1,2");
  SmallVector<StringRef> parts;
  StringRef(list).split(parts, ',');
  for (StringRef part : parts) {
    int t;
    if (part.trim().getAsInteger(10, t) || t < 1 || t > 1024)
      return makeError("--threads: '" + part + "' is not a thread count");
    threadCounts.push_back(t);
  }
  Args noThreads = *Args::parse("bench model", {}, {});
  Expected<std::unique_ptr<rt::LlamaModel>> loaded = loadModel(dir, noThreads);
  if (!loaded)
    return loaded.takeError();
  rt::LlamaModel &m = **loaded;
  if (*promptTokens + *decodeTokens > m.params().context)
    return makeError("--prompt + --decode exceed the model's context of " +
                     Twine(m.params().context));

  // The same pseudo-random prompt every run; decode continues it greedily.
  std::vector<int32_t> prompt;
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (int64_t i = 0; i < *promptTokens; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    prompt.push_back(int32_t((state >> 33) % uint64_t(m.params().vocab)));
  }
  outs() << "qforge bench model: " << dir << "  prompt " << *promptTokens << " tokens, decode "
         << *decodeTokens << " tokens, median of " << *repeats << "\n";
  outs() << format("%-8s %15s %15s\n", "threads", "prefill tok/s", "decode tok/s");
  std::string error;
  std::vector<float> logits;
  for (int threads : threadCounts) {
    m.setThreads(threads);
    std::vector<double> prefill, decode;
    for (int64_t r = 0; r < *repeats; ++r) {
      m.reset();
      auto start = std::chrono::steady_clock::now();
      if (!m.eval(prompt, false, logits, error))
        return makeError(error);
      prefill.push_back(double(prompt.size()) / secondsSince(start));
      start = std::chrono::steady_clock::now();
      for (int64_t i = 0; i < *decodeTokens; ++i) {
        int32_t next = int32_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
        if (!m.eval({next}, false, logits, error))
          return makeError(error);
      }
      decode.push_back(double(*decodeTokens) / secondsSince(start));
    }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    outs() << format("%-8d %15.1f %15.1f\n", threads, median(prefill), median(decode));
    outs().flush();
  }
  return Error::success();
}

Error tokenizeMain(MLIRContext *, ArrayRef<const char *> argv) {
  if (argv.empty() || StringRef(argv[0]).starts_with("--"))
    return makeError("usage: qforge tokenize DIR --text TEXT [--no-special]");
  Expected<Args> args = Args::parse("tokenize", argv.drop_front(), {"text"}, {}, {"no-special"});
  if (!args)
    return args.takeError();
  std::string error;
  std::unique_ptr<rt::Tokenizer> tokenizer =
      rt::Tokenizer::load((StringRef(argv[0]) + "/tokenizer.txt").str(), error);
  if (!tokenizer)
    return makeError(error);
  std::vector<int32_t> ids = tokenizer->encode(args->get("text"), !args->has("no-special"));
  for (size_t i = 0; i < ids.size(); ++i)
    outs() << (i ? " " : "") << ids[i];
  outs() << "\n";
  return Error::success();
}

} // namespace qforge
