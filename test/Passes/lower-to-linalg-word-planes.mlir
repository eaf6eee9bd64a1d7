// RUN: qforge-opt %s --qf-lower-to-linalg=word-planes=true | FileCheck %s --check-prefix=PLANES
// RUN: qforge-opt %s --qf-lower-to-linalg | FileCheck %s --check-prefix=F32

// NF4's values are integers times 2^-27 of up to 2^27 in magnitude: with
// word-planes the decode kernel takes them as two i16 planes, hi * 2^14 + lo
// (-0.6961928 * 2^27 = -5703 * 2^14 - 3464), four qf.dot2 a plane and byte
// pair against activation codes widened to i16 (permuted once to the planes'
// order), the planes joined in f32 (lo at 2^-14 of hi) and scaled by what a
// code is worth. Without the option the activations are dequantized ahead
// and the f32 kernel runs.
// PLANES-LABEL: func.func @nf4_decode
// PLANES: tensor.empty() : tensor<1x64xi16>
// PLANES: vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 32, 34, 36, 38, 40, 42, 44, 46, 16, 18,
// PLANES: qf.lookup %{{.*}} {table = array<f32: -8.192000e+03, -5.703000e+03, {{.*}}, 8.192000e+03>} : vector<32xi8> -> vector<32xi16>
// PLANES: qf.lookup %{{.*}} {table = array<f32: 0.000000e+00, -3.464000e+03, {{.*}}} : vector<32xi8> -> vector<32xi16>
// PLANES-COUNT-4: qf.dot2 %{{.*}} : vector<16xi16> -> vector<8xi32>
// PLANES: %[[HI:.*]] = arith.sitofp %{{.*}} : vector<8xi32> to vector<8xf32>
// PLANES-COUNT-4: qf.dot2 %{{.*}} : vector<16xi16> -> vector<8xi32>
// PLANES: %[[LO:.*]] = arith.sitofp %{{.*}} : vector<8xi32> to vector<8xf32>
// PLANES: %[[J:.*]] = vector.fma %[[LO]], %{{.*}}, %[[HI]] : vector<8xf32>
// PLANES: vector.fma %[[J]], %{{.*}} : vector<8xf32>
// F32-LABEL: func.func @nf4_decode
// F32-NOT: qf.dot2
// F32: qf.lookup %{{.*}} : vector<32xi32> -> vector<32xf32>
// F32: return
func.func @nf4_decode(%a: tensor<1x64xf32>, %w: !qf.qtensor<2x64, nf4_g64>) -> tensor<1x2xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<1x64xf32>, !qf.qtensor<2x64, nf4_g64> -> tensor<1x2xf32>
  return %c : tensor<1x2xf32>
}

// Beyond 2 activation rows the f32 kernel shares its lookups among more rows.
// PLANES-LABEL: func.func @nf4_three_rows
// PLANES-NOT: qf.dot2
// PLANES: qf.lookup %{{.*}} : vector<32xi32> -> vector<32xf32>
// PLANES: return
func.func @nf4_three_rows(%a: tensor<3x64xf32>, %w: !qf.qtensor<2x64, nf4_g64>) -> tensor<3x2xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<3x64xf32>, !qf.qtensor<2x64, nf4_g64> -> tensor<3x2xf32>
  return %c : tensor<3x2xf32>
}
