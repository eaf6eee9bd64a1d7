// RUN: qforge-opt %s -split-input-file -verify-diagnostics

// Op verifiers (QfOps.cpp) and the ODS constraints on operands, results and
// attributes.

//===----------------------------------------------------------------------===//
// qf.quantize
//===----------------------------------------------------------------------===//

func.func @quantize_shape(%x: tensor<64x128xf32>) {
  // expected-error @+1 {{'qf.quantize' op input shape 64x128 does not match 32x128}}
  %0 = qf.quantize %x : tensor<64x128xf32> -> !qf.qtensor<32x128, mxfp4>
  return
}

// -----

func.func @quantize_rank(%x: tensor<8192xf32>) {
  // expected-error @+1 {{'qf.quantize' op input shape 8192 does not match 64x128}}
  %0 = qf.quantize %x : tensor<8192xf32> -> !qf.qtensor<64x128, mxfp4>
  return
}

// -----

func.func @quantize_integer_input(%x: tensor<64x128xi32>) {
  // expected-error @+1 {{'qf.quantize' op operand #0 must be ranked tensor of floating-point values}}
  %0 = qf.quantize %x : tensor<64x128xi32> -> !qf.qtensor<64x128, mxfp4>
  return
}

// -----

func.func @quantize_result_not_qtensor(%x: tensor<64x128xf32>) {
  // expected-error @+1 {{'qf.quantize' op result #0 must be quantized tensor}}
  %0 = qf.quantize %x : tensor<64x128xf32> -> tensor<64x128xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// qf.dequantize
//===----------------------------------------------------------------------===//

func.func @dequantize_shape(%q: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.dequantize' op result shape 128x64 does not match 64x128}}
  %0 = qf.dequantize %q : !qf.qtensor<64x128, q8_0> -> tensor<128x64xf32>
  return
}

// -----

func.func @dequantize_integer_result(%q: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.dequantize' op result #0 must be ranked tensor of floating-point values}}
  %0 = qf.dequantize %q : !qf.qtensor<64x128, q8_0> -> tensor<64x128xi8>
  return
}

// -----

func.func @dequantize_unranked_result(%q: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{invalid kind of type specified: expected builtin.tensor, but found 'tensor<*xf32>'}}
  %0 = qf.dequantize %q : !qf.qtensor<64x128, q8_0> -> tensor<*xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// qf.requantize
//===----------------------------------------------------------------------===//

func.func @requantize_shape(%q: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.requantize' op result shape 64x64 does not match 64x128}}
  %0 = qf.requantize %q : !qf.qtensor<64x128, q8_0> -> !qf.qtensor<64x64, q8_0>
  return
}

// -----

func.func @requantize_to_tensor(%q: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.requantize' op result #0 must be quantized tensor}}
  %0 = qf.requantize %q : !qf.qtensor<64x128, q8_0> -> tensor<64x128xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// qf.hadamard
//===----------------------------------------------------------------------===//

func.func @hadamard_not_power_of_two(%x: tensor<64x128xf32>) {
  // expected-error @+1 {{'qf.hadamard' op size must be a power of two from 2 to 4096, got 24}}
  %0 = qf.hadamard %x {size = 24} : tensor<64x128xf32>
  return
}

// -----

func.func @hadamard_size_one(%x: tensor<64x128xf32>) {
  // expected-error @+1 {{'qf.hadamard' op size must be a power of two from 2 to 4096, got 1}}
  %0 = qf.hadamard %x {size = 1} : tensor<64x128xf32>
  return
}

// -----

func.func @hadamard_size_too_large(%x: tensor<2x8192xf32>) {
  // expected-error @+1 {{'qf.hadamard' op size must be a power of two from 2 to 4096, got 8192}}
  %0 = qf.hadamard %x {size = 8192} : tensor<2x8192xf32>
  return
}

// -----

func.func @hadamard_size_negative(%x: tensor<64x128xf32>) {
  // expected-error @+1 {{'qf.hadamard' op size must be a power of two from 2 to 4096, got -4}}
  %0 = qf.hadamard %x {size = -4} : tensor<64x128xf32>
  return
}

// -----

func.func @hadamard_axis_too_large(%x: tensor<64x128xf32>) {
  // expected-error @+1 {{'qf.hadamard' op axis 2 is out of range for rank 2}}
  %0 = qf.hadamard %x {size = 32, axis = 2} : tensor<64x128xf32>
  return
}

// -----

func.func @hadamard_axis_too_negative(%x: tensor<64x128xf32>) {
  // expected-error @+1 {{'qf.hadamard' op axis -3 is out of range for rank 2}}
  %0 = qf.hadamard %x {size = 32, axis = -3} : tensor<64x128xf32>
  return
}

// -----

func.func @hadamard_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{'qf.hadamard' op axis -1 is out of range for rank 0}}
  %0 = qf.hadamard %x {size = 2} : tensor<f32>
  return
}

