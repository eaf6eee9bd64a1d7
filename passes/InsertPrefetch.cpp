//===- InsertPrefetch.cpp - Software prefetch of a loop's argument reads ---===//
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::qf {
#define GEN_PASS_DEF_QFINSERTPREFETCH
#include "passes/Passes.h.inc"
} // namespace mlir::qf

using namespace mlir;

namespace {

constexpr int64_t kLineBytes = 64;

/// Whether `memref` is, through views, an argument of the function.
bool isArgument(Value memref) {
  while (auto view = memref.getDefiningOp<ViewLikeOpInterface>())
    memref = view.getViewSource();
  auto arg = dyn_cast<BlockArgument>(memref);
  return arg && isa<FunctionOpInterface>(arg.getOwner()->getParentOp());
}

/// `index` as (base / divisor) * scale + offset with constants divisor,
/// scale and offset, peeling
/// additions, multiplications and exact divisions by constants (base
/// null: a constant).
struct LinearIndex {
  Value base;
  int64_t divisor = 1; ///< base / divisor, rounded down, is what scales
  int64_t scale = 1, offset = 0;
  bool sameTerm(const LinearIndex &o) const { return base == o.base && divisor == o.divisor && scale == o.scale; }
};
LinearIndex splitConstant(Value index) {
  if (auto c = getConstantIntValue(index))
    return {Value(), 1, 0, *c};
  auto constantOperand = [](Operation *op) -> std::optional<std::pair<Value, int64_t>> {
    for (int i : {1, 0})
      if (auto c = getConstantIntValue(op->getOperand(i)))
        return std::pair(op->getOperand(1 - i), *c);
    return std::nullopt;
  };
  Operation *def = index.getDefiningOp();
  if (isa_and_nonnull<arith::AddIOp>(def))
    if (auto operand = constantOperand(def)) {
      LinearIndex inner = splitConstant(operand->first);
      inner.offset += operand->second;
      return inner;
    }
  if (isa_and_nonnull<arith::MulIOp>(def))
    if (auto operand = constantOperand(def)) {
      LinearIndex inner = splitConstant(operand->first);
      return {inner.base, inner.divisor, inner.scale * operand->second, inner.offset * operand->second};
    }
  if (isa_and_nonnull<arith::DivUIOp>(def))
    if (auto divisor = getConstantIntValue(def->getOperand(1)); divisor && *divisor > 0) {
      LinearIndex inner = splitConstant(def->getOperand(0));
      if (inner.offset % *divisor == 0) {
        // (x + c) / d = x / d + c / d where d divides c.
        if (inner.scale % *divisor == 0)
          return {inner.base, inner.divisor, inner.scale / *divisor, inner.offset / *divisor};
        if (inner.scale == 1 && inner.divisor == 1)
          return {inner.base, *divisor, 1, inner.offset / *divisor};
      }
    }
  return {index, 1, 1, 0};
}

/// Whether `value` is computed in `body` from `iv`.
bool dependsOn(Value value, Value iv, Block *body) {
  if (value == iv)
    return true;
  Operation *def = value.getDefiningOp();
  return def && def->getBlock() == body &&
         llvm::any_of(def->getOperands(), [&](Value operand) { return dependsOn(operand, iv, body); });
}

/// `value` as computed with the mapped values, cloning the ops of `body`
/// it depends on (values from outside `body` are used as they are).
Value cloneInto(OpBuilder &b, Value value, Block *body, IRMapping &mapping) {
  if (Value mapped = mapping.lookupOrNull(value))
    return mapped;
  Operation *def = value.getDefiningOp();
  if (!def || def->getBlock() != body)
    return value;
  for (Value operand : def->getOperands())
    cloneInto(b, operand, body, mapping);
  return b.clone(*def, mapping)->getResult(cast<OpResult>(value).getResultNumber());
}

struct InsertPrefetch : qf::impl::QfInsertPrefetchBase<InsertPrefetch> {
  using QfInsertPrefetchBase::QfInsertPrefetchBase;

  void runOnOperation() override {
    getOperation().walk([&](scf::ForOp loop) {
      auto distance = loop->getAttrOfType<IntegerAttr>(qf::kPrefetchDistanceAttr);
      if (distance && distance.getInt() >= 0)
        insertPrefetches(loop, distance.getInt());
    });
  }

