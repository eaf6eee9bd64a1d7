// RUN: qforge-opt %s -split-input-file -verify-diagnostics

// #qf.cpu_schedule's own rules (CpuScheduleAttr.cpp); which values fit one
// matmul is checked where it lowers (test/Passes/matmul-schedule-invalid.mlir).

// expected-error @+1 {{schedule k_step must be 32, 64, 128 or 256, got 96}}
func.func private @k_step() attributes {s = #qf.cpu_schedule<k_step = 96>}

// -----

// expected-error @+1 {{schedule split must be from 1 to 64 blocks, got 65}}
func.func private @split() attributes {s = #qf.cpu_schedule<split = 65>}

// -----

// expected-error @+1 {{schedule accumulators must be from 1 to 8, got 9}}
func.func private @accumulators() attributes {s = #qf.cpu_schedule<accumulators = 9>}

// -----

// expected-error @+1 {{schedule row_tile must be from 1 to 8 rows, got 12}}
func.func private @row_tile() attributes {s = #qf.cpu_schedule<row_tile = 12>}

// -----

// expected-error @+1 {{schedule panel_cols must be 16, 32 or 64, got 48}}
func.func private @panel_cols() attributes {s = #qf.cpu_schedule<panel_cols = 48>}

// -----

// expected-error @+1 {{schedule prefetch must be from 1 to 64 steps ahead, got 65}}
func.func private @prefetch() attributes {s = #qf.cpu_schedule<prefetch = 65>}

// -----

// expected-error @+1 {{schedule k_step, accumulators and prefetch apply to path = rows, not panels}}
func.func private @panels_with_prefetch() attributes {s = #qf.cpu_schedule<path = panels, prefetch = 2>}

// -----

// expected-error @+1 {{schedule panel_cols applies to path = panels, not rows}}
func.func private @rows_with_panels() attributes {s = #qf.cpu_schedule<path = rows, panel_cols = 32>}

// -----

// expected-error @+1 {{schedule k_step, accumulators and prefetch apply to path = rows, not panels}}
func.func private @panels_with_rows() attributes {s = #qf.cpu_schedule<path = panels, k_step = 64>}

// -----

// expected-error @+2 {{expected one of [auto, rows, panels] for which CPU kernel a matmul on integer dots runs, got: columns}}
// expected-error @+1 {{failed to parse Qf_CpuScheduleAttr parameter 'path' which is to be a `::mlir::qf::KernelPath`}}
func.func private @path() attributes {s = #qf.cpu_schedule<path = columns>}
