// RUN: qforge-opt %s | qforge-opt | FileCheck %s

// CHECK-LABEL: func @smoke
// CHECK: qf.quantize %{{.*}} : tensor<64x128xf32> -> !qf.qtensor<64x128, mxfp4>
func.func @smoke(%x: tensor<64x128xf32>) -> !qf.qtensor<64x128, mxfp4> {
  %q = qf.quantize %x : tensor<64x128xf32> -> !qf.qtensor<64x128, mxfp4>
  return %q : !qf.qtensor<64x128, mxfp4>
}
