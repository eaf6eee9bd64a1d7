// RUN: qforge-opt %s --qf-cuda-matmul-kernels -split-input-file -verify-diagnostics

// The CUDA target compiles entry points that are one qf.matmul of their two
// arguments, returned, on activations as they are; anything else is an error
// at the function or the op (codegen/cuda/MatmulKernels.cpp).

// expected-error @+1 {{the CUDA target compiles functions that are one qf.matmul of their two arguments, returned}}
func.func @matmul_then_add(%a: tensor<1x256xf32>, %w: !qf.qtensor<16x256, q4_0>) -> tensor<1x16xf32> {
  %c = qf.matmul %a, %w : tensor<1x256xf32>, !qf.qtensor<16x256, q4_0> -> tensor<1x16xf32>
  %d = arith.addf %c, %c : tensor<1x16xf32>
  return %d : tensor<1x16xf32>
}

// -----

// expected-error @+1 {{the CUDA target compiles functions that are one qf.matmul of their two arguments, returned}}
func.func @three_arguments(%a: tensor<1x256xf32>, %w: !qf.qtensor<16x256, q4_0>, %b: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %c = qf.matmul %a, %w : tensor<1x256xf32>, !qf.qtensor<16x256, q4_0> -> tensor<1x16xf32>
  return %c : tensor<1x16xf32>
}

// -----

// expected-error @+1 {{the CUDA target compiles functions that are one qf.matmul of their two arguments, returned}}
func.func @no_matmul(%a: tensor<4x16xf32>, %b: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %c = arith.addf %a, %b : tensor<4x16xf32>
  return %c : tensor<4x16xf32>
}

// -----

// A well-formed entry before the bad one does not hide it.
func.func @fine(%a: tensor<1x256xf32>, %w: !qf.qtensor<16x256, q4_0>) -> tensor<1x16xf32> {
  %c = qf.matmul %a, %w : tensor<1x256xf32>, !qf.qtensor<16x256, q4_0> -> tensor<1x16xf32>
  return %c : tensor<1x16xf32>
}

// expected-error @+1 {{the CUDA target compiles functions that are one qf.matmul of their two arguments, returned}}
func.func @two_results(%a: tensor<1x256xf32>, %w: !qf.qtensor<16x256, q4_0>) -> (tensor<1x16xf32>, tensor<1x16xf32>) {
  %c = qf.matmul %a, %w : tensor<1x256xf32>, !qf.qtensor<16x256, q4_0> -> tensor<1x16xf32>
  return %c, %c : tensor<1x16xf32>, tensor<1x16xf32>
}

// -----

func.func @act_scheme(%a: tensor<1x256xf32>, %w: !qf.qtensor<16x256, q4_0>) -> tensor<1x16xf32> {
  // expected-error @+1 {{'qf.matmul' op the CUDA target takes f32/f16/bf16 activations as they are: no act_scheme or act_hadamard}}
  %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<1x256xf32>, !qf.qtensor<16x256, q4_0> -> tensor<1x16xf32>
  return %c : tensor<1x16xf32>
}

// -----

func.func @act_hadamard(%a: tensor<1x256xf32>, %w: !qf.qtensor<16x256, mxfp4>) -> tensor<1x16xf32> {
  // expected-error @+1 {{'qf.matmul' op the CUDA target takes f32/f16/bf16 activations as they are: no act_scheme or act_hadamard}}
  %c = qf.matmul %a, %w {act_hadamard = 32 : i64, act_scheme = #qf.scheme<mxfp4>} : tensor<1x256xf32>, !qf.qtensor<16x256, mxfp4> -> tensor<1x16xf32>
  return %c : tensor<1x16xf32>
}
