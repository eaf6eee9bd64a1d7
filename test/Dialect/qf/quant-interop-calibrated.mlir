// RUN: qforge-opt %s -split-input-file -verify-diagnostics

// A !quant type that is not uniform must be rejected with a located error.
// !quant.calibrated has no storage type; converting it must not touch one.

// expected-error @+1 {{only uniform quant types convert to qf schemes}}
func.func private @calibrated() attributes {s = #qf.scheme<!quant.calibrated<f32<-1.0:1.0>>>}

// -----

// expected-error @+1 {{only uniform quant types convert to qf schemes}}
func.func private @calibrated_f16() attributes {s = #qf.scheme<!quant.calibrated<f16<0.0:6.0>>>}
