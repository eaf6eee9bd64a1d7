//===- MatmulSchedule.cpp - The knobs of a qf.matmul's CPU kernel ----------===//
#include "passes/MatmulSchedule.h"
#include "passes/ActivationQuant.h"
#include "passes/IntegerDotMatmul.h"
#include "passes/PackedDotMatmul.h"
#include "passes/StorageAccess.h"

#include "qf/IR/Layout.h"

using namespace mlir;
using namespace mlir::qf;

namespace {

enum Knob { kSplit, kPath, kKStep, kAccumulators, kRowTile, kPanelCols, kPrefetch, kKnobs };

struct Shape {
  int64_t m, n, k;
  bool isStatic;
};

Shape shapeOf(MatmulOp op) {
  auto a = cast<ShapedType>(op.getLhs().getType());
  auto result = cast<ShapedType>(op.getResult().getType());
  ArrayRef<int64_t> w = op.getRhs().getType().getShape();
  return {a.getRank() == 2 ? a.getDimSize(0) : 1, w[0], w[1], a.hasStaticShape() && result.hasStaticShape()};
}

/// The most blocks up to `most` that divide `extent` into parts of at least
/// `least`, preferring counts that 4, then 2 threads share evenly; 1 if none.
int64_t divideInto(int64_t extent, int64_t most, int64_t least) {
  for (int64_t multiple : {4, 2, 1})
    for (int64_t b = std::min(most, extent / least); b > 1; --b)
      if (extent % b == 0 && b % multiple == 0)
        return b;
  return 1;
}

bool alongTokens(const Shape &s) { return s.m >= 128; }

/// Why `blocks` blocks cannot split the op; "" when they can.
std::string checkSplit(MatmulOp op, const Shape &s, int64_t blocks) {
  if (blocks <= 1)
    return "";
  if (!s.isStatic)
    return "split needs static shapes";
  int64_t extent = alongTokens(s) ? s.m : s.n;
  if (extent % blocks)
    return "split = " + std::to_string(blocks) + " does not divide " +
           (alongTokens(s) ? "M = " : "N = ") + std::to_string(extent) + " into equal blocks";
  if (alongTokens(s))
    return "";
  // Weight rows: each storage buffer is shared whole (a tensor scale) or cut
  // into equal consecutive parts.
  QTensorType w = op.getRhs().getType();
  StorageLayout whole = getStorageLayout(w.getScheme(), w.getShape());
  StorageLayout part = getStorageLayout(w.getScheme(), {s.n / blocks, s.k});
  for (auto [full, piece] : llvm::zip(whole.buffers, part.buffers))
    if (piece.bytes != full.bytes && piece.bytes * blocks != full.bytes)
      return "split = " + std::to_string(blocks) + " cuts buffer '" + full.name +
             "' of the weights' storage unevenly";
  return "";
}

int64_t defaultPanelCols(int64_t n) { return n % (2 * PackedDotMatmul::kLanes) == 0 ? 32 : 16; }

} // namespace

ArrayRef<StringRef> mlir::qf::scheduleKnobNames() {
  static const StringRef names[] = {"split",    "path",       "k_step",  "accumulators",
                                     "row_tile", "panel_cols", "prefetch"};
  return names;
}

SmallVector<int64_t> mlir::qf::scheduleValues(CpuScheduleAttr s) {
  if (!s)
    return SmallVector<int64_t>(kKnobs, 0);
  return {s.getSplit(),   int64_t(s.getPath()), s.getKStep(),   s.getAccumulators(),
          s.getRowTile(), s.getPanelCols(),     s.getPrefetch()};
}

CpuScheduleAttr mlir::qf::scheduleFromValues(MLIRContext *ctx, ArrayRef<int64_t> v) {
  assert(v.size() == kKnobs && "one value a knob");
  return CpuScheduleAttr::get(ctx, v[kSplit], KernelPath(v[kPath]), v[kKStep], v[kAccumulators], v[kRowTile],
                              v[kPanelCols], v[kPrefetch]);
}

CpuScheduleAttr mlir::qf::defaultSchedule(MLIRContext *ctx) {
  return scheduleFromValues(ctx, scheduleValues(nullptr));
}

void mlir::qf::normalizeScheduleValues(MutableArrayRef<int64_t> v) {
  if (KernelPath(v[kPath]) == KernelPath::rows)
    v[kPanelCols] = 0;
  if (KernelPath(v[kPath]) == KernelPath::panels)
    v[kKStep] = v[kAccumulators] = v[kPrefetch] = 0;
}

SmallVector<int64_t> mlir::qf::legalKSteps(QTensorType w, int64_t k) {
  int64_t block = StorageAccess::getChunkBlockSize(w), align = StorageAccess::getKAlignment(w);
  // A step of tiled weights lies in one tile.
  int64_t tile = w.getScheme().getLayout() == LayoutKind::tiled ? getTileElements(w.getScheme(), k) : 256;
  SmallVector<int64_t> steps;
  for (int64_t s : {256, 128, 64, 32})
    if (k % s == 0 && s % align == 0 && (s % block == 0 || block % s == 0) && tile % s == 0)
      steps.push_back(s);
  return steps;
}

