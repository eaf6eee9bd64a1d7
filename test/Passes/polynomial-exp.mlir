// RUN: qforge-opt --qf-polynomial-exp %s | FileCheck %s

// f32 exp becomes arithmetic: the input clamped to [-87.8, 88.8], a range
// reduction by ln 2 in two parts, a polynomial, and the power of two built in
// the exponent bits.
// CHECK-LABEL: func.func @exp_f32(
// CHECK-NOT: math.exp
// CHECK-DAG: %[[HI:.*]] = arith.constant -0.693359375 : f32
// CHECK-DAG: %[[LO:.*]] = arith.constant 2.12194442E-4 : f32
// CHECK-DAG: %[[MIN:.*]] = arith.constant -8.780000e+01 : f32
// CHECK: arith.cmpf uge, %{{.*}}, %[[MIN]]
// CHECK: math.floor
// CHECK: math.fma %[[HI]]
// CHECK: math.fma %[[LO]]
// CHECK: arith.shli
// CHECK: arith.bitcast {{.*}} : i32 to f32
// CHECK-NOT: math.exp
// CHECK: return
func.func @exp_f32(%x: f32) -> f32 {
  %e = math.exp %x : f32
  return %e : f32
}

// Vectors too.
// CHECK-LABEL: func.func @exp_vector(
// CHECK-NOT: math.exp
// CHECK: math.fma {{.*}} : vector<16xf32>
func.func @exp_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %e = math.exp %x : vector<16xf32>
  return %e : vector<16xf32>
}

// Other precisions and other math ops are left to the C library.
// CHECK-LABEL: func.func @others(
// CHECK: math.exp %{{.*}} : f64
// CHECK: math.sin %{{.*}} : f32
// CHECK: math.tanh %{{.*}} : f32
func.func @others(%x: f64, %y: f32) -> (f64, f32, f32) {
  %e = math.exp %x : f64
  %s = math.sin %y : f32
  %t = math.tanh %y : f32
  return %e, %s, %t : f64, f32, f32
}
