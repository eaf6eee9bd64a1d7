//===- CommandLine.h - The qforge driver's argument handling ---------------===//
#ifndef QFORGE_TOOLS_QFORGE_COMMANDLINE_H
#define QFORGE_TOOLS_QFORGE_COMMANDLINE_H

#include "qf/IR/Qf.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlir::qf {
class CpuTarget;
} // namespace mlir::qf

namespace qforge {

/// `--name value` options (repeatable) and `--flag` switches of one subcommand.
class Args {
public:
  /// Fails on unknown options and on missing `required` ones.
  static llvm::Expected<Args> parse(llvm::StringRef command, llvm::ArrayRef<const char *> argv,
                                    llvm::ArrayRef<llvm::StringRef> required,
                                    llvm::ArrayRef<llvm::StringRef> optional = {},
                                    llvm::ArrayRef<llvm::StringRef> flags = {});
  bool has(llvm::StringRef name) const { return values.count(name) || switches.count(name); }
  std::string get(llvm::StringRef name, llvm::StringRef fallback = "") const;
  std::vector<std::string> getAll(llvm::StringRef name) const;
  /// The positive integer value of `--name`, or `fallback` when absent.
  llvm::Expected<int64_t> getPositive(llvm::StringRef name, int64_t fallback) const;
  /// A number in [lo, hi], `fallback` when absent.
  llvm::Expected<double> getNumber(llvm::StringRef name, double fallback, double lo, double hi) const;

private:
  std::string command;
  llvm::StringMap<std::vector<std::string>> values;
  llvm::StringMap<bool> switches;
};

llvm::Error makeError(const llvm::Twine &msg);

/// A preset name or a scheme body; errors carry the column of the problem.
llvm::Expected<mlir::qf::SchemeAttr> parseScheme(mlir::MLIRContext *ctx, llvm::StringRef text);
/// A format attribute such as `#qf.float<e2m1>`.
llvm::Expected<mlir::qf::QuantFormatAttrInterface> parseFormat(mlir::MLIRContext *ctx,
                                                               llvm::StringRef text);
/// `--act-hadamard SIZE[:SEED]` into size and seed (0 when absent); it
/// needs an activation scheme, since the rotation runs in its quantizer.
llvm::Error parseActHadamard(const Args &args, bool hasActScheme, int64_t &size, int64_t &seed);
/// The CPU kernels are compiled for: `--cpu NAME` or the host, vectors no
/// wider than `--vector-bits` where given.
llvm::Expected<mlir::qf::CpuTarget> parseCpuTarget(const Args &args);
/// "8x256" -> {8, 256}.
llvm::Expected<std::vector<int64_t>> parseShape(llvm::StringRef text);

/// The subcommands; each reports what went wrong as an Error.
using CommandMain = llvm::Error (*)(mlir::MLIRContext *ctx, llvm::ArrayRef<const char *> argv);
llvm::Error schemesMain(mlir::MLIRContext *ctx, llvm::ArrayRef<const char *> argv);
llvm::Error encodeMain(mlir::MLIRContext *ctx, llvm::ArrayRef<const char *> argv);
llvm::Error decodeMain(mlir::MLIRContext *ctx, llvm::ArrayRef<const char *> argv);
llvm::Error quantizeMain(mlir::MLIRContext *ctx, llvm::ArrayRef<const char *> argv);
llvm::Error dequantizeMain(mlir::MLIRContext *ctx, llvm::ArrayRef<const char *> argv);
llvm::Error compileMain(mlir::MLIRContext *ctx, llvm::ArrayRef<const char *> argv);
llvm::Error runMain(mlir::MLIRContext *ctx, llvm::ArrayRef<const char *> argv);
llvm::Error benchMain(mlir::MLIRContext *ctx, llvm::ArrayRef<const char *> argv);
llvm::Error inspectMain(mlir::MLIRContext *ctx, llvm::ArrayRef<const char *> argv);
llvm::Error extractMain(mlir::MLIRContext *ctx, llvm::ArrayRef<const char *> argv);
llvm::Error tokenizeMain(mlir::MLIRContext *ctx, llvm::ArrayRef<const char *> argv);
llvm::Error tuneMain(mlir::MLIRContext *ctx, llvm::ArrayRef<const char *> argv);
/// `compile` of a GGUF model and `run` of a model package.
llvm::Error compileModel(mlir::MLIRContext *ctx, llvm::StringRef input, const Args &args,
                         const mlir::qf::CpuTarget &cpu);
llvm::Error runModel(llvm::StringRef dir, llvm::ArrayRef<const char *> argv);
/// `tune` of every distinct matmul kernel of a GGUF model's package.
llvm::Error tuneModel(mlir::MLIRContext *ctx, llvm::StringRef input, const Args &args);
llvm::Error benchModel(llvm::ArrayRef<const char *> argv);

/// Prints `qforge <command>: error: ...` and returns the exit status 1.
int reportError(llvm::StringRef command, llvm::Error err);

} // namespace qforge

#endif // QFORGE_TOOLS_QFORGE_COMMANDLINE_H
