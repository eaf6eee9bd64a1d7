//===- MatmulSchedule.h - The knobs of a qf.matmul's CPU kernel ------------===//
//
// The search space `qforge tune` explores: for one qf.matmul, the values each
// knob of #qf.cpu_schedule can take, and whether a whole schedule lowers it.
// The lowerings and the package's thread split read the schedule through
// here, so what the tuner measures is what compiles.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_PASSES_MATMULSCHEDULE_H
#define QFORGE_PASSES_MATMULSCHEDULE_H

#include "qf/IR/Qf.h"

#include <string>

namespace mlir::qf {

/// The version of the space below: bumped when knobs or their ranges
/// change. Schedules tuned under an older version stay usable wherever
/// checkSchedule still accepts them.
constexpr int64_t kScheduleSpaceVersion = 3;

/// The knobs, in the order of scheduleValues.
ArrayRef<StringRef> scheduleKnobNames();
/// A schedule's knob values (the path as its enum value); 0: the default.
SmallVector<int64_t> scheduleValues(CpuScheduleAttr schedule);
CpuScheduleAttr scheduleFromValues(MLIRContext *ctx, ArrayRef<int64_t> values);
/// Every knob left to the lowering.
CpuScheduleAttr defaultSchedule(MLIRContext *ctx);

/// For each knob, the values worth trying on `op` (only legal ones; {0}
/// where the knob does not apply). Combinations still go through
/// checkSchedule: a panel width must divide the split's columns, and so on.
SmallVector<SmallVector<int64_t>> getScheduleSpace(MatmulOp op);

/// Sets the knobs of the path not taken to 0, so that schedules lowering
/// to the same kernel compare equal.
void normalizeScheduleValues(MutableArrayRef<int64_t> values);

/// Why `schedule` cannot lower `op`, naming the knob; "" when it can.
std::string checkSchedule(MatmulOp op, CpuScheduleAttr schedule);

/// The steps along K the rows kernel can take for weights `w` with K = k,
/// largest first.
SmallVector<int64_t> legalKSteps(QTensorType w, int64_t k);

/// How an entry that is one qf.matmul runs on threads: `blocks` equal
/// blocks of the activation rows (alongTokens) or of the weight rows.
struct MatmulSplit {
  int64_t blocks = 1;
  bool alongTokens = false;
};
/// The split the op's schedule asks for, or the default one; blocks == 1
/// when the entry runs whole. Assumes checkSchedule accepted the schedule.
MatmulSplit chooseSplit(MatmulOp op);
/// The same for `schedule` in place of the op's own.
MatmulSplit chooseSplit(MatmulOp op, CpuScheduleAttr schedule);

} // namespace mlir::qf

#endif // QFORGE_PASSES_MATMULSCHEDULE_H
