// RUN: qforge-opt %s --pass-pipeline='builtin.module(func.func(qf-insert-prefetch))' --split-input-file | FileCheck %s

// Reads of an argument in a marked loop that differ by constants (0, 16
// and 64, 16 bytes each): prefetches of the elements they will read 3
// iterations later, one a 64-byte line from the lowest and one at the last
// byte (79). The stream's first element is clamped once so that its 80
// bytes end within the memref; the prefetches are at constant offsets from
// it. The read of a local buffer and the one in the unmarked loop get none.
// CHECK-LABEL: func.func @marked
// CHECK-SAME: (%[[W:.*]]: memref<4096xi8>, %[[N:.*]]: index)
// CHECK: %[[STEP:.*]] = arith.constant 128 : index
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[N]] step %[[STEP]]
// CHECK: %[[C3:.*]] = arith.constant 3 : index
// CHECK: %[[DIST:.*]] = arith.muli %[[STEP]], %[[C3]]
// CHECK: %[[AHEAD:.*]] = arith.addi %[[I]], %[[DIST]]
// CHECK: %[[DIM:.*]] = memref.dim %[[W]]
// CHECK: %[[C80:.*]] = arith.constant 80 : index
// CHECK: %[[BOUND:.*]] = arith.subi %[[DIM]], %[[C80]]
// CHECK: %[[AT0:.*]] = arith.minui %[[AHEAD]], %[[BOUND]]
// CHECK: memref.prefetch %[[W]][%[[AT0]]], read, locality<3>, data
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[AT64:.*]] = arith.addi %[[AT0]], %[[C64]]
// CHECK: memref.prefetch %[[W]][%[[AT64]]]
// CHECK: %[[C79:.*]] = arith.constant 79 : index
// CHECK: %[[AT79:.*]] = arith.addi %[[AT0]], %[[C79]]
// CHECK: memref.prefetch %[[W]][%[[AT79]]]
// CHECK-NEXT: vector.transfer_read %[[W]][%[[I]]]
// CHECK-NOT: memref.prefetch
// CHECK: } {qf.prefetch_distance = 3 : i64}
// CHECK-NOT: memref.prefetch
// CHECK: return
func.func @marked(%w: memref<4096xi8>, %n: index) -> vector<16xi8> {
  %c128 = arith.constant 128 : index
  %c0 = arith.constant 0 : index
  %p = arith.constant 0 : i8
  %z = arith.constant dense<0> : vector<16xi8>
  %local = memref.alloca() : memref<4096xi8>
  %r = scf.for %i = %c0 to %n step %c128 iter_args(%acc = %z) -> vector<16xi8> {
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %a = vector.transfer_read %w[%i], %p {in_bounds = [true]} : memref<4096xi8>, vector<16xi8>
    %i16 = arith.addi %i, %c16 : index
    %b = vector.transfer_read %w[%i16], %p {in_bounds = [true]} : memref<4096xi8>, vector<16xi8>
    %i64 = arith.addi %i, %c64 : index
    %c = vector.transfer_read %w[%i64], %p {in_bounds = [true]} : memref<4096xi8>, vector<16xi8>
    %d = vector.transfer_read %local[%i], %p {in_bounds = [true]} : memref<4096xi8>, vector<16xi8>
    %s0 = arith.addi %acc, %a : vector<16xi8>
    %s1 = arith.addi %s0, %b : vector<16xi8>
    %s2 = arith.addi %s1, %c : vector<16xi8>
    %s3 = arith.addi %s2, %d : vector<16xi8>
    scf.yield %s3 : vector<16xi8>
  } {qf.prefetch_distance = 3 : i64}
  %u = scf.for %i = %c0 to %n step %c128 iter_args(%acc = %r) -> vector<16xi8> {
    %a = vector.transfer_read %w[%i], %p {in_bounds = [true]} : memref<4096xi8>, vector<16xi8>
    %s = arith.addi %acc, %a : vector<16xi8>
    scf.yield %s : vector<16xi8>
  }
  return %u : vector<16xi8>
}

// -----

// A read at the same indices every iteration (a tensor-wide scale) gets no
// prefetch; the stream beside it does.
// CHECK-LABEL: func.func @invariant
// CHECK-SAME: (%[[W:.*]]: memref<4096xi8>, %[[G:.*]]: memref<4xf32>)
// CHECK: scf.for
// CHECK-NOT: memref.prefetch %[[G]]
// CHECK: memref.prefetch %[[W]]
// CHECK-NOT: memref.prefetch %[[G]]
// CHECK: } {qf.prefetch_distance = 2 : i64}
func.func @invariant(%w: memref<4096xi8>, %g: memref<4xf32>) -> vector<16xi8> {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c4096 = arith.constant 4096 : index
  %p = arith.constant 0 : i8
  %pf = arith.constant 0.0 : f32
  %z = arith.constant dense<0> : vector<16xi8>
  %r = scf.for %i = %c0 to %c4096 step %c64 iter_args(%acc = %z) -> vector<16xi8> {
    %s = vector.transfer_read %g[%c0], %pf {in_bounds = [true]} : memref<4xf32>, vector<4xf32>
    %a = vector.transfer_read %w[%i], %p {in_bounds = [true]} : memref<4096xi8>, vector<16xi8>
    %e = vector.extract %s[0] : f32 from vector<4xf32>
    %b = arith.fptosi %e : f32 to i8
    %bv = vector.broadcast %b : i8 to vector<16xi8>
    %t = arith.addi %acc, %a : vector<16xi8>
    %u = arith.addi %t, %bv : vector<16xi8>
    scf.yield %u : vector<16xi8>
  } {qf.prefetch_distance = 2 : i64}
  return %r : vector<16xi8>
}

