// RUN: qforge-opt %s --qf-lower-lookup=avx512=true | FileCheck %s --check-prefix=AVX512
// RUN: qforge-opt %s --qf-lower-lookup | FileCheck %s --check-prefix=SELECT

// AVX512-LABEL: func.func @e2m1
// AVX512: %[[T:.*]] = arith.constant dense<[0.000000e+00, 5.000000e-01, 1.000000e+00, 1.500000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 6.000000e+00, -0.000000e+00, -5.000000e-01, -1.000000e+00, -1.500000e+00, -2.000000e+00, -3.000000e+00, -4.000000e+00, -6.000000e+00]> : vector<16xf32>
// AVX512: vector.extract_strided_slice %{{.*}} {offsets = [0]
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"(%[[T]], %{{.*}}) : (vector<16xf32>, vector<16xi32>) -> vector<16xf32>
// AVX512: vector.insert_strided_slice
// AVX512: vector.extract_strided_slice %{{.*}} {offsets = [16]
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"
// AVX512-NOT: qf.lookup

// Without AVX-512: 15 selects on the four code bits.
// SELECT-LABEL: func.func @e2m1
// SELECT-COUNT-15: arith.select
// SELECT-NOT: arith.select
// SELECT-NOT: llvm.call_intrinsic
func.func @e2m1(%codes: vector<32xi32>) -> vector<32xf32> {
  %v = qf.lookup %codes {table = array<f32: 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0>} : vector<32xi32> -> vector<32xf32>
  return %v : vector<32xf32>
}

// A table that is an arithmetic progression (q4_0: nibble q stands for q - 8)
// needs no selects without AVX-512: convert, scale (by 1: folded), offset.
// SELECT-LABEL: func.func @offset_by_8
// SELECT: %[[F:.*]] = arith.uitofp %{{.*}} : vector<16xi32> to vector<16xf32>
// SELECT: arith.addf %[[F]], %{{.*}} : vector<16xf32>
// SELECT-NOT: arith.select
// AVX512-LABEL: func.func @offset_by_8
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"
func.func @offset_by_8(%codes: vector<16xi32>) -> vector<16xf32> {
  %v = qf.lookup %codes {table = array<f32: -8.0, -7.0, -6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0>} : vector<16xi32> -> vector<16xf32>
  return %v : vector<16xf32>
}
