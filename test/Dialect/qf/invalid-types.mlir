// RUN: qforge-opt %s -split-input-file -verify-diagnostics

// !qf.qtensor parse errors and verifier rules (QTensorType.cpp).

// expected-error @+1 {{unknown scheme preset 'mxfp3'}}
func.func private @unknown_preset(!qf.qtensor<64x128, mxfp3>)

// -----

// expected-error @+1 {{unknown scheme preset 'tensor'}}
func.func private @tensor_type_as_scheme(!qf.qtensor<64x128, tensor<4xf32>>)

// -----

// expected-error @+1 {{invalid kind of attribute specified}}
func.func private @format_as_scheme(!qf.qtensor<64x128, #qf.int<4>>)

// -----

// expected-error @+1 {{qtensor needs rank >= 1}}
func.func private @rank0(!qf.qtensor<, mxfp4>)

// -----

// expected-error @+1 {{qtensor dimensions must be static and positive}}
func.func private @dynamic_dim(!qf.qtensor<?x128, mxfp4>)

// -----

// expected-error @+1 {{qtensor dimensions must be static and positive}}
func.func private @zero_dim(!qf.qtensor<0x128, #qf.scheme<element = #qf.int<8>, scale = f32>>)

// -----

// expected-error @+1 {{per_axis 2 is out of range for rank 2}}
func.func private @per_axis_out_of_range(!qf.qtensor<64x128, #qf.scheme<element = #qf.float<e4m3>, per_axis = 2, scale = f32>>)

// -----

// fp8_e4m3 is per_axis = 0, fine for any rank; a rank-1 per_axis = 1 is not.
// expected-error @+1 {{per_axis 1 is out of range for rank 1}}
func.func private @per_axis_rank1(!qf.qtensor<64, #qf.scheme<element = #qf.int<8>, per_axis = 1, scale = f32>>)

// -----

// expected-error @+1 {{group axis 2 is out of range for rank 2}}
func.func private @group_axis_out_of_range(!qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 32, axis = 2, scale = f16>>)

// -----

// expected-error @+1 {{group size 32 does not divide dimension 1 (size 48)}}
func.func private @group_does_not_divide(!qf.qtensor<64x48, mxfp4>)

// -----

// expected-error @+1 {{group size 32 does not divide dimension 0 (size 48)}}
func.func private @group_axis0_does_not_divide(!qf.qtensor<48x64, #qf.scheme<element = #qf.int<4>, group = 32, axis = 0, scale = f16>>)

// -----

// expected-error @+1 {{group size 16 does not divide dimension 0 (size 8)}}
func.func private @group_rank1(!qf.qtensor<8, nvfp4>)

// -----

// expected-error @+1 {{super_block needs groups along the last axis}}
func.func private @super_block_axis0(!qf.qtensor<256x32, #qf.scheme<element = #qf.int<4>, group = 32, axis = 0, scale = f16, super_block = 256, super_scale = f16>>)

// -----

// expected-error @+1 {{super_block 256 does not divide dimension 1 (size 128)}}
func.func private @super_block_does_not_divide(!qf.qtensor<64x128, q4_k>)

// -----

// expected-error @+1 {{block granularity needs rank >= 2}}
func.func private @block_rank1(!qf.qtensor<256, #qf.scheme<element = #qf.int<8>, block = [4, 4], scale = f32>>)

// -----

// expected-error @+1 {{block [4, 4] does not tile the last two dimensions (8x6)}}
func.func private @block_does_not_tile_cols(!qf.qtensor<8x6, #qf.scheme<element = #qf.int<8>, block = [4, 4], scale = f32>>)

// -----

// expected-error @+1 {{block [128, 128] does not tile the last two dimensions (64x256)}}
func.func private @block_does_not_tile_rows(!qf.qtensor<2x64x256, #qf.scheme<element = #qf.int<8>, block = [128, 128], scale = f32>>)

// -----

// An invalid scheme inside a qtensor reports the scheme's error.
// expected-error @+1 {{group size must be positive}}
func.func private @invalid_inner_scheme(!qf.qtensor<64x128, #qf.scheme<element = #qf.int<4>, group = 0, scale = f16>>)

// -----

// expected-error @+1 {{type `tensor` in dialect `qf`}}
func.func private @unknown_type(!qf.tensor<64x128, mxfp4>)

// -----

// expected-error @+1 {{layout = tiled needs a rank-2 tensor grouped along its last axis}}
func.func private @tiled_rank_3(!qf.qtensor<2x4x64, #qf.scheme<int4_g32, layout = tiled>>)

// -----

// expected-error @+1 {{layout = tiled needs a rank-2 tensor grouped along its last axis}}
func.func private @tiled_along_rows(!qf.qtensor<64x64, #qf.scheme<element = #qf.int<4>, group = 32, axis = 0, scale = f16, layout = tiled>>)

// -----

// 48 columns: no tile of 32 to 256 elements divides them.
// expected-error @+1 {{layout = tiled needs a tile of 32 to 256 elements that holds whole groups (16) and divides dimension 1 (size 48)}}
func.func private @tiled_no_tile(!qf.qtensor<4x48, #qf.scheme<nvfp4, layout = tiled>>)

// -----

// expected-error @+1 {{layout = tiled needs a tile of 32 to 256 elements that holds whole groups (32) and super-blocks (512) and divides dimension 1 (size 1024)}}
func.func private @tiled_super_block(!qf.qtensor<4x1024, #qf.scheme<element = #qf.int<4, unsigned>, group = 32, scale = #qf.int<6, unsigned>, min = #qf.int<6, unsigned>, super_block = 512, super_scale = f16, layout = tiled>>)
