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
  // Integer arithmetic on the fields (LLVM has no FNUZ types to convert from):
  // significand (m + 2^man if normal) times 2^(max(e, 1) - bias - man).
  ElementwiseBuilder ew(b, loc, code);
  unsigned e = getExponentBits(), m = mantissaBits(e);
  Value c = arith::AndIOp::create(b, loc, ew.toI32(code), ew.i32(0xFF));
  Value exp = arith::AndIOp::create(b, loc, arith::ShRUIOp::create(b, loc, c, ew.i32(m)),
                                    ew.i32((1 << e) - 1));
  Value man = arith::AndIOp::create(b, loc, c, ew.i32((1 << m) - 1));
  Value isSub = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, exp, ew.i32(0));
  Value sig = arith::OrIOp::create(
      b, loc, man, arith::SelectOp::create(b, loc, isSub, ew.i32(0), ew.i32(1 << m)));
  Value biased = arith::AddIOp::create(b, loc, arith::MaxUIOp::create(b, loc, exp, ew.i32(1)),
                                       ew.i32(127 - bias(e) - int(m)));
  Value pow2 = arith::BitcastOp::create(b, loc, ew.like(b.getF32Type()),
                                        arith::ShLIOp::create(b, loc, biased, ew.i32(23)));
  Value f = arith::MulFOp::create(
      b, loc, arith::UIToFPOp::create(b, loc, ew.like(b.getF32Type()), sig), pow2);
  Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, c, ew.i32(0x80));
  f = arith::SelectOp::create(b, loc, negative, arith::NegFOp::create(b, loc, f), f);
  Value isNaN = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, c, ew.i32(0x80));
  f = arith::SelectOp::create(b, loc, isNaN, ew.f32(NAN), f);
  return ew.toResult(f, resultType);
}
