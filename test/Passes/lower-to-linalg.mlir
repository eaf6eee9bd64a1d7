// RUN: qforge-opt %s --qf-lower-to-linalg --split-input-file | FileCheck %s

// A qtensor argument becomes one i8 tensor per storage buffer (nvfp4: data,
// scales, tensor_scale). A 4-bit scheme grouped along K takes the vector
// path: per weight row, chunks of 16 codes are unpacked from bytes, decoded
// once into a vector and FMA'd into accumulators of each activation row,
// which its chunks take in turn (two a row here).
// CHECK-LABEL: func.func @matmul_nvfp4
// CHECK-SAME: (%[[A:.*]]: tensor<2x64xf32>, %[[DATA:.*]]: tensor<96xi8>, %[[SCALES:.*]]: tensor<12xi8>, %[[TS:.*]]: tensor<4xi8>) -> tensor<2x3xf32>
// The activations first, each 16-element chunk in the order the nibbles
// unpack in: even elements, then odd ones.
// CHECK: %[[PERMUTED:.*]] = scf.for {{.*}} -> (tensor<2x64xf32>)
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15] : vector<16xf32>
// A step of two 16-element blocks, the scale terms read once a block.
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for {{.*}} step %c32 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: tensor.extract %[[SCALES]]
// CHECK: vector.transfer_read %[[TS]]{{.*}} : tensor<4xi8>, vector<4xi8>
// CHECK: vector.transfer_read %[[DATA]]{{.*}} : tensor<96xi8>, vector<8xi8>
// CHECK-NOT: vector.interleave
// CHECK: vector.shuffle {{.*}} : vector<8xi32>, vector<8xi32>
// CHECK: qf.lookup {{.*}} : vector<16xi32> -> vector<16xf32>
// CHECK: vector.transfer_read %[[PERMUTED]]
// CHECK: vector.fma
// CHECK: vector.transfer_read %[[PERMUTED]]
// CHECK: vector.fma
// CHECK: tensor.extract %[[SCALES]]
// CHECK: vector.fma
// CHECK: vector.fma
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.reduction <add>
// CHECK: tensor.insert
// CHECK-NOT: qf.matmul
func.func @matmul_nvfp4(%a: tensor<2x64xf32>, %w: !qf.qtensor<3x64, nvfp4>) -> tensor<2x3xf32> {
  %c = qf.matmul %a, %w : tensor<2x64xf32>, !qf.qtensor<3x64, nvfp4> -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

// Schemes without a vector path (3-bit codes straddle bytes) lower to one
// linalg.generic that decodes the weight element in its body.
// CHECK-LABEL: func.func @matmul_int3
// CHECK-SAME: (%[[A:.*]]: tensor<2x64xf32>, %[[DATA:.*]]: tensor<72xi8>, %[[SCALES:.*]]: tensor<12xi8>) -> tensor<2x3xf32>
// CHECK: %[[FILL:.*]] = linalg.fill
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[A]] : tensor<2x64xf32>) outs(%[[FILL]] : tensor<2x3xf32>)
// CHECK: linalg.index 1
// CHECK: linalg.index 2
// CHECK: tensor.extract %[[DATA]]
// CHECK: vector.transfer_read %[[SCALES]]{{.*}} : tensor<12xi8>, vector<2xi8>
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.yield
func.func @matmul_int3(%a: tensor<2x64xf32>, %w: !qf.qtensor<3x64, int3_g32>) -> tensor<2x3xf32> {
  %c = qf.matmul %a, %w : tensor<2x64xf32>, !qf.qtensor<3x64, int3_g32> -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

// ggml layouts read one block buffer; batched activations add parallel loops.
// CHECK-LABEL: func.func @matmul_q4k_batched
// CHECK-SAME: (%{{.*}}: tensor<4x2x256xf32>, %[[BLOCKS:.*]]: tensor<1152xi8>) -> tensor<4x2x8xf32>
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: tensor.extract %[[BLOCKS]]
func.func @matmul_q4k_batched(%a: tensor<4x2x256xf32>, %w: !qf.qtensor<8x256, q4_k>) -> tensor<4x2x8xf32> {
  %c = qf.matmul %a, %w : tensor<4x2x256xf32>, !qf.qtensor<8x256, q4_k> -> tensor<4x2x8xf32>
  return %c : tensor<4x2x8xf32>
}

// -----

// Dequantize decodes every element; calls and returns carry the storage.
// CHECK-LABEL: func.func @dequantize
// CHECK-SAME: (%[[D:.*]]: tensor<256xi8>, %[[S:.*]]: tensor<32xi8>, %[[O:.*]]: tensor<8xi8>) -> tensor<8x64xf32>
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK: arith.subf
// CHECK-LABEL: func.func @caller
// CHECK-SAME: (%[[X:.*]]: tensor<256xi8>, %[[Y:.*]]: tensor<32xi8>, %[[Z:.*]]: tensor<8xi8>)
// CHECK: call @dequantize(%[[X]], %[[Y]], %[[Z]])
func.func @dequantize(%w: !qf.qtensor<8x64, int4_g32_asym>) -> tensor<8x64xf32> {
  %d = qf.dequantize %w : !qf.qtensor<8x64, int4_g32_asym> -> tensor<8x64xf32>
  return %d : tensor<8x64xf32>
}
func.func @caller(%w: !qf.qtensor<8x64, int4_g32_asym>) -> tensor<8x64xf32> {
  %d = call @dequantize(%w) : (!qf.qtensor<8x64, int4_g32_asym>) -> tensor<8x64xf32>
  return %d : tensor<8x64xf32>
}

// -----

// A dynamic N in the result type: N comes from the weights, then a cast.
// CHECK-LABEL: func.func @dynamic_n
// CHECK: tensor.empty() : tensor<2x3xf32>
// CHECK: linalg.generic
// CHECK: tensor.cast %{{.*}} : tensor<2x3xf32> to tensor<2x?xf32>
func.func @dynamic_n(%a: tensor<2x64xf32>, %w: !qf.qtensor<3x64, int3_g32>) -> tensor<2x?xf32> {
  %c = qf.matmul %a, %w : tensor<2x64xf32>, !qf.qtensor<3x64, int3_g32> -> tensor<2x?xf32>
  return %c : tensor<2x?xf32>
}

// -----

// f64 activations: products and sums in f64.
// CHECK-LABEL: func.func @f64_activations
// CHECK: linalg.generic
// CHECK: arith.extf %{{.*}} : f32 to f64
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f64
// CHECK: arith.addf %{{.*}}, %{{.*}} : f64
func.func @f64_activations(%a: tensor<2x64xf64>, %w: !qf.qtensor<3x64, q8_0>) -> tensor<2x3xf64> {
  %c = qf.matmul %a, %w : tensor<2x64xf64>, !qf.qtensor<3x64, q8_0> -> tensor<2x3xf64>
  return %c : tensor<2x3xf64>
}

// -----

// An activation scheme on byte-coded weights: the activations are quantized
// once (f64 division, round to even, clamp) and each 64 codes permuted into
// the order of the weights' byte pair (elements 0-15 of two q4_0 blocks, then
// 16-31 of both); each byte pair, the low then the high nibbles of two
// blocks, is two chained qf.dot4 whose i32 lanes each sum codes of one block,
// scaled by its weight scale times its chunk's activation scale (the step's
// blocks read as halves after the codes, the f16 scales picked by one shuffle
// and converted as one vector). The bias
// (8) is the only offset: the code sums carry it (-8 * activation scale *
// sum, once a call), and each step adds its scales times them.
// CHECK-LABEL: func.func @matmul_q4_0_int8_acts
// CHECK-SAME: (%[[A:.*]]: tensor<2x64xf32>, %[[BLOCKS:.*]]: tensor<108xi8>)
// CHECK: arith.maxnumf %{{.*}} : vector<32xf32>
// CHECK: arith.minnumf %{{.*}} : vector<32xf32>
// CHECK: arith.maxnumf %{{.*}} : vector<16xf32>
// CHECK: arith.truncf %{{.*}} : f64 to f32
// CHECK: arith.ori
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: arith.divf %{{.*}} : vector<32xf64>
// CHECK: math.roundeven
// CHECK: arith.fptosi %{{.*}} : vector<32xf64> to vector<32xi32>
// CHECK: vector.reduction <add>, %{{.*}} : vector<32xi32> into i32
// CHECK: %[[SUM:.*]] = arith.sitofp %{{.*}} : i32 to f32
// CHECK: %[[SCALED:.*]] = arith.mulf %[[SUM]], %{{.*}} : f32
// CHECK: %[[MINUS8:.*]] = arith.constant -8.000000e+00 : f32
// CHECK: arith.mulf %[[SCALED]], %[[MINUS8]] : f32
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 16, 17,
// CHECK: vector.transfer_read %[[BLOCKS]]{{.*}} : tensor<108xi8>, vector<16xi8>
// CHECK-NOT: qf.lookup
// CHECK: %[[STEP:.*]] = vector.transfer_read %[[BLOCKS]]{{.*}} : tensor<108xi8>, vector<32xi8>
// CHECK: %[[HALVES:.*]] = vector.bitcast %[[STEP]] : vector<32xi8> to vector<16xi16>
// CHECK: %[[H:.*]] = vector.shuffle %[[HALVES]], %[[HALVES]] [0, 9] : vector<16xi16>, vector<16xi16>
// CHECK: %[[F16:.*]] = arith.bitcast %[[H]] : vector<2xi16> to vector<2xf16>
// CHECK: arith.extf %[[F16]] : vector<2xf16> to vector<2xf32>
// CHECK: %[[WORTH:.*]] = arith.mulf %{{[0-9]+}}, %{{[0-9]+}} : vector<2xf32>
// CHECK: %[[X:.*]] = qf.dot4 %{{.*}} : vector<32xi8> -> vector<8xi32>
// CHECK: %[[XY:.*]] = qf.dot4 %[[X]], %{{.*}} : vector<32xi8> -> vector<8xi32>
// CHECK: %[[D:.*]] = arith.sitofp %[[XY]] : vector<8xi32> to vector<8xf32>
// CHECK: %[[LANES:.*]] = vector.shuffle %[[WORTH]], %[[WORTH]] [0, 0, 0, 0, 1, 1, 1, 1]
// CHECK: vector.fma %[[D]], %[[LANES]]
// CHECK: vector.fma %{{.*}} : vector<2xf32>
// CHECK-NOT: qf.matmul
func.func @matmul_q4_0_int8_acts(%a: tensor<2x64xf32>, %w: !qf.qtensor<3x64, q4_0>) -> tensor<2x3xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<2x64xf32>, !qf.qtensor<3x64, q4_0> -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

// Two's complement nibbles become offset bytes with one xor (0x88) of the
// stored bytes, no table. The four dot products of a 256-element step, four
// lanes a block, come down to one vector of a lane a block by adding lanes two
// apart (the low and high 32-bit interleaves), converted and scaled once; the
// row's lanes are summed in any order.
// CHECK-LABEL: func.func @matmul_int4_g32_int8_acts
// CHECK: arith.xori %{{.*}}, %{{.*}} : vector<16xi8>
// CHECK-NOT: qf.lookup
// CHECK: %[[D0:.*]] = qf.dot4 %{{[0-9]+}},
// CHECK: %[[D1:.*]] = qf.dot4 %{{[0-9]+}},
// CHECK: %[[D2:.*]] = qf.dot4 %{{[0-9]+}},
// CHECK: %[[D3:.*]] = qf.dot4 %{{[0-9]+}},
// CHECK: %[[LOW01:.*]] = vector.shuffle %[[D0]], %[[D1]] [0, 8, 1, 9, 4, 12, 5, 13]
// CHECK: %[[HIGH01:.*]] = vector.shuffle %[[D0]], %[[D1]] [2, 10, 3, 11, 6, 14, 7, 15]
// CHECK: %[[S01:.*]] = arith.addi %[[LOW01]], %[[HIGH01]] : vector<8xi32>
// CHECK: %[[S23:.*]] = arith.addi %{{.*}} : vector<8xi32>
// CHECK: vector.shuffle %[[S01]], %[[S23]] [0, 8, 1, 9, 4, 12, 5, 13]
// CHECK: %[[S:.*]] = arith.addi %{{.*}} : vector<8xi32>
// CHECK: %[[F:.*]] = arith.sitofp %[[S]] : vector<8xi32> to vector<8xf32>
// CHECK: vector.fma %[[F]]
// CHECK-NOT: arith.sitofp {{.*}} : vector<8xi32>
// CHECK: vector.reduction <add>, %{{.*}} fastmath<reassoc> : vector<8xf32> into f32
func.func @matmul_int4_g32_int8_acts(%a: tensor<1x256xf32>, %w: !qf.qtensor<2x256, int4_g32>) -> tensor<1x2xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<1x256xf32>, !qf.qtensor<2x256, int4_g32> -> tensor<1x2xf32>
  return %c : tensor<1x2xf32>
}

