//===- ScheduleAttrs.cpp - #qf.cpu_schedule and #qf.hls_schedule -----------===//
//
// The rules that hold whatever the op; which CPU schedules fit one matmul is
// passes/MatmulSchedule's question, which HLS knobs fit a kernel
// codegen/hls's.
//===----------------------------------------------------------------------===//
#include "qf/IR/Qf.h"

using namespace mlir;
using namespace mlir::qf;

LogicalResult CpuScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError, int64_t split,
                                      KernelPath path, int64_t kStep, int64_t accumulators,
                                      int64_t rowTile, int64_t panelCols, int64_t prefetch) {
  if (split < 0 || split > 64)
    return emitError() << "schedule split must be from 1 to 64 blocks, got " << split;
  if (kStep && kStep != 32 && kStep != 64 && kStep != 128 && kStep != 256)
    return emitError() << "schedule k_step must be 32, 64, 128 or 256, got " << kStep;
  if (accumulators < 0 || accumulators > 8)
    return emitError() << "schedule accumulators must be from 1 to 8, got " << accumulators;
  if (rowTile < 0 || rowTile > 8)
    return emitError() << "schedule row_tile must be from 1 to 8 rows, got " << rowTile;
  if (panelCols && panelCols != 16 && panelCols != 32 && panelCols != 64)
    return emitError() << "schedule panel_cols must be 16, 32 or 64, got " << panelCols;
  if (prefetch < 0 || prefetch > 64)
    return emitError() << "schedule prefetch must be from 1 to 64 steps ahead, got " << prefetch;
  if (path == KernelPath::rows && panelCols)
    return emitError() << "schedule panel_cols applies to path = panels, not rows";
  if (path == KernelPath::panels && (kStep || accumulators || prefetch))
    return emitError() << "schedule k_step, accumulators and prefetch apply to path = rows, not panels";
  return success();
}

LogicalResult HlsScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError, int64_t unroll,
                                      int64_t partition) {
  if (unroll < 0 || unroll > 4096)
    return emitError() << "hls_schedule unroll must be from 1 to 4096, got " << unroll;
  if (partition < 0 || partition > 4096)
    return emitError() << "hls_schedule partition must be from 1 to 4096, got " << partition;
  return success();
}
