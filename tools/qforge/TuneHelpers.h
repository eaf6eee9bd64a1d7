//===- TuneHelpers.h - What `tune` and `compile` share about tuning --------===//
#ifndef QFORGE_TOOLS_QFORGE_TUNEHELPERS_H
#define QFORGE_TOOLS_QFORGE_TUNEHELPERS_H

#include "CommandLine.h"

#include "tuning/MatmulTuner.h"

namespace qforge {

/// $QFORGE_CACHE/tuning.db, else ~/.cache/qforge/tuning.db.
std::string defaultTuningDbPath();
/// The database `--db` names, or the default one.
llvm::Expected<std::unique_ptr<tuning::TuningDb>> openTuningDb(const Args &args);
/// This machine's hardware threads: what `tune` measures on, and whose
/// schedules `compile` takes, unless `--threads` says otherwise.
int defaultThreads();
/// --threads, --trials, --time-budget, --seed, --repeats.
llvm::Expected<tuning::TuneOptions> tuneOptions(const Args &args);
/// Tunes one kernel with a progress bar, stores the session, prints the result.
llvm::Error tuneAndRecord(mlir::MLIRContext *ctx, const tuning::MatmulKernel &kernel,
                          const mlir::qf::CpuTarget &cpu, tuning::TuneOptions options, tuning::TuningDb &db);

/// Sets the schedules `--db` holds (for `--threads`) on a module's matmuls.
llvm::Error applyTuningDb(mlir::ModuleOp module, const Args &args, const mlir::qf::CpuTarget &cpu,
                          llvm::function_ref<void(const llvm::Twine &)> progress);

} // namespace qforge

#endif // QFORGE_TOOLS_QFORGE_TUNEHELPERS_H