// -----

// NVFP4's 16-element blocks hold two lanes of a dot product each, not four:
// lanes two apart lie in different blocks, so the step's dot products are
// added by neighbouring lanes, one level, and two vectors are converted. The
// tensor scale times the bytes' factor (0.5) multiplies the activation scales
// once, as they are quantized; a step takes its UE4M3 block scales as decoded
// (NaN codes found on the decoded f32 bits).
// CHECK-LABEL: func.func @matmul_nvfp4_int8_acts
// CHECK: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: %[[TS:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK: %[[F:.*]] = arith.mulf %[[TS]], %[[HALF]] : f32
// CHECK: arith.mulf %{{.*}}, %[[F]] : f32
// CHECK: arith.minui %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK: %[[V:.*]] = arith.mulf %{{.*}} : vector<16xf32>
// CHECK: %[[VB:.*]] = arith.bitcast %[[V]] : vector<16xf32> to vector<16xi32>
// CHECK: %[[NAN:.*]] = arith.cmpi sge, %[[VB]], %{{.*}} : vector<16xi32>
// CHECK: %[[S:.*]] = arith.select %[[NAN]], %{{.*}}, %[[V]] : vector<16xi1>, vector<16xf32>
// CHECK-NOT: arith.mulf %[[S]],
// CHECK: vector.shuffle %[[S]], %[[S]]
// CHECK: %[[D0:.*]] = qf.dot4 %{{.*}} {lhs_max = 24 : i64}
// CHECK: %[[D1:.*]] = qf.dot4 %[[D0]],
// CHECK: %[[D2:.*]] = qf.dot4 %{{.*}} {lhs_max = 24 : i64}
// CHECK: %[[D3:.*]] = qf.dot4 %[[D2]],
// CHECK: vector.shuffle %[[D1]], %[[D3]] [0, 2, 8, 10, 4, 6, 12, 14]
// CHECK: vector.shuffle %[[D1]], %[[D3]] [1, 3, 9, 11, 5, 7, 13, 15]
// CHECK-COUNT-2: arith.sitofp %{{.*}} : vector<8xi32> to vector<8xf32>
// CHECK-NOT: arith.sitofp %{{.*}} : vector<8xi32> to vector<8xf32>
// CHECK: return
func.func @matmul_nvfp4_int8_acts(%a: tensor<1x256xf32>, %w: !qf.qtensor<2x256, nvfp4>) -> tensor<1x2xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<1x256xf32>, !qf.qtensor<2x256, nvfp4> -> tensor<1x2xf32>
  return %c : tensor<1x2xf32>
}

