//===- BenchCommand.cpp - `qforge bench` -----------------------------------===//
#include "CommandLine.h"

#include "bench/CudaMatmulBench.h"
#include "bench/MatmulBench.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace mlir;

namespace qforge {

static Error benchCuda(MLIRContext *ctx, const Args &args) {
  for (const char *option : {"threads", "act-scheme", "act-hadamard", "cpu", "vector-bits", "schedule"})
    if (args.has(option))
      return makeError("--" + Twine(option) + " does not apply to --device cuda");
  bench::CudaMatmulBenchOptions o;
  o.scheme = args.get("scheme");
  o.arch = args.get("arch");
  o.tensorCores = args.has("tensor-cores");
  for (auto [name, field, fallback] :
       {std::tuple<StringRef, int64_t *, int64_t>{"m", &o.m, 1}, {"n", &o.n, 8192}, {"k", &o.k, 8192}}) {
    Expected<int64_t> v = args.getPositive(name, fallback);
    if (!v)
      return v.takeError();
    *field = *v;
  }
  Expected<int64_t> repeats = args.getPositive("repeats", 5);
  if (!repeats)
    return repeats.takeError();
  o.repeats = int(*repeats);
  Expected<bench::CudaMatmulBenchReport> r = bench::runCudaMatmulBench(ctx, o);
  if (!r)
    return r.takeError();
  outs() << "qforge bench matmul: " << o.scheme << "  M=" << o.m << " N=" << o.n << " K=" << o.k
         << "  bf16 activations and results  device " << r->device << "  kernels for " << r->arch
         << "  median of " << o.repeats << "\n";
  outs() << format("weights: %.1f MB (%.3f bits/weight); bytes moved a call %.1f MB\n",
                   r->weightBytes / 1e6, 8 * r->weightBytes / double(o.n * o.k), r->movedBytes / 1e6);
  outs() << format("device (same run): copy %.1f GB/s (read + written)", r->copyGBs);
  if (r->cublasSeconds)
    outs() << format(", cuBLAS bf16 GEMM %.2f TFLOP/s", r->flops / r->cublasSeconds / 1e12);
  else
    outs() << ", no cuBLAS figure: " << r->cublasNote;
  outs() << "\n";
  outs() << format("%-11s %10s %11s %9s %10s %10s\n", "kernel", "time us", "moved GB/s", "of copy",
                   "TFLOP/s", "vs cuBLAS");
  auto row = [&](const char *name, double secs) {
    outs() << format("%-11s %10.2f %11.1f %8.1f%% %10.2f", name, secs * 1e6, r->movedBytes / secs / 1e9,
                     100 * r->movedBytes / secs / 1e9 / r->copyGBs, r->flops / secs / 1e12);
    if (r->cublasSeconds)
      outs() << format(" %9.2fx", r->cublasSeconds / secs);
    outs() << "\n";
  };
  row("fused", r->kernelSeconds);
  if (r->cublasSeconds)
    outs() << format("%-11s %10.2f %11s %9s %10.2f %9.2fx\n", "cublas-bf16", r->cublasSeconds * 1e6, "-", "-",
                     r->flops / r->cublasSeconds / 1e12, 1.0);
  return Error::success();
}

Error benchMain(MLIRContext *ctx, ArrayRef<const char *> argv) {
  if (!argv.empty() && StringRef(argv[0]) == "model")
    return benchModel(argv.drop_front());
  if (argv.empty() || StringRef(argv[0]) != "matmul")
    return makeError("usage: qforge bench matmul --scheme S --m M --n N --k K --threads T "
                     "[--repeats R] [--act-scheme A [--act-hadamard SIZE[:SEED]]] [--cpu NAME] "
                     "[--vector-bits 128|256|512] [--schedule 'k_step = 128, prefetch = 1']\n"
                     "       qforge bench matmul --device cuda --scheme S [--m M --n N --k K] [--arch A] "
                     "[--tensor-cores] [--repeats R]\n"
                     "       qforge bench model MODEL_DIR [--threads 1,2] [--prompt 512] "
                     "[--decode 128] [--repeats 3]");
  Expected<Args> args = Args::parse("bench matmul", argv.drop_front(), {"scheme"},
                                    {"m", "n", "k", "threads", "repeats", "act-scheme", "act-hadamard", "cpu",
                                     "vector-bits", "schedule", "device", "arch"},
                                    {"tensor-cores"});
  if (!args)
    return args.takeError();
  std::string device = args->get("device", "cpu");
  if (device == "cuda")
    return benchCuda(ctx, *args);
  if (device != "cpu")
    return makeError("unknown device '" + device + "' (cpu or cuda)");
  for (const char *option : {"arch", "tensor-cores"})
    if (args->has(option))
      return makeError("--" + Twine(option) + " applies to --device cuda");
  bench::MatmulBenchOptions o;
  Expected<qf::SchemeAttr> scheme = parseScheme(ctx, args->get("scheme"));
  if (!scheme)
    return scheme.takeError();
  o.scheme = *scheme;
  o.actScheme = args->get("act-scheme");
  Expected<qf::CpuTarget> cpu = parseCpuTarget(*args);
  if (!cpu)
    return cpu.takeError();
  o.target = *cpu;
  o.schedule = args->get("schedule");
  if (Error err = parseActHadamard(*args, args->has("act-scheme"), o.actHadamard, o.actHadamardSeed))
    return err;
  for (auto [name, field, fallback] :
       {std::tuple<StringRef, int64_t *, int64_t>{"m", &o.m, 1}, {"n", &o.n, 4096},
        {"k", &o.k, 4096}}) {
    Expected<int64_t> v = args->getPositive(name, fallback);
    if (!v)
      return v.takeError();
    *field = *v;
  }
  Expected<int64_t> threads = args->getPositive("threads", 1), repeats = args->getPositive("repeats", 5);
  if (!threads)
    return threads.takeError();
  if (!repeats)
    return repeats.takeError();
  o.threads = int(*threads);
  o.repeats = int(*repeats);

  Expected<bench::MatmulBenchReport> r = bench::runMatmulBench(ctx, o);
  if (!r)
    return r.takeError();
  auto gbs = [&](double s) { return r->weightBytes / s / 1e9; };
  auto gflops = [&](double s) { return r->flops / s / 1e9; };
  outs() << "qforge bench matmul: " << args->get("scheme")
         << (o.actScheme.empty() ? "" : "  activations: " + o.actScheme)
         << (o.actHadamard ? "  rotated by H_" + std::to_string(o.actHadamard) : "") << "  M=" << o.m << " N=" << o.n << " K=" << o.k
         << "  threads=" << o.threads << "  median of " << o.repeats
         << (args->has("cpu") ? "  kernels for CPU " + o.target.cpu() : "")
         << "  vectors: " << o.target.vectorBits() << "-bit"
         << (o.schedule.empty() ? "" : "  schedule <" + o.schedule + ">") << "\n";
  outs() << format("weights: %.1f MB (%.3f bits/weight)\n", r->weightBytes / 1e6,
                   8 * r->weightBytes / double(o.n * o.k));
  outs() << format("machine (same run): DRAM read %.1f GB/s (median of passes interleaved with the fused "
                   "runs), f32 FMA peak %.1f GFLOP/s\n",
                   r->dramGBs, r->fmaGflops);
  outs() << format("%-9s %10s %11s %9s %12s %9s\n", "kernel", "time ms", "weight GB/s", "of DRAM",
                   "GFLOP/s", "of FMA");
  std::vector<std::pair<const char *, double>> rows = {{"fused", r->fusedSeconds}};
  if (!o.actScheme.empty())
    rows.push_back({"fused-f32", r->exactSeconds});
  rows.push_back({"unfused", r->unfusedSeconds});
  // The fused kernel's share of DRAM is the median of per-run ratios to the
  // probe pass before each run; the others' is against the probe median.
  for (auto [name, secs] : rows) {
    double ofDram = StringRef(name) == "fused" ? r->fusedOfDram : gbs(secs) / r->dramGBs;
    outs() << format("%-9s %10.3f %11.2f %8.1f%% %12.2f %8.2f%%\n", name, secs * 1e3, gbs(secs),
                     100 * ofDram, gflops(secs), 100 * gflops(secs) / r->fmaGflops);
  }
  outs() << format("fused vs unfused: %.2fx faster\n", r->unfusedSeconds / r->fusedSeconds);
  return Error::success();
}


} // namespace qforge
