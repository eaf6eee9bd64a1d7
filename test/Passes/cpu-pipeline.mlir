// RUN: qforge-opt %s --qf-cpu-pipeline | FileCheck %s

// The CPU pipeline ends in the LLVM dialect; the result becomes an
// out-parameter (no allocation escapes the kernel). The one temporary, the
// activations in the order MXFP4 nibbles unpack in, is freed before return.
// CHECK-NOT: qf.
// CHECK-NOT: linalg.
// CHECK-LABEL: llvm.func @mm
// CHECK: llvm.call @malloc
// CHECK-NOT: llvm.call @malloc
// CHECK: llvm.call @free
// CHECK-NEXT: llvm.return
// CHECK-NEXT: }
func.func @mm(%a: tensor<1x128xf32>, %w: !qf.qtensor<4x128, mxfp4>) -> tensor<1x4xf32> {
  %c = qf.matmul %a, %w : tensor<1x128xf32>, !qf.qtensor<4x128, mxfp4> -> tensor<1x4xf32>
  return %c : tensor<1x4xf32>
}