// -----

func.func @hadamard_does_not_divide(%x: tensor<64x128xf32>) {
  // expected-error @+1 {{'qf.hadamard' op size 256 does not divide dimension 1 (size 128)}}
  %0 = qf.hadamard %x {size = 256} : tensor<64x128xf32>
  return
}

// -----

func.func @hadamard_does_not_divide_axis0(%x: tensor<48x128xf32>) {
  // expected-error @+1 {{'qf.hadamard' op size 32 does not divide dimension 0 (size 48)}}
  %0 = qf.hadamard %x {size = 32, axis = -2} : tensor<48x128xf32>
  return
}

// -----

func.func @hadamard_missing_size(%x: tensor<64x128xf32>) {
  // expected-error @+1 {{'qf.hadamard' op requires attribute 'size'}}
  %0 = qf.hadamard %x : tensor<64x128xf32>
  return
}

// -----

func.func @hadamard_float_seed(%x: tensor<64x128xf32>) {
  // expected-error @+1 {{attribute 'seed' failed to satisfy constraint: 64-bit signless integer attribute}}
  %0 = qf.hadamard %x {size = 32, seed = 1.0} : tensor<64x128xf32>
  return
}

// -----

func.func @hadamard_integer_tensor(%x: tensor<64x128xi8>) {
  // expected-error @+1 {{'qf.hadamard' op operand #0 must be ranked tensor of floating-point values}}
  %0 = qf.hadamard %x {size = 32} : tensor<64x128xi8>
  return
}

// -----

//===----------------------------------------------------------------------===//
// qf.matmul
//===----------------------------------------------------------------------===//

func.func @matmul_lhs_rank1(%a: tensor<128xf32>, %w: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.matmul' op lhs must have rank >= 2 ([..., M, K]), got rank 1}}
  %0 = qf.matmul %a, %w : tensor<128xf32>, !qf.qtensor<64x128, q8_0> -> tensor<64xf32>
  return
}

// -----

func.func @matmul_weights_rank1(%a: tensor<16x128xf32>, %w: !qf.qtensor<128, q8_0>) {
  // expected-error @+1 {{'qf.matmul' op weights must be a rank-2 [N, K] qtensor, got rank 1}}
  %0 = qf.matmul %a, %w : tensor<16x128xf32>, !qf.qtensor<128, q8_0> -> tensor<16xf32>
  return
}

// -----

func.func @matmul_weights_rank3(%a: tensor<2x16x128xf32>, %w: !qf.qtensor<2x64x128, q8_0>) {
  // expected-error @+1 {{'qf.matmul' op weights must be a rank-2 [N, K] qtensor, got rank 3}}
  %0 = qf.matmul %a, %w : tensor<2x16x128xf32>, !qf.qtensor<2x64x128, q8_0> -> tensor<2x16x64xf32>
  return
}

// -----

func.func @matmul_k_mismatch(%a: tensor<16x96xf32>, %w: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.matmul' op reduction size mismatch: lhs K = 96, weight K = 128}}
  %0 = qf.matmul %a, %w : tensor<16x96xf32>, !qf.qtensor<64x128, q8_0> -> tensor<16x64xf32>
  return
}

// -----