  /// `distance` steps ahead; 0: aheadBytes of the streams ahead, rounded up
  /// to whole steps (none without aheadBytes).
  void insertPrefetches(scf::ForOp loop, int64_t distance) {
    Block *body = loop.getBody();
    // Reads of one memref whose indices differ by constants only: the
    // elements from the lowest to past the highest one read.
    struct Stream {
      vector::TransferReadOp first;
      LinearIndex at;
      SmallVector<Value> leading;
      int64_t lo, hi;
    };
    SmallVector<Stream> streams;
    for (auto read : body->getOps<vector::TransferReadOp>()) {
      Value memref = read.getBase();
      // Reads at the same place every iteration (a tensor-wide scale) stay
      // in the cache by themselves.
      if (!isa<MemRefType>(memref.getType()) || !isArgument(memref) || read.getIndices().empty() ||
          llvm::none_of(read.getIndices(), [&](Value index) { return dependsOn(index, loop.getInductionVar(), body); }))
        continue;
      LinearIndex at = splitConstant(read.getIndices().back());
      SmallVector<Value> leading(read.getIndices().drop_back());
      int64_t end = at.offset + read.getVectorType().getShape().back();
      auto stream = llvm::find_if(streams, [&](Stream &s) {
        return s.first.getBase() == memref && s.at.sameTerm(at) && s.leading == leading;
      });
      if (stream == streams.end()) {
        streams.push_back({read, at, leading, at.offset, end});
        continue;
      }
      stream->lo = std::min(stream->lo, at.offset);
      stream->hi = std::max(stream->hi, end);
    }
    if (streams.empty())
      return;
    if (!distance) {
      int64_t stepBytes = 0;
      for (Stream &stream : streams)
        stepBytes += (stream.hi - stream.lo) *
                     cast<MemRefType>(stream.first.getBase().getType()).getElementTypeBitWidth() / 8;
      if (aheadBytes <= 0 || stepBytes <= 0)
        return;
      distance = (aheadBytes + stepBytes - 1) / stepBytes;
    }

    OpBuilder b = OpBuilder::atBlockBegin(body);
    Location loc = loop.getLoc();
    Value ahead = arith::AddIOp::create(
        b, loc, loop.getInductionVar(),
        arith::MulIOp::create(b, loc, loop.getStep(), arith::ConstantIndexOp::create(b, loc, distance)));
    for (const Stream &stream : streams) {
      vector::TransferReadOp read = stream.first;
      Value memref = read.getBase();
      b.setInsertionPoint(read);
      loc = read.getLoc();
      IRMapping mapping;
      mapping.map(loop.getInductionVar(), ahead);
      // Indices clamped to the memref: prefetches past its end would be
      // harmless on the hardware, but not in LLVM's semantics. The stream's
      // first element is clamped once, to where its span still ends within
      // the memref (every iteration reads the span, so it fits), and the
      // prefetches lie at constant offsets from it.
      int64_t last = int64_t(read.getIndices().size()) - 1;
      auto dimSize = [&](int64_t dim) { return memref::DimOp::create(b, loc, memref, dim).getResult(); };
      auto clampTo = [&](Value index, int64_t dim, int64_t span) {
        Value bound = arith::SubIOp::create(b, loc, dimSize(dim), arith::ConstantIndexOp::create(b, loc, span));
        return arith::MinUIOp::create(b, loc, index, bound).getResult();
      };
      SmallVector<Value> leading;
      for (auto [dim, index] : llvm::enumerate(read.getIndices().drop_back()))
        leading.push_back(clampTo(cloneInto(b, index, body, mapping), dim, 1));
      Value lo = cloneInto(b, read.getIndices().back(), body, mapping);
      if (stream.lo != stream.at.offset)
        lo = arith::AddIOp::create(b, loc, lo, arith::ConstantIndexOp::create(b, loc, stream.lo - stream.at.offset));
      lo = clampTo(lo, last, stream.hi - stream.lo);
      // A prefetch a line from lo, and one at the last element read.
      int64_t line = std::max<int64_t>(1, kLineBytes * 8 / cast<MemRefType>(memref.getType()).getElementTypeBitWidth());
      SmallVector<int64_t> targets;
      for (int64_t o = stream.lo; o < stream.hi - 1; o += line)
        targets.push_back(o);
      targets.push_back(stream.hi - 1);
      for (int64_t target : targets) {
        Value at = lo;
        if (target != stream.lo)
          at = arith::AddIOp::create(b, loc, at, arith::ConstantIndexOp::create(b, loc, target - stream.lo));
        SmallVector<Value> indices(leading);
        indices.push_back(at);
        memref::PrefetchOp::create(b, loc, memref, indices, /*isWrite=*/false, /*localityHint=*/3,
                                   /*isDataCache=*/true);
      }
    }
  }
};

} // namespace