MatmulSplit mlir::qf::chooseSplit(MatmulOp op) { return chooseSplit(op, op.getScheduleAttr()); }

MatmulSplit mlir::qf::chooseSplit(MatmulOp op, CpuScheduleAttr schedule) {
  Shape s = shapeOf(op);
  if (!s.isStatic)
    return {};
  if (schedule && schedule.getSplit())
    return {schedule.getSplit(), schedule.getSplit() > 1 && alongTokens(s)};
  if (int64_t blocks = alongTokens(s) ? divideInto(s.m, 64, 64) : 1; blocks > 1)
    return {blocks, true};
  // Several activation rows: few blocks, as each quantizes all of them; one
  // row: blocks of at least 256 weight rows, as each block pays a call and
  // the activations' quantization.
  int64_t blocks = s.m == 1 ? divideInto(s.n, 64, 256) : divideInto(s.n, 4, 1);
  if (!checkSplit(op, s, blocks).empty())
    return {};
  return {blocks, false};
}

SmallVector<SmallVector<int64_t>> mlir::qf::getScheduleSpace(MatmulOp op) {
  Shape s = shapeOf(op);
  SmallVector<SmallVector<int64_t>> space(kKnobs, SmallVector<int64_t>{0});
  space[kSplit] = {1};
  for (int64_t b : {2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64}) {
    int64_t part = (alongTokens(s) ? s.m : s.n) / b;
    if (part >= (alongTokens(s) ? 8 : PackedDotMatmul::kLanes) && checkSplit(op, s, b).empty())
      space[kSplit].push_back(b);
  }
  if (!hasIntegerDotPath(op))
    return space;
  space[kPath] = {int64_t(KernelPath::rows)};
  if (PackedDotMatmul::fits(op.getRhs().getType(), ActivationQuantizer(op).getGroupSize(), s.n, s.k))
    space[kPath].push_back(int64_t(KernelPath::panels));
  space[kKStep] = legalKSteps(op.getRhs().getType(), s.k);
  space[kAccumulators] = {1, 2, 4, 8};
  space[kPrefetch] = {0, 1, 2, 4, 8, 16, 32};
  space[kRowTile].clear();
  for (int64_t t = 1; t <= std::min<int64_t>(8, s.m); ++t)
    space[kRowTile].push_back(t);
  if (space[kPath].size() > 1)
    space[kPanelCols] = {16, 32, 64};
  return space;
}

std::string mlir::qf::checkSchedule(MatmulOp op, CpuScheduleAttr schedule) {
  if (!schedule)
    return "";
  Shape s = shapeOf(op);
  if (std::string why = checkSplit(op, s, schedule.getSplit()); !why.empty())
    return why;
  bool kernelKnobs = schedule.getPath() != KernelPath::automatic || schedule.getKStep() ||
                     schedule.getAccumulators() || schedule.getRowTile() || schedule.getPanelCols() ||
                     schedule.getPrefetch();
  if (!kernelKnobs)
    return "";
  if (!hasIntegerDotPath(op))
    return "schedule path, k_step, accumulators, row_tile, panel_cols and prefetch apply to matmuls on integer "
           "dot products (an activation scheme whose codes are bytes, weights with byte codes), not "
           "this one";
  // The block one thread computes.
  MatmulSplit split = chooseSplit(op, schedule);
  int64_t m = split.alongTokens ? s.m / split.blocks : s.m;
  int64_t n = split.alongTokens ? s.n : s.n / split.blocks;
  QTensorType w = op.getRhs().getType();
  int64_t group = ActivationQuantizer(op).getGroupSize();
  int64_t cols = schedule.getPanelCols() ? schedule.getPanelCols() : defaultPanelCols(n);
  KernelPath path = schedule.getPath();
  if (path == KernelPath::automatic)
    path = m >= 8 && PackedDotMatmul::fits(w, group, n, s.k, cols) ? KernelPath::panels : KernelPath::rows;
  if (path == KernelPath::panels) {
    if (!PackedDotMatmul::fits(w, group, n, s.k, cols))
      return "path = panels with panel_cols = " + std::to_string(cols) + " does not fit N = " +
             std::to_string(n) + " (per block) and these weights' blocks";
    if (schedule.getKStep() || schedule.getAccumulators() || schedule.getPrefetch())
      return "k_step, accumulators and prefetch apply to the rows kernel, and this schedule runs panels";
    int64_t tile = schedule.getRowTile() ? schedule.getRowTile() : 4;
    if (tile * cols / PackedDotMatmul::kLanes > 16)
      return "row_tile x panel_cols / 16 must be at most 16 accumulators, got " +
             std::to_string(tile * cols / PackedDotMatmul::kLanes);
    return "";
  }
  if (schedule.getPanelCols())
    return "panel_cols applies to the panels kernel, and this schedule runs rows";
  if (int64_t step = schedule.getKStep(); step && !llvm::is_contained(legalKSteps(w, s.k), step))
    return "k_step = " + std::to_string(step) + " does not fit K = " + std::to_string(s.k) +
           " and these weights' blocks";
  if (int64_t tile = schedule.getRowTile(); tile && m % tile)
    return "row_tile = " + std::to_string(tile) + " does not divide the " + std::to_string(m) +
           " activation rows of a block";
  return "";
}
