// RUN: qforge-opt %s -split-input-file -verify-diagnostics

// Malformed input: every case must give a located error, never a crash.

// expected-error @+1 {{unbalanced '<' character in pretty dialect name}}
func.func private @scheme_missing_close() attributes {s = #qf.scheme<mxfp4}

// -----

// expected-error @+1 {{unbalanced '<' character in pretty dialect name}}
func.func private @scheme_truncated() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32}

// -----

// expected-error @+1 {{expected '<'}}
func.func private @scheme_no_body() attributes {s = #qf.scheme}

// -----

// expected-error @+1 {{expected valid keyword}}
func.func private @scheme_empty() attributes {s = #qf.scheme<>}

// -----

// expected-error @+1 {{expected valid keyword}}
func.func private @scheme_trailing_comma() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32,>}

// -----

// expected-error @+1 {{expected '='}}
func.func private @scheme_missing_equal() attributes {s = #qf.scheme<element #qf.int<4>>}

// -----

// expected-error @+1 {{expected integer value}}
func.func private @scheme_group_not_integer() attributes {s = #qf.scheme<element = #qf.int<4>, group = thirty_two>}

// -----

// expected-error @+1 {{expected '['}}
func.func private @scheme_block_not_list() attributes {s = #qf.scheme<element = #qf.int<8>, block = 4>}

// -----

// A preset takes no options but its layout.
// expected-error @+1 {{expected 'layout'}}
func.func private @scheme_preset_with_options() attributes {s = #qf.scheme<mxfp4, rounding = nearest_away>}

// -----

// expected-error @+1 {{unknown scheme key 'mxfp4'}}
func.func private @scheme_preset_with_equal() attributes {s = #qf.scheme<mxfp4 = 1>}

// -----

// expected-error @+1 {{expected valid keyword}}
func.func private @scheme_rounding_not_keyword() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, rounding = 1>}

// -----

// expected-error @+1 {{expected non-function type}}
func.func private @scheme_super_scale_not_type() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, super_block = 256, super_scale = 1>}

// -----

// expected-error @+1 {{expected attribute value}}
func.func private @scheme_scale_missing_value() attributes {s = #qf.scheme<element = #qf.int<4>, group = 32, scale = >}

// -----

// expected-error @+1 {{unknown attribute `schema` in dialect `qf`}}
func.func private @misspelled_scheme() attributes {s = #qf.schema<mxfp4>}

// -----

// expected-error @+1 {{unbalanced '<' character in pretty dialect name}}
func.func private @int_missing_close() attributes {f = #qf.int<4}

// -----

// expected-error @+1 {{unbalanced '[' character in pretty dialect name}}
func.func private @lut_unbalanced_square() attributes {f = #qf.lut<[1.0, 2.0>}

// -----

// expected-error @+1 {{expected ','}}
func.func private @qtensor_no_comma(!qf.qtensor<64x128 mxfp4>)

// -----

// expected-error @+1 {{expected ','}}
func.func private @qtensor_no_shape(!qf.qtensor<mxfp4>)

// -----

// expected-error @+1 {{unbalanced '<' character in pretty dialect name}}
func.func private @qtensor_missing_close(!qf.qtensor<64x128, mxfp4)

// -----

// expected-error @+1 {{invalid dimension}}
func.func private @qtensor_trailing_x(!qf.qtensor<64x128x, mxfp4>)

// -----

// expected-error @+1 {{expected ','}}
func.func private @qtensor_negative_dim(!qf.qtensor<-1x128, mxfp4>)

// -----

// expected-error @+1 {{expected '>'}}
func.func private @qtensor_extra_parameter(!qf.qtensor<64x128, mxfp4, f32>)

// -----

func.func @quantize_missing_colon(%x: tensor<64x128xf32>) {
  // expected-error @+1 {{expected ':'}}
  %0 = qf.quantize %x -> !qf.qtensor<64x128, mxfp4>
  return
}

// -----

func.func @quantize_missing_arrow(%x: tensor<64x128xf32>) {
  // expected-error @+1 {{expected '->'}}
  %0 = qf.quantize %x : tensor<64x128xf32> !qf.qtensor<64x128, mxfp4>
  return
}

// -----

func.func @matmul_missing_comma(%a: tensor<16x128xf32>, %w: !qf.qtensor<64x128, q8_0>) {
  // expected-error @+1 {{expected ','}}
  %0 = qf.matmul %a %w : tensor<16x128xf32>, !qf.qtensor<64x128, q8_0> -> tensor<16x64xf32>
  return
}

// -----

func.func @weight_missing_arrow() {
  // expected-error @+1 {{expected '->'}}
  %0 = qf.weight #qf.blob<"model.gguf", offset = 0, size = 18> !qf.qtensor<1x32, q4_0>
  return
}

// -----

func.func @unknown_op(%x: tensor<64x128xf32>) {
  // expected-error @+1 {{custom op 'qf.quantise' is unknown}}
  %0 = qf.quantise %x : tensor<64x128xf32> -> !qf.qtensor<64x128, mxfp4>
  return
}
