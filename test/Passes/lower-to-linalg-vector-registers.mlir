// RUN: qforge-opt %s --qf-lower-to-linalg | FileCheck %s --check-prefix=WIDE
// RUN: qforge-opt %s --qf-lower-to-linalg=vector-registers=16 | FileCheck %s --check-prefix=AVX2
// RUN: qforge-opt %s --qf-lower-to-linalg="vector-registers=16 signed-weight-bytes" | FileCheck %s --check-prefix=AVX2

// The panels kernel's default register tile: 4 activation rows by 32
// columns (two 16-lane vectors) with 32 vector registers; with AVX2's 16,
// where 4 x 32 keeps more accumulators and weight vectors live than there
// are registers, 2 rows by 16 columns for q4_0 (eight dot products a
// vpmaddwd), 1 row by 32 for MXFP4 (bytes up to 24: five) and 1 by 16 for
// IQ4_NL and Q8_0 (one).
// WIDE-LABEL: func.func @prefill
// WIDE: scf.for %{{.*}} = %{{.*}} to %c32{{(_[0-9]+)?}} step %c32{{(_[0-9]+)?}} iter_args
// WIDE: scf.for %{{.*}} = %{{.*}} to %c8{{(_[0-9]+)?}} step %c4{{(_[0-9]+)?}} iter_args
// WIDE-COUNT-8: vector.transfer_write %{{.*}} : vector<16xf32>, tensor<8x32xf32>
// WIDE-NOT: vector.transfer_write %{{.*}} : vector<16xf32>, tensor<8x32xf32>
// AVX2-LABEL: func.func @prefill
// AVX2: scf.for %{{.*}} = %{{.*}} to %c32{{(_[0-9]+)?}} step %c16{{(_[0-9]+)?}} iter_args
// AVX2: scf.for %{{.*}} = %{{.*}} to %c8{{(_[0-9]+)?}} step %c2{{(_[0-9]+)?}} iter_args
// AVX2-COUNT-2: vector.transfer_write %{{.*}} : vector<16xf32>, tensor<8x32xf32>
// AVX2-NOT: vector.transfer_write %{{.*}} : vector<16xf32>, tensor<8x32xf32>
func.func @prefill(%a: tensor<8x64xf32>, %w: !qf.qtensor<32x64, q4_0>) -> tensor<8x32xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<8x64xf32>, !qf.qtensor<32x64, q4_0> -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// WIDE-LABEL: func.func @prefill_mxfp4
// AVX2-LABEL: func.func @prefill_mxfp4
// AVX2: scf.for %{{.*}} = %{{.*}} to %c32{{(_[0-9]+)?}} step %c32{{(_[0-9]+)?}} iter_args
// AVX2: scf.for %{{.*}} = %{{.*}} to %c8{{(_[0-9]+)?}} step %c1{{(_[0-9]+)?}} iter_args
// AVX2-COUNT-2: vector.transfer_write %{{.*}} : vector<16xf32>, tensor<8x32xf32>
// AVX2-NOT: vector.transfer_write %{{.*}} : vector<16xf32>, tensor<8x32xf32>
func.func @prefill_mxfp4(%a: tensor<8x64xf32>, %w: !qf.qtensor<32x64, mxfp4>) -> tensor<8x32xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<8x64xf32>, !qf.qtensor<32x64, mxfp4> -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// WIDE-LABEL: func.func @prefill_iq4_nl
// AVX2-LABEL: func.func @prefill_iq4_nl
// AVX2: scf.for %{{.*}} = %{{.*}} to %c32{{(_[0-9]+)?}} step %c16{{(_[0-9]+)?}} iter_args
// AVX2: scf.for %{{.*}} = %{{.*}} to %c8{{(_[0-9]+)?}} step %c1{{(_[0-9]+)?}} iter_args
// AVX2-COUNT-1: vector.transfer_write %{{.*}} : vector<16xf32>, tensor<8x32xf32>
// AVX2-NOT: vector.transfer_write %{{.*}} : vector<16xf32>, tensor<8x32xf32>
func.func @prefill_iq4_nl(%a: tensor<8x64xf32>, %w: !qf.qtensor<32x64, iq4_nl>) -> tensor<8x32xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<8x64xf32>, !qf.qtensor<32x64, iq4_nl> -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// WIDE-LABEL: func.func @prefill_q8_0
// AVX2-LABEL: func.func @prefill_q8_0
// AVX2: scf.for %{{.*}} = %{{.*}} to %c32{{(_[0-9]+)?}} step %c16{{(_[0-9]+)?}} iter_args
// AVX2: scf.for %{{.*}} = %{{.*}} to %c8{{(_[0-9]+)?}} step %c1{{(_[0-9]+)?}} iter_args
func.func @prefill_q8_0(%a: tensor<8x64xf32>, %w: !qf.qtensor<32x64, q8_0>) -> tensor<8x32xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<8x64xf32>, !qf.qtensor<32x64, q8_0> -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// The f32 vector kernel: with 32 registers one whole-chunk accumulator
// (vector<32xf32>) a row; with 16, 8-lane accumulators that each chunk's
// parts FMA into in turn, 8 a tile of 8 rows and 2 for a single row.
// WIDE-LABEL: func.func @f32_rows
// WIDE-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// WIDE-NOT: vector.fma
// AVX2-LABEL: func.func @f32_rows
// AVX2: scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// AVX2-COUNT-32: vector.fma {{.*}} : vector<8xf32>
// AVX2-NOT: vector.fma
func.func @f32_rows(%a: tensor<8x64xf32>, %w: !qf.qtensor<2x64, nf4_g64>) -> tensor<8x2xf32> {
  %c = qf.matmul %a, %w : tensor<8x64xf32>, !qf.qtensor<2x64, nf4_g64> -> tensor<8x2xf32>
  return %c : tensor<8x2xf32>
}

// WIDE-LABEL: func.func @f32_row
// AVX2-LABEL: func.func @f32_row
// AVX2: scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>) {
// AVX2-COUNT-8: vector.fma {{.*}} : vector<8xf32>
func.func @f32_row(%a: tensor<1x64xf32>, %w: !qf.qtensor<2x64, nf4_g64>) -> tensor<1x2xf32> {
  %c = qf.matmul %a, %w : tensor<1x64xf32>, !qf.qtensor<2x64, nf4_g64> -> tensor<1x2xf32>
  return %c : tensor<1x2xf32>
}