// -----

// Eight or more activation rows: weights decoded once per panel of 16
// columns and transposed so that each i32 lane is one column; four
// activation codes are broadcast to every lane; i32 sums are scaled once a
// block, with the bias (8) taken off through the block's code sums.
// CHECK-LABEL: func.func @matmul_q4_0_int8_acts_prefill
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 1, 9,
// CHECK: vector.transfer_write %{{.*}} : vector<16xi32>, tensor<16x16xi32>
// CHECK: vector.broadcast %{{.*}} : i32 to vector<16xi32>
// CHECK: qf.dot4 %{{.*}} : vector<64xi8> -> vector<16xi32>
// CHECK: arith.muli %{{.*}}, %c-8_i32 : i32
// CHECK: arith.addi %{{.*}} : vector<16xi32>
// CHECK: arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: vector.fma
// CHECK-NOT: qf.matmul
func.func @matmul_q4_0_int8_acts_prefill(%a: tensor<9x64xf32>, %w: !qf.qtensor<16x64, q4_0>) -> tensor<9x16xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<9x64xf32>, !qf.qtensor<16x64, q4_0> -> tensor<9x16xf32>
  return %c : tensor<9x16xf32>
}

// -----

// E2M1 weights become bytes through a table (2 * value + 12), a byte pair
// from one 32-byte read; a step's E8M0 scales are one vector read and decoded
// on all lanes. NF4 values are not integers, so its activations are quantized
// and dequantized ahead and the f32 kernel takes them.
// CHECK-LABEL: func.func @matmul_mxfp4_int8_acts
// CHECK: vector.transfer_read %{{.*}} : tensor<96xi8>, vector<16xi8>
// CHECK: qf.lookup %{{.*}} {table = array<f32: 1.200000e+01, 1.300000e+01, 1.400000e+01, 1.500000e+01, 1.600000e+01, 1.800000e+01, 2.000000e+01, 2.400000e+01, 1.200000e+01, 1.100000e+01, 1.000000e+01, 9.000000e+00, 8.000000e+00, 6.000000e+00, 4.000000e+00, 0.000000e+00>} : vector<32xi8> -> vector<32xi8>
// CHECK: vector.transfer_read %{{.*}} : tensor<6xi8>, vector<2xi8>
// CHECK: arith.shli %{{.*}} : vector<2xi32>
// CHECK: qf.dot4
// CHECK-LABEL: func.func @matmul_nf4_int8_acts
// CHECK: math.roundeven
// CHECK: arith.truncf %{{.*}} : vector<32xf64> to vector<32xf32>
// CHECK-NOT: qf.dot4
// CHECK: qf.lookup {{.*}} : vector<32xi32> -> vector<32xf32>
// CHECK: vector.fma
func.func @matmul_mxfp4_int8_acts(%a: tensor<1x64xf32>, %w: !qf.qtensor<3x64, mxfp4>) -> tensor<1x3xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32>} : tensor<1x64xf32>, !qf.qtensor<3x64, mxfp4> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}
func.func @matmul_nf4_int8_acts(%a: tensor<1x64xf32>, %w: !qf.qtensor<3x64, nf4_g64>) -> tensor<1x3xf32> {
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32>} : tensor<1x64xf32>, !qf.qtensor<3x64, nf4_g64> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}
