//===- StorageAccess.h - IR that reads a qtensor's packed storage ----------===//
//
// The IR counterpart of the host dequantizer: given the storage tensors of a
// !qf.qtensor (one tensor<Nxi8> per buffer of its layout), emit the decoded
// value of the element at given indices. Element and scale decodes come from
// the format interface; where bytes live comes from qf/IR/Layout.h.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_PASSES_STORAGEACCESS_H
#define QFORGE_PASSES_STORAGEACCESS_H

#include "qf/IR/Layout.h"

namespace mlir::qf {

class StorageAccess {
public:
  StorageAccess(QTensorType type, ValueRange buffers);

  /// The f32 value of the element at `indices` (one index value per dim).
  Value emitDequantized(OpBuilder &b, Location loc, ValueRange indices) const;

private:
  Value emitPlanar(OpBuilder &b, Location loc, ValueRange indices) const;
  Value emitGgml(OpBuilder &b, Location loc, ValueRange indices) const;

  QTensorType type;
  SchemeAttr scheme;
  StorageLayout layout;
  SmallVector<Value> buffers;
};

} // namespace mlir::qf

#endif // QFORGE_PASSES_STORAGEACCESS_H
