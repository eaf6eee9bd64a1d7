//===- Hadamard.h - Host reference of qf.hadamard --------------------------===//
//
// The random sign diagonal that defines qf.hadamard's seeded rotations, and
// the rotation itself on host data (model weights rotated at compile time).
//===----------------------------------------------------------------------===//
#ifndef QF_REFERENCE_HADAMARD_H
#define QF_REFERENCE_HADAMARD_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>

namespace mlir::qf {

/// The sign qf.hadamard's random diagonal gives position `i` along its axis:
/// -1 where the top bit of output i (from 0) of SplitMix64 seeded with
/// `seed` is set, else +1.
int hadamardSign(uint64_t seed, uint64_t i);

/// Each row of the row-major `[rows, cols]` matrix times the signs (when
/// seeded) and then, in blocks of `size`, H_size / sqrt(size): what
/// qf.hadamard along the last axis computes, here in float64 and rounded
/// once. `size` is a power of two dividing `cols`.
void rotateRows(llvm::MutableArrayRef<float> values, int64_t cols, int64_t size,
                std::optional<uint64_t> seed);

} // namespace mlir::qf

#endif // QF_REFERENCE_HADAMARD_H