// Weights are [N, K], not [K, N].
func.func @matmul_transposed_weights(%a: tensor<16x128xf32>, %w: !qf.qtensor<128x64, q8_0>) {
  // expected-error @+1 {{'qf.matmul' op reduction size mismatch: lhs K = 128, weight K = 64}}
  %0 = qf.matmul %a, %w : tensor<16x128xf32>, !qf.qtensor<128x64, q8_0> -> tensor<16x64xf32>
  return
}

// -----

func.func @matmul_result_rank(%a: tensor<16x128xf32>, %w: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.matmul' op result must have rank 2}}
  %0 = qf.matmul %a, %w : tensor<16x128xf32>, !qf.qtensor<64x128, q8_0> -> tensor<16x64x1xf32>
  return
}

// -----

func.func @matmul_batched_result_rank(%a: tensor<2x16x128xf32>, %w: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.matmul' op result must have rank 3}}
  %0 = qf.matmul %a, %w : tensor<2x16x128xf32>, !qf.qtensor<64x128, q8_0> -> tensor<32x64xf32>
  return
}

// -----

func.func @matmul_result_shape(%a: tensor<16x128xf32>, %w: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.matmul' op result shape 16x32 does not match 16x64}}
  %0 = qf.matmul %a, %w : tensor<16x128xf32>, !qf.qtensor<64x128, q8_0> -> tensor<16x32xf32>
  return
}

// -----

func.func @matmul_batched_result_shape(%a: tensor<2x16x128xf32>, %w: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.matmul' op result shape 3x16x64 does not match 2x16x64}}
  %0 = qf.matmul %a, %w : tensor<2x16x128xf32>, !qf.qtensor<64x128, q8_0> -> tensor<3x16x64xf32>
  return
}

// -----

func.func @matmul_weight_per_axis_k(%a: tensor<16x128xf32>, %w: !qf.qtensor<64x128, #qf.scheme<element = #qf.int<8>, per_axis = 1, scale = f32>>) {
  // expected-error @+1 {{'qf.matmul' op weight scales must be grouped along K (the last axis)}}
  %0 = qf.matmul %a, %w : tensor<16x128xf32>, !qf.qtensor<64x128, #qf.scheme<element = #qf.int<8>, per_axis = 1, scale = f32>> -> tensor<16x64xf32>
  return
}

// -----

func.func @matmul_weight_group_axis0(%a: tensor<16x128xf32>, %w: !qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 32, axis = 0, scale = f16>>) {
  // expected-error @+1 {{'qf.matmul' op weight scales must be grouped along K (the last axis)}}
  %0 = qf.matmul %a, %w : tensor<16x128xf32>, !qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 32, axis = 0, scale = f16>> -> tensor<16x64xf32>
  return
}

// -----