// -----

// Through a view of the argument, 2-D: the leading index clamped to its
// dimension, the last so that the 16 bytes read end within it; a read
// within a line takes prefetches at its first and last element.
// CHECK-LABEL: func.func @view
// CHECK-SAME: (%{{.*}}: memref<64x256xi8>, %[[ROW:.*]]: index)
// CHECK: %[[V:.*]] = memref.subview
// CHECK: scf.for
// CHECK: %[[ROWS:.*]] = memref.dim %[[V]], %c0
// CHECK: %[[LASTROW:.*]] = arith.subi %[[ROWS]]
// CHECK: %[[R:.*]] = arith.minui %[[ROW]], %[[LASTROW]]
// CHECK: %[[COLS:.*]] = memref.dim %[[V]], %c1
// CHECK: %[[C16:.*]] = arith.constant 16 : index
// CHECK: %[[LASTK:.*]] = arith.subi %[[COLS]], %[[C16]]
// CHECK: %[[K:.*]] = arith.minui %{{.*}}, %[[LASTK]]
// CHECK: memref.prefetch %[[V]][%[[R]], %[[K]]]
// CHECK: memref.prefetch %[[V]][%[[R]], %{{.*}}]
// CHECK-NEXT: vector.transfer_read
func.func @view(%w: memref<64x256xi8>, %row: index) -> vector<16xi8> {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %c256 = arith.constant 256 : index
  %p = arith.constant 0 : i8
  %z = arith.constant dense<0> : vector<16xi8>
  %v = memref.subview %w[0, 0] [32, 256] [1, 1] : memref<64x256xi8> to memref<32x256xi8, strided<[256, 1]>>
  %r = scf.for %k = %c0 to %c256 step %c32 iter_args(%acc = %z) -> vector<16xi8> {
    %a = vector.transfer_read %v[%row, %k], %p {in_bounds = [true]} : memref<32x256xi8, strided<[256, 1]>>, vector<16xi8>
    %s = arith.addi %acc, %a : vector<16xi8>
    scf.yield %s : vector<16xi8>
  } {qf.prefetch_distance = 1 : i64}
  return %r : vector<16xi8>
}

// -----

// Distance 0, the target's default: none without ahead-bytes; with
// ahead-bytes=1000, the 80 bytes a step reads (one stream, 0 to 79) make it
// 13 steps ahead (ceil(1000 / 80)).
// RUN: qforge-opt %s --pass-pipeline='builtin.module(func.func(qf-insert-prefetch{ahead-bytes=1000}))' --split-input-file | FileCheck %s --check-prefix=BYTES
// CHECK-LABEL: func.func @default_distance
// CHECK-NOT: memref.prefetch
// CHECK: return
// BYTES-LABEL: func.func @default_distance
// BYTES: %[[STEP:.*]] = arith.constant 128 : index
// BYTES: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %[[STEP]]
// BYTES: %[[D:.*]] = arith.constant 13 : index
// BYTES: %[[DIST:.*]] = arith.muli %[[STEP]], %[[D]]
// BYTES: arith.addi %[[I]], %[[DIST]]
// BYTES-COUNT-3: memref.prefetch
// BYTES-NOT: memref.prefetch
// BYTES: return
func.func @default_distance(%w: memref<4096xi8>, %n: index) -> vector<16xi8> {
  %c128 = arith.constant 128 : index
  %c0 = arith.constant 0 : index
  %p = arith.constant 0 : i8
  %z = arith.constant dense<0> : vector<16xi8>
  %r = scf.for %i = %c0 to %n step %c128 iter_args(%acc = %z) -> vector<16xi8> {
    %c64 = arith.constant 64 : index
    %a = vector.transfer_read %w[%i], %p {in_bounds = [true]} : memref<4096xi8>, vector<16xi8>
    %i64 = arith.addi %i, %c64 : index
    %c = vector.transfer_read %w[%i64], %p {in_bounds = [true]} : memref<4096xi8>, vector<16xi8>
    %s0 = arith.addi %acc, %a : vector<16xi8>
    %s1 = arith.addi %s0, %c : vector<16xi8>
    scf.yield %s1 : vector<16xi8>
  } {qf.prefetch_distance = 0 : i64}
  return %r : vector<16xi8>
}
