// RUN: qforge-opt %s | qforge-opt | FileCheck %s

// CHECK-LABEL: func.func @lookup
// CHECK: qf.lookup %{{.*}} {table = array<f32: -1.000000e+00, 0.000000e+00, 1.000000e+00, 2.000000e+00>} : vector<8xi32> -> vector<8xf32>
func.func @lookup(%c: vector<8xi32>) -> vector<8xf32> {
  %v = qf.lookup %c {table = array<f32: -1.0, 0.0, 1.0, 2.0>} : vector<8xi32> -> vector<8xf32>
  return %v : vector<8xf32>
}
