// RUN: qforge-opt %s --qf-lower-to-linalg=signed-weight-bytes=true | FileCheck %s --check-prefix=SIGNED
// RUN: qforge-opt %s --qf-lower-to-linalg | FileCheck %s --check-prefix=UNSIGNED

// IQ4_NL's values span [-127, 113]: as unsigned bytes they take a bias of
// 127 (up to 240, which AVX2's vpmaddubsw can only take in halves); with
// signed-weight-bytes they stay signed bytes, the dot products say so, and no
// bias comes off through the activation code sums. Both the decode kernel
// and the prefill panels.
// SIGNED-LABEL: func.func @iq4_nl_decode
// SIGNED: qf.lookup %{{.*}} {table = array<f32: -1.270000e+02, -1.040000e+02,
// SIGNED: qf.dot4 %{{.*}} {lhs_max = 127 : i64, lhs_signed} : vector<32xi8> -> vector<8xi32>
// SIGNED-NOT: vector.fma {{.*}} : vector<2xf32>
// SIGNED-NOT: arith.addf
// SIGNED: return
// SIGNED-LABEL: func.func @iq4_nl_prefill
// SIGNED: qf.dot4 %{{.*}} {lhs_max = 127 : i64, lhs_signed} : vector<64xi8> -> vector<16xi32>
// SIGNED-NOT: arith.muli %{{.*}}, %c-127_i32 : i32
// SIGNED: return
// UNSIGNED-LABEL: func.func @iq4_nl_decode
// UNSIGNED: qf.lookup %{{.*}} {table = array<f32: 0.000000e+00, 2.300000e+01,
// UNSIGNED: qf.dot4 %{{.*}} {lhs_max = 240 : i64} : vector<32xi8> -> vector<8xi32>
// UNSIGNED: vector.fma %{{.*}} : vector<2xf32>
// UNSIGNED: arith.addf
// UNSIGNED-LABEL: func.func @iq4_nl_prefill
// UNSIGNED: qf.dot4 %{{.*}} {lhs_max = 240 : i64} : vector<64xi8> -> vector<16xi32>
// UNSIGNED: arith.muli %{{.*}}, %c-127_i32 : i32
func.func @iq4_nl_decode(%a: tensor<1x64xf32>, %w: !qf.qtensor<2x64, iq4_nl>) -> tensor<1x2xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<1x64xf32>, !qf.qtensor<2x64, iq4_nl> -> tensor<1x2xf32>
  return %c : tensor<1x2xf32>
}
func.func @iq4_nl_prefill(%a: tensor<9x64xf32>, %w: !qf.qtensor<16x64, iq4_nl>) -> tensor<9x16xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<9x64xf32>, !qf.qtensor<16x64, iq4_nl> -> tensor<9x16xf32>
  return %c : tensor<9x16xf32>
}

// Values an unsigned byte holds within 127 (q4_0: 0..15 less 8) stay
// unsigned: their pairs of products chain in 16 bits.
// SIGNED-LABEL: func.func @q4_0_decode
// SIGNED: qf.dot4 %{{.*}} {lhs_max = 15 : i64} : vector<32xi8> -> vector<8xi32>
// SIGNED-NOT: lhs_signed
func.func @q4_0_decode(%a: tensor<1x64xf32>, %w: !qf.qtensor<2x64, q4_0>) -> tensor<1x2xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<1x64xf32>, !qf.qtensor<2x64, q4_0> -> tensor<1x2xf32>
  return %c : tensor<1x2xf32>
}
