// RUN: qforge-opt %s --qf-cpu-pipeline | FileCheck %s

// The CPU pipeline ends in the LLVM dialect; the result becomes an
// out-parameter (no allocation escapes the kernel).
// CHECK-NOT: qf.
// CHECK-NOT: linalg.
// CHECK-LABEL: llvm.func @mm
// CHECK-NOT: llvm.call @malloc
// CHECK: llvm.return
// CHECK-NEXT: }
func.func @mm(%a: tensor<1x128xf32>, %w: !qf.qtensor<4x128, mxfp4>) -> tensor<1x4xf32> {
  %c = qf.matmul %a, %w : tensor<1x128xf32>, !qf.qtensor<4x128, mxfp4> -> tensor<1x4xf32>
  return %c : tensor<1x4xf32>
}
