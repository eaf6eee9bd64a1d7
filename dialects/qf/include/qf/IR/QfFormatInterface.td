#ifndef QF_FORMAT_INTERFACE_TD
#define QF_FORMAT_INTERFACE_TD

include "mlir/IR/OpBase.td"

def Qf_QuantFormatAttrInterface : AttrInterface<"QuantFormatAttrInterface"> {
  let cppNamespace = "::mlir::qf";
  let description = [{
    An element (or scale) format of at most 16 bits. A format is fully defined
    by its bit width and `decodeHost`, which maps every code to the real value it
    stands for; the host encoder (nearest representable value under a rounding
    mode) is derived from that table, so a new format only implements the
    methods below. `buildDecode` emits the same mapping as arith ops so every
    backend decodes without format-specific code.
  }];
  let methods = [
    InterfaceMethod<"Number of bits of one code.", "unsigned", "getBitWidth">,
    InterfaceMethod<"Whether the format represents negative values.",
      "bool", "isSigned">,
    InterfaceMethod<[{The real value of `code` (NaN for NaN codes).}],
      "double", "decodeHost", (ins "uint64_t":$code)>,
    InterfaceMethod<[{Whether `code` has an even significand, for ties-to-even.
      Most formats: the lowest code bit.}],
      "bool", "isEvenCode", (ins "uint64_t":$code), [{}],
      [{ return (code & 1) == 0; }]>,
    InterfaceMethod<[{The code an out-of-range value becomes when conversion
      does not saturate (infinity or NaN); none where the format has neither.}],
      "std::optional<uint64_t>", "getOverflowCode", (ins "bool":$negative),
      [{}], [{ return std::nullopt; }]>,
    InterfaceMethod<"The code a NaN input becomes; none where there is none.",
      "std::optional<uint64_t>", "getNaNCode", (ins), [{}],
      [{ return std::nullopt; }]>,
    InterfaceMethod<[{Emits arith ops turning `code` (an integer of the bit
      width, zero-extended into any wider integer type is also accepted) into
      a value of float type `resultType`.}],
      "::mlir::Value", "buildDecode",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::Location":$loc,
           "::mlir::Value":$code, "::mlir::FloatType":$resultType)>,
    InterfaceMethod<[{The builtin MLIR element type with these semantics, if
      one exists (f4E2M1FN, f8E4M3FN, ...).}],
      "::mlir::Type", "getBuiltinType", (ins), [{}],
      [{ return {}; }]>,
    InterfaceMethod<"Short name used in tables and preset spellings.",
      "std::string", "getShortName">,
  ];
}

#endif // QF_FORMAT_INTERFACE_TD
