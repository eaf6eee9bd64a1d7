//===- Report.h - What the tuning database holds, as a table and a plot ----===//
#ifndef QFORGE_TUNING_REPORT_H
#define QFORGE_TUNING_REPORT_H

#include "tuning/TuningDb.h"

#include "llvm/Support/raw_ostream.h"

namespace qforge::tuning {

/// One row a record: kernel, threads, default and tuned time, speedup,
/// trials, schedule.
void printRecordTable(llvm::raw_ostream &os, llvm::ArrayRef<TuningRecord> records);

/// An SVG with one panel a record: the time of each trial of its latest
/// session (dots), the best so far (a step line) and the default (dashed).
void writeTrialsSvg(llvm::raw_ostream &os, llvm::ArrayRef<TuningRecord> records,
                    llvm::ArrayRef<std::vector<Trial>> trials);

} // namespace qforge::tuning

#endif // QFORGE_TUNING_REPORT_H
