//===- qforge.cpp - The qforge driver ---------------------------------------===//
#include "CommandLine.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

static const char kUsage[] = R"(usage: qforge <command> [options]

commands:
  schemes     quantize a tensor with every preset (or --scheme S ...) and print
              bits/weight and error: qforge schemes --demo | --input x.npy
  quantize    qforge quantize --scheme S --input x.npy --output-dir D
              writes D/<buffer>.bin, the scheme's storage layout
  dequantize  qforge dequantize --scheme S --input-dir D --shape 8x256 --output y.npy
  encode      qforge encode --format '#qf.float<e2m1>' --input x.npy --output codes.npy
              [--rounding nearest_even|nearest_away|nearest_up|nearest_lowest_code|toward_zero]
              [--no-saturate]
  decode      qforge decode --format F --input codes.npy --output values.npy
  compile     qforge compile kernel.mlir --target cpu [--cpu NAME] [--vector-bits B] -o DIR
              compiles the public functions for this CPU (or NAME) into a package
              qforge compile model.gguf [--scheme S | --policy P.toml | --bits-budget B
                [--candidates S,...] [--calibration text.txt]] [--act-scheme A|none] -o DIR
              a llama-architecture model, weights in the file's encodings or
              re-quantized to preset S, per tensor by a policy, or per layer within
              B bits per weight (policy written to DIR/policy.toml) (docs/mixed-precision.md);
              --emit-mlir prints the package's IR instead; --db PATH [--threads T] takes
              the schedules `tune` found for T threads (docs/tuning.md)
              qforge compile kernel.mlir --target hls [--unroll U] [--partition P] [--seed S]
                [--clock-ns T] -o DIR
              an HLS C++ project a function: kernel, testbench and data, Vitis tcl,
              C-simulation Makefile, resource/latency estimate (docs/hls.md)
  run         qforge run DIR --entry F [--input x.npy | --input-dir Q]... --output y.npy [--threads T]
              tensor arguments from .npy files, quantized ones from qforge quantize dirs
              qforge run MODEL_DIR --prompt TEXT [-n 64] [--threads T] [--temp X --top-k K
              --top-p P --seed S] [--logits prompt_logits.npy]
              generates text (greedy unless --temp > 0); --prompt-tokens 1,2,3 takes ids
  tokenize    qforge tokenize MODEL_DIR --text TEXT [--no-special]
              the token ids of TEXT
  bench       qforge bench matmul --scheme S --m M --n N --k K --threads T [--repeats R]
              [--act-scheme A [--act-hadamard SIZE[:SEED]]] [--cpu NAME] [--vector-bits B]
              [--schedule KNOBS]
              fused kernel vs unfused baseline vs this machine's DRAM and FMA peak;
              --schedule 'k_step = 128, prefetch = 1' sets the fused kernel's knobs
              qforge bench model MODEL_DIR [--threads 1,2] [--prompt 512] [--decode 128]
              prefill and decode tokens/s
  tune        qforge tune matmul --scheme S --m M --n N --k K [--act-scheme A] [--threads T]
              [--trials 32] [--time-budget SEC] [--seed S] [--db PATH]
              qforge tune model.gguf [--scheme S | --policy P.toml] [--act-scheme A|none] [...]
              searches kernel schedules on this machine, stores the fastest in the
              tuning database (default ~/.cache/qforge/tuning.db)
              qforge tune --report [--db PATH] [--svg FILE]: the results, and a plot
  inspect     qforge inspect model.gguf [--json]
              a GGUF file's header, metadata and tensors (types, shapes, offsets)
  extract     qforge extract model.gguf --tensor NAME --output-dir D
              the tensor's bytes as the storage of the qf preset it imports as
              (D/blocks.bin, for qforge dequantize / run), or D/tensor.npy (F32)

Schemes are preset names (mxfp4, nvfp4, int4_g128, q4_k, ...; `qforge schemes
--list`) or the body of a #qf.scheme attribute; see docs/dialect.md.
)";

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  if (argc < 2 || StringRef(argv[1]) == "--help" || StringRef(argv[1]) == "-h" ||
      StringRef(argv[1]) == "help") {
    outs() << kUsage;
    return argc < 2 ? 1 : 0;
  }
  mlir::MLIRContext ctx;
  ctx.getOrLoadDialect<mlir::qf::QfDialect>();
  StringRef command = argv[1];
  ArrayRef<const char *> rest(argv + 2, argv + argc);
  static const std::pair<StringRef, qforge::CommandMain> kCommands[] = {
      {"schemes", qforge::schemesMain},   {"quantize", qforge::quantizeMain},
      {"dequantize", qforge::dequantizeMain}, {"encode", qforge::encodeMain},
      {"decode", qforge::decodeMain},     {"compile", qforge::compileMain},
      {"run", qforge::runMain},           {"bench", qforge::benchMain},
      {"inspect", qforge::inspectMain},    {"extract", qforge::extractMain},
      {"tokenize", qforge::tokenizeMain}, {"tune", qforge::tuneMain}};
  for (auto [name, main] : kCommands)
    if (command == name) {
      if (Error err = main(&ctx, rest))
        return qforge::reportError(name, std::move(err));
      return 0;
    }
  errs() << "qforge: error: unknown command '" << command << "'\n\n" << kUsage;
  return 1;
}
