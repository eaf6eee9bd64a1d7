// RUN: qforge-opt %s --qf-lower-to-linalg=avx2-lookup-order=true | FileCheck %s --check-prefix=AVX2
// RUN: qforge-opt %s --qf-lower-to-linalg | FileCheck %s --check-prefix=DEFAULT

// With avx2-lookup-order, the 32 codes of a chunk that decodes by an f32
// table alternate four low nibbles and four high nibbles of the same bytes
// (the order AVX2's byte-wise lookup undoes with one dword reorder), and the
// activations are permuted once to match: planar NF4 elements 0 2 4 6, then
// 1 3 5 7, ...
// AVX2-LABEL: func.func @nf4
// AVX2: vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15, 16, 18, 20, 22, 17, 19, 21, 23, 24, 26, 28, 30, 25, 27, 29, 31] : vector<32xf32>, vector<32xf32>
// AVX2: %[[C:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31] : vector<16xi32>, vector<16xi32>
// AVX2: %[[I:.*]] = vector.shuffle %[[C]], %[[C]] [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31] : vector<32xi32>, vector<32xi32>
// AVX2: qf.lookup %[[I]]
// DEFAULT-LABEL: func.func @nf4
// DEFAULT: vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 1, 3, 5,
// DEFAULT: %[[C:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31] : vector<16xi32>, vector<16xi32>
// DEFAULT-NEXT: qf.lookup %[[C]]
func.func @nf4(%a: tensor<1x64xf32>, %w: !qf.qtensor<3x64, nf4_g64>) -> tensor<1x3xf32> {
  %c = qf.matmul %a, %w : tensor<1x64xf32>, !qf.qtensor<3x64, nf4_g64> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}

// GGUF's MXFP4 blocks hold elements 0-15 in the low nibbles: 0-3, 16-19, ...
// AVX2-LABEL: func.func @mxfp4_ggml
// AVX2: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31] : vector<32xf32>, vector<32xf32>
// AVX2: %[[I:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31] : vector<32xi32>, vector<32xi32>
// AVX2: qf.lookup %[[I]]
func.func @mxfp4_ggml(%a: tensor<1x64xf32>, %w: !qf.qtensor<3x64, mxfp4_ggml>) -> tensor<1x3xf32> {
  %c = qf.matmul %a, %w : tensor<1x64xf32>, !qf.qtensor<3x64, mxfp4_ggml> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}

// Integer elements decode arithmetically: their codes stay in place.
// AVX2-LABEL: func.func @int4
// AVX2-NOT: 16, 17, 18, 19, 4, 5, 6, 7
// AVX2: return
func.func @int4(%a: tensor<1x64xf32>, %w: !qf.qtensor<3x64, int4_g32>) -> tensor<1x3xf32> {
  %c = qf.matmul %a, %w : tensor<1x64xf32>, !qf.qtensor<3x64, int4_g32> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}
