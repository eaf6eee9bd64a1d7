//===- CompileCommand.cpp - `qforge compile`: MLIR -> runtime package ------===//
#include "TuneHelpers.h"

#include "codegen/cpu/Package.h"
#include "codegen/cpu/Pipeline.h"
#include "codegen/cuda/Package.h"
#include "codegen/hls/HlsProject.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace mlir;

namespace qforge {

static Expected<OwningOpRef<ModuleOp>> parseKernelModule(MLIRContext *ctx, StringRef input) {
  DialectRegistry registry;
  qf::registerCpuPipelineDialects(registry);
  ctx->appendDialectRegistry(registry);
  // Parse errors are printed with their source location by the handler.
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, ctx);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(input, sourceMgr, ctx);
  if (!module)
    return makeError(input + ": could not be parsed (see above)");
  return module;
}

static Error compileHls(MLIRContext *ctx, StringRef input, const Args &args) {
  if (input.ends_with(".gguf"))
    return makeError("--target hls compiles kernel modules (.mlir), not models");
  for (const char *option : {"cpu", "vector-bits", "act-scheme", "scheme", "policy", "bits-budget", "candidates",
                             "calibration", "db", "threads", "emit-mlir", "weights-layout"})
    if (args.has(option))
      return makeError("--" + Twine(option) + " does not apply to --target hls");
  hls::HlsOptions options;
  Expected<int64_t> unroll = args.has("unroll") ? args.getPositive("unroll", 0) : 0;
  Expected<int64_t> partition = args.has("partition") ? args.getPositive("partition", 0) : 0;
  Expected<int64_t> seed = args.has("seed") ? args.getPositive("seed", 1) : 1;
  Expected<double> clock = args.getNumber("clock-ns", 4.0, 0.5, 100);
  for (Expected<int64_t> *value : {&unroll, &partition, &seed})
    if (!*value)
      return value->takeError();
  if (!clock)
    return clock.takeError();
  options.unroll = *unroll;
  options.partition = *partition;
  options.seed = uint64_t(*seed);
  options.clockNs = *clock;
  Expected<OwningOpRef<ModuleOp>> module = parseKernelModule(ctx, input);
  if (!module)
    return module.takeError();
  if (Error err = hls::writeHlsProjects(**module, args.get("output"), options))
    return err;
  errs() << "qforge compile: wrote HLS projects to " << args.get("output") << "\n";
  return Error::success();
}

static Error compileCuda(MLIRContext *ctx, StringRef input, const Args &args) {
  if (input.ends_with(".gguf"))
    return makeError("--target cuda compiles kernel modules (.mlir); models are not yet compiled for it");
  for (const char *option : {"cpu", "vector-bits", "act-scheme", "scheme", "policy", "bits-budget", "candidates",
                             "calibration", "db", "threads", "emit-mlir", "weights-layout"})
    if (args.has(option))
      return makeError("--" + Twine(option) + " does not apply to --target cuda");
  Expected<qf::cuda::CudaTarget> target = qf::cuda::CudaTarget::named(args.get("arch", "sm_90a"));
  if (!target)
    return target.takeError();
  target->tensorCores = args.has("tensor-cores");
  Expected<OwningOpRef<ModuleOp>> module = parseKernelModule(ctx, input);
  if (!module)
    return module.takeError();
  if (Error err = qf::cuda::writeCudaPackage(**module, args.get("output"), *target, [](StringRef what) {
        errs() << "qforge compile: " << what << "\n";
      }))
    return err;
  errs() << "qforge compile: wrote " << args.get("output") << "\n";
  return Error::success();
}

Error compileMain(MLIRContext *ctx, ArrayRef<const char *> argv) {
  if (argv.empty() || StringRef(argv[0]).starts_with("--"))
    return makeError("usage: qforge compile kernel.mlir|model.gguf --target cpu [--cpu NAME] "
                     "[--vector-bits 128|256|512] [--scheme S | --policy P.toml | --bits-budget B [--candidates S,...] "
                     "[--calibration text.txt]] [--act-scheme A|none] [--weights-layout file|tiled] -o DIR | --emit-mlir\n"
                     "       qforge compile kernel.mlir --target cuda [--arch sm_80|sm_89|sm_90a] [--tensor-cores] -o DIR\n"
                     "       qforge compile kernel.mlir --target hls [--unroll U] [--partition P] [--seed S] "
                     "[--clock-ns T] -o DIR");
  StringRef input = argv[0];
  SmallVector<const char *> rest(argv.drop_front());
  for (const char *&a : rest)
    if (StringRef(a) == "-o")
      a = "--output";
  Expected<Args> args = Args::parse("compile", rest, {},
                                    {"output", "target", "cpu", "vector-bits", "act-scheme", "scheme", "policy", "bits-budget",
                                     "candidates", "calibration", "db", "threads", "unroll", "partition", "seed",
                                     "clock-ns", "arch", "weights-layout"},
                                    {"emit-mlir", "tensor-cores"});
  if (!args)
    return args.takeError();
  if (!args->has("output") && !args->has("emit-mlir"))
    return makeError("missing required option --output (-o DIR)");
  std::string target = args->get("target", "cpu");
  if (target != "cpu" && target != "cuda" && target != "hls")
    return makeError("unknown target '" + target + "' (this build compiles for: cpu, cuda, hls)");
  for (const char *option : {"arch", "tensor-cores"})
    if (args->has(option) && target != "cuda")
      return makeError("--" + Twine(option) + " applies to --target cuda");
  for (const char *option : {"unroll", "partition", "seed", "clock-ns"})
    if (args->has(option) && target != "hls")
      return makeError("--" + Twine(option) + " applies to --target hls");
  if (target == "hls")
    return compileHls(ctx, input, *args);
  if (target == "cuda")
    return compileCuda(ctx, input, *args);
  // The host CPU unless named (kernels for an older CPU run anywhere it runs).
  Expected<qf::CpuTarget> cpu = parseCpuTarget(*args);
  if (!cpu)
    return cpu.takeError();

  if (input.ends_with(".gguf"))
    return compileModel(ctx, input, *args, *cpu);
  for (const char *option : {"act-scheme", "scheme", "policy", "bits-budget", "candidates",
                             "calibration", "emit-mlir", "weights-layout"})
    if (args->has(option))
      return makeError("--" + Twine(option) + " applies to models; a kernel's types carry its own");

  Expected<OwningOpRef<ModuleOp>> parsed = parseKernelModule(ctx, input);
  if (!parsed)
    return parsed.takeError();
  OwningOpRef<ModuleOp> module = std::move(*parsed);
  if (args->has("threads") && !args->has("db"))
    return makeError("--threads picks the tuned schedules of --db; give --db PATH too");
  if (args->has("db"))
    if (Error err = applyTuningDb(*module, *args, *cpu, [](const Twine &what) {
          errs() << "qforge compile: " << what << "\n";
        }))
      return err;
  if (Error err = qf::writeCpuPackage(*module, args->get("output"), *cpu))
    return err;
  errs() << "qforge compile: wrote " << args->get("output") << "\n";
  return Error::success();
}


} // namespace qforge
