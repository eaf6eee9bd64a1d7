// RUN: qforge-opt %s | qforge-opt | FileCheck %s

// CHECK-LABEL: func.func @lookup
// CHECK: qf.lookup %{{.*}} {table = array<f32: -1.000000e+00, 0.000000e+00, 1.000000e+00, 2.000000e+00>} : vector<8xi32> -> vector<8xf32>
func.func @lookup(%c: vector<8xi32>) -> vector<8xf32> {
  %v = qf.lookup %c {table = array<f32: -1.0, 0.0, 1.0, 2.0>} : vector<8xi32> -> vector<8xf32>
  return %v : vector<8xf32>
}

// CHECK-LABEL: func.func @byte_lookup_and_dot
// CHECK: %[[U:.*]] = qf.lookup %{{.*}} {table = array<f32: 8.000000e+00, 9.000000e+00>} : vector<32xi8> -> vector<32xi8>
// CHECK: qf.dot4 %{{.*}}, %[[U]], %{{.*}} {lhs_max = 9 : i64} : vector<32xi8> -> vector<8xi32>
func.func @byte_lookup_and_dot(%c: vector<32xi8>, %a: vector<32xi8>, %acc: vector<8xi32>) -> vector<8xi32> {
  %u = qf.lookup %c {table = array<f32: 8.0, 9.0>} : vector<32xi8> -> vector<32xi8>
  %d = qf.dot4 %acc, %u, %a {lhs_max = 9} : vector<32xi8> -> vector<8xi32>
  return %d : vector<8xi32>
}

// CHECK-LABEL: func.func @word_lookup_and_dot
// CHECK: %[[W:.*]] = qf.lookup %{{.*}} {table = array<f32: -8.192000e+03, 3.100000e+01>} : vector<16xi8> -> vector<16xi16>
// CHECK: qf.dot2 %{{.*}}, %[[W]], %{{.*}} : vector<16xi16> -> vector<8xi32>
func.func @word_lookup_and_dot(%c: vector<16xi8>, %a: vector<16xi16>, %acc: vector<8xi32>) -> vector<8xi32> {
  %w = qf.lookup %c {table = array<f32: -8192.0, 31.0>} : vector<16xi8> -> vector<16xi16>
  %d = qf.dot2 %acc, %w, %a : vector<16xi16> -> vector<8xi32>
  return %d : vector<8xi32>
}