func.func @matmul_act_ggml(%a: tensor<16x128xf32>, %w: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.matmul' op activation schemes use the planar layout}}
  %0 = qf.matmul %a, %w {act_scheme = #qf.scheme<q8_0>} : tensor<16x128xf32>, !qf.qtensor<64x128, q8_0> -> tensor<16x64xf32>
  return
}

// -----

func.func @matmul_act_block(%a: tensor<16x128xf32>, %w: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.matmul' op activation schemes are per-tensor, per-token (per_axis) or grouped along K}}
  %0 = qf.matmul %a, %w {act_scheme = #qf.scheme<element = #qf.int<8>, block = [4, 4], scale = f32>} : tensor<16x128xf32>, !qf.qtensor<64x128, q8_0> -> tensor<16x64xf32>
  return
}

// -----

func.func @matmul_act_super_block(%a: tensor<16x256xf32>, %w: !qf.qtensor<64x256, q8_0>) {
  // expected-error @+1 {{'qf.matmul' op activation schemes are per-tensor, per-token (per_axis) or grouped along K}}
  %0 = qf.matmul %a, %w {act_scheme = #qf.scheme<element = #qf.int<4>, group = 32, scale = f16, super_block = 256, super_scale = f16>} : tensor<16x256xf32>, !qf.qtensor<64x256, q8_0> -> tensor<16x64xf32>
  return
}

// -----

func.func @matmul_act_per_axis_k(%a: tensor<16x128xf32>, %w: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.matmul' op activation scales must be grouped along K (the last axis)}}
  %0 = qf.matmul %a, %w {act_scheme = #qf.scheme<element = #qf.int<8>, per_axis = 1, scale = f32>} : tensor<16x128xf32>, !qf.qtensor<64x128, q8_0> -> tensor<16x64xf32>
  return
}

// -----

func.func @matmul_act_per_axis_k_batched(%a: tensor<2x16x128xf32>, %w: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.matmul' op activation scales must be grouped along K (the last axis)}}
  %0 = qf.matmul %a, %w {act_scheme = #qf.scheme<element = #qf.int<8>, per_axis = 2, scale = f32>} : tensor<2x16x128xf32>, !qf.qtensor<64x128, q8_0> -> tensor<2x16x64xf32>
  return
}

// -----

func.func @matmul_act_group_axis0(%a: tensor<32x128xf32>, %w: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{'qf.matmul' op activation scales must be grouped along K (the last axis)}}
  %0 = qf.matmul %a, %w {act_scheme = #qf.scheme<element = #qf.int<8>, group = 32, axis = 0, scale = f32>} : tensor<32x128xf32>, !qf.qtensor<64x128, q8_0> -> tensor<32x64xf32>
  return
}

// -----

func.func @matmul_act_group_does_not_divide(%a: tensor<16x96xf32>, %w: !qf.qtensor<64x96, fp8_e4m3>) {
  // expected-error @+1 {{'qf.matmul' op activation group size 64 does not divide K = 96}}
  %0 = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g64>} : tensor<16x96xf32>, !qf.qtensor<64x96, fp8_e4m3> -> tensor<16x64xf32>
  return
}

// -----

func.func @matmul_act_not_a_scheme(%a: tensor<16x128xf32>, %w: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{attribute 'act_scheme' failed to satisfy constraint}}
  %0 = qf.matmul %a, %w {act_scheme = #qf.int<8>} : tensor<16x128xf32>, !qf.qtensor<64x128, q8_0> -> tensor<16x64xf32>
  return
}

// -----

func.func @matmul_rhs_not_qtensor(%a: tensor<16x128xf32>, %w: tensor<64x128xf32>) {
  // expected-error @+1 {{'qf.matmul' op operand #1 must be quantized tensor}}
  %0 = qf.matmul %a, %w : tensor<16x128xf32>, tensor<64x128xf32> -> tensor<16x64xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// qf.weight
//===----------------------------------------------------------------------===//

func.func @weight_blob_size() {
  // expected-error @+1 {{'qf.weight' op data has 100 bytes but the storage of '!qf.qtensor<1x32, q4_0>' needs 18}}
  %0 = qf.weight #qf.blob<"model.gguf", offset = 0, size = 100> -> !qf.qtensor<1x32, q4_0>
  return
}

// -----

// q4_k: 144-byte blocks of 256 elements.
func.func @weight_blob_size_q4_k() {
  // expected-error @+1 {{'qf.weight' op data has 128 bytes but the storage of '!qf.qtensor<1x256, q4_k>' needs 144}}
  %0 = qf.weight #qf.blob<"model.gguf", offset = 0, size = 128> -> !qf.qtensor<1x256, q4_k>
  return
}

// -----

// Planar storage counts the scales: 32 int8 codes + 32 f32 scales.
func.func @weight_blob_size_planar() {
  // expected-error @+1 {{'qf.weight' op data has 32 bytes but the storage of '!qf.qtensor<32x1, #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32>>' needs 160}}
  %0 = qf.weight #qf.blob<"model.gguf", offset = 0, size = 32> -> !qf.qtensor<32x1, #qf.scheme<element = #qf.int<8>, per_axis = 0, scale = f32>>
  return
}

// -----

func.func @weight_resource_size() {
  // expected-error @+1 {{'qf.weight' op data has 18 bytes but the storage of '!qf.qtensor<1x64, q4_0>' needs 36}}
  %0 = qf.weight dense_resource<w0> : tensor<18xui8> -> !qf.qtensor<1x64, q4_0>
  return
}

{-#
  dialect_resources: {
    builtin: {
      w0: "0x04000000003c0123456789abcdef0123456789abcdef"
    }
  }
#-}

// -----

func.func @weight_resource_i16() {
  // expected-error @+1 {{'qf.weight' op dense_resource data must be a 1-D tensor of 8-bit integers}}
  %0 = qf.weight dense_resource<w0> : tensor<9xi16> -> !qf.qtensor<1x32, q4_0>
  return
}

{-#
  dialect_resources: {
    builtin: {
      w0: "0x04000000003c0123456789abcdef0123456789abcdef"
    }
  }
#-}

// -----

func.func @weight_resource_2d() {
  // expected-error @+1 {{'qf.weight' op dense_resource data must be a 1-D tensor of 8-bit integers}}
  %0 = qf.weight dense_resource<w0> : tensor<2x9xi8> -> !qf.qtensor<1x32, q4_0>
  return
}

{-#
  dialect_resources: {
    builtin: {
      w0: "0x04000000003c0123456789abcdef0123456789abcdef"
    }
  }
#-}

// -----

func.func @weight_resource_f32() {
  // expected-error @+1 {{'qf.weight' op dense_resource data must be a 1-D tensor of 8-bit integers}}
  %0 = qf.weight dense_resource<w0> : tensor<18xf32> -> !qf.qtensor<1x32, q4_0>
  return
}

// -----

func.func @weight_dense_elements() {
  // expected-error @+1 {{'qf.weight' op attribute 'data' failed to satisfy constraint}}
  %0 = qf.weight dense<1> : tensor<18xi8> -> !qf.qtensor<1x32, q4_0>
  return
}

// -----

func.func @weight_result_not_qtensor() {
  // expected-error @+1 {{'qf.weight' op result #0 must be quantized tensor}}
  %0 = qf.weight #qf.blob<"model.gguf", offset = 0, size = 18> -> tensor<18xi8>
  return
}

// -----

func.func @lookup_table_size(%c: vector<8xi32>) -> vector<8xf32> {
  // expected-error @+1 {{'qf.lookup' op table must have 2, 4, 8 or 16 entries, got 3}}
  %v = qf.lookup %c {table = array<f32: -1.0, 0.0, 1.0>} : vector<8xi32> -> vector<8xf32>
  return %v : vector<8xf32>
}

// -----

func.func @lookup_shapes(%c: vector<8xi32>) -> vector<16xf32> {
  // expected-error @+1 {{'qf.lookup' op failed to verify that all of {codes, result} have same shape}}
  %v = qf.lookup %c {table = array<f32: -1.0, 0.0>} : vector<8xi32> -> vector<16xf32>
  return %v : vector<16xf32>
}

// -----

func.func @lookup_byte_codes(%c: vector<8xi32>) -> vector<8xi8> {
  // expected-error @+1 {{'qf.lookup' op f32 tables take i32 codes, byte and i16 tables i8 codes}}
  %v = qf.lookup %c {table = array<f32: -1.0, 0.0>} : vector<8xi32> -> vector<8xi8>
  return %v : vector<8xi8>
}

// -----

func.func @lookup_byte_fraction(%c: vector<8xi8>) -> vector<8xi8> {
  // expected-error @+1 {{'qf.lookup' op byte table entries must be integers in [-128, 255], got 5.000000e-01}}
  %v = qf.lookup %c {table = array<f32: 0.5, 1.0>} : vector<8xi8> -> vector<8xi8>
  return %v : vector<8xi8>
}

// -----

func.func @lookup_byte_range(%c: vector<8xi8>) -> vector<8xi8> {
  // expected-error @+1 {{'qf.lookup' op byte table entries must be integers in [-128, 255], got 2.560000e+02}}
  %v = qf.lookup %c {table = array<f32: 0.0, 256.0>} : vector<8xi8> -> vector<8xi8>
  return %v : vector<8xi8>
}

// -----

func.func @dot4_lanes(%acc: vector<4xi32>, %u: vector<32xi8>) -> vector<4xi32> {
  // expected-error @+1 {{'qf.dot4' op needs four bytes per i32 lane: 32 bytes for 4 lanes}}
  %d = qf.dot4 %acc, %u, %u : vector<32xi8> -> vector<4xi32>
  return %d : vector<4xi32>
}

// -----

func.func @dot4_lhs_max(%acc: vector<8xi32>, %u: vector<32xi8>) -> vector<8xi32> {
  // expected-error @+1 {{'qf.dot4' op attribute 'lhs_max' failed to satisfy constraint: 64-bit signless integer attribute whose minimum value is 0 whose maximum value is 255}}
  %d = qf.dot4 %acc, %u, %u {lhs_max = 256 : i64} : vector<32xi8> -> vector<8xi32>
  return %d : vector<8xi32>
}

// -----

func.func @dot4_signed_lhs_max(%acc: vector<8xi32>, %w: vector<32xi8>) -> vector<8xi32> {
  // expected-error @+1 {{'qf.dot4' op signed lhs bytes lie within [-127, 127], but lhs_max is 128}}
  %d = qf.dot4 %acc, %w, %w {lhs_max = 128 : i64, lhs_signed} : vector<32xi8> -> vector<8xi32>
  return %d : vector<8xi32>
}

// -----

func.func @matmul_act_hadamard_without_scheme(%a: tensor<1x64xf32>, %w: !qf.qtensor<3x64, q4_0>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'qf.matmul' op act_hadamard rotates activations for their quantizer: it needs act_scheme}}
  %c = qf.matmul %a, %w {act_hadamard = 32} : tensor<1x64xf32>, !qf.qtensor<3x64, q4_0> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}

// -----

func.func @matmul_act_hadamard_not_power_of_two(%a: tensor<1x96xf32>, %w: !qf.qtensor<3x96, q4_0>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'qf.matmul' op act_hadamard must be a power of two from 2 to 4096, got 48}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>, act_hadamard = 48} : tensor<1x96xf32>, !qf.qtensor<3x96, q4_0> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}

// -----

func.func @matmul_act_hadamard_not_dividing_k(%a: tensor<1x96xf32>, %w: !qf.qtensor<3x96, q4_0>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'qf.matmul' op act_hadamard 64 does not divide K = 96}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>, act_hadamard = 64} : tensor<1x96xf32>, !qf.qtensor<3x96, q4_0> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}

// -----

func.func @matmul_act_hadamard_seed_alone(%a: tensor<1x64xf32>, %w: !qf.qtensor<3x64, q4_0>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'qf.matmul' op act_hadamard_seed needs act_hadamard}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>, act_hadamard_seed = 3} : tensor<1x64xf32>, !qf.qtensor<3x64, q4_0> -> tensor<1x3xf32>
  return %c : tensor<1x3xf32>
}

// -----

func.func @lookup_i16_range(%c: vector<8xi8>) -> vector<8xi16> {
  // expected-error @+1 {{'qf.lookup' op i16 table entries must be integers in [-32768, 32767], got 3.276800e+04}}
  %v = qf.lookup %c {table = array<f32: 0.0, 32768.0>} : vector<8xi8> -> vector<8xi16>
  return %v : vector<8xi16>
}

// -----

func.func @lookup_f32_byte_codes(%c: vector<8xi8>) -> vector<8xf32> {
  // expected-error @+1 {{'qf.lookup' op f32 tables take i32 codes, byte and i16 tables i8 codes}}
  %v = qf.lookup %c {table = array<f32: 0.5, 1.0>} : vector<8xi8> -> vector<8xf32>
  return %v : vector<8xf32>
}

// -----

func.func @dot2_lanes(%acc: vector<4xi32>, %w: vector<16xi16>) -> vector<4xi32> {
  // expected-error @+1 {{'qf.dot2' op needs two i16 values per i32 lane: 16 values for 4 lanes}}
  %d = qf.dot2 %acc, %w, %w : vector<16xi16> -> vector<4xi32>
  return %d : vector<4xi32>
}
