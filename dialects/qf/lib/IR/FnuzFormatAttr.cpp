//===- FnuzFormatAttr.cpp - #qf.fnuz: FP8 E4M3FNUZ / E5M2FNUZ --------------===//
//
// Everything a format needs: its spelling, its decode (host and IR), and the
// few facts the encoder cannot derive from the decode table.
//===----------------------------------------------------------------------===//
#include "ElementwiseBuilder.h"
#include "qf/IR/Qf.h"

#include "mlir/IR/DialectImplementation.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qf;
using mlir::qf::detail::ElementwiseBuilder;

static unsigned mantissaBits(unsigned exponentBits) { return 7 - exponentBits; }
static int bias(unsigned exponentBits) { return 1 << (exponentBits - 1); } // 8 or 16

LogicalResult FnuzFormatAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                     unsigned exponentBits) {
  if (exponentBits != 4 && exponentBits != 5)
    return emitError() << "fnuz formats are e4m3 and e5m2, got " << exponentBits
                       << " exponent bits";
  return success();
}

Attribute FnuzFormatAttr::parse(AsmParser &parser, Type) {
  StringRef kw;
  if (parser.parseLess())
    return {};
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseKeyword(&kw) || parser.parseGreater())
    return {};
  if (kw != "e4m3" && kw != "e5m2") {
    parser.emitError(loc, "expected e4m3 or e5m2, got '") << kw << "'";
    return {};
  }
  return get(parser.getContext(), kw == "e4m3" ? 4 : 5);
}

void FnuzFormatAttr::print(AsmPrinter &p) const {
  p << "<e" << getExponentBits() << "m" << mantissaBits(getExponentBits()) << ">";
}

unsigned FnuzFormatAttr::getBitWidth() const { return 8; }
bool FnuzFormatAttr::isSigned() const { return true; }
std::string FnuzFormatAttr::getShortName() const {
  return "e" + std::to_string(getExponentBits()) + "m" +
         std::to_string(mantissaBits(getExponentBits())) + "fnuz";
}

double FnuzFormatAttr::decodeHost(uint64_t code) const {
  code &= 0xFF;
  if (code == 0x80)
    return NAN;
  unsigned e = getExponentBits(), m = mantissaBits(e);
  uint64_t exp = (code >> m) & ((1u << e) - 1), man = code & ((1u << m) - 1);
  double v = exp == 0 ? std::ldexp(double(man), 1 - bias(e) - int(m))
                      : std::ldexp(double(man | (1u << m)), int(exp) - bias(e) - int(m));
  return (code & 0x80) ? -v : v;
}

// Out of range (without saturation) and NaN inputs both become the one NaN.
std::optional<uint64_t> FnuzFormatAttr::getOverflowCode(bool) const { return 0x80; }
std::optional<uint64_t> FnuzFormatAttr::getNaNCode() const { return 0x80; }

Type FnuzFormatAttr::getBuiltinType() const {
  if (getExponentBits() == 4)
    return Float8E4M3FNUZType::get(getContext());
  return Float8E5M2FNUZType::get(getContext());
}

Value FnuzFormatAttr::buildDecode(OpBuilder &b, Location loc, Value code,
                                  FloatType resultType) const {
  // Reinterpret the byte as the builtin FNUZ type and extend: arith knows it.
  ElementwiseBuilder ew(b, loc, code);
  Type i8 = ew.like(b.getIntegerType(8));
  if (code.getType() != i8)
    code = arith::TruncIOp::create(b, loc, i8, code);
  Value f8 = arith::BitcastOp::create(b, loc, ew.like(getBuiltinType()), code);
  return arith::ExtFOp::create(b, loc, ew.like(resultType), f8);
}
