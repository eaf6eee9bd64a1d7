//===- FormatAttrs.cpp - Element and scale formats -------------------------===//
#include "ElementwiseBuilder.h"
#include "qf/IR/Qf.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qf;
using mlir::qf::detail::ElementwiseBuilder;

#include "qf/IR/QfFormatInterface.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

double mlir::qf::getMaxFiniteValue(QuantFormatAttrInterface format) {
  double best = 0;
  for (uint64_t c = 0, e = uint64_t(1) << format.getBitWidth(); c < e; ++c) {
    double v = format.decodeHost(c);
    if (std::isfinite(v))
      best = std::max(best, std::fabs(v));
  }
  return best;
}

int mlir::qf::getMaxExponent(QuantFormatAttrInterface format) {
  double best = 0;
  for (uint64_t c = 0, e = uint64_t(1) << format.getBitWidth(); c < e; ++c)
    if (double v = format.decodeHost(c); std::isfinite(v))
      best = std::max(best, v);
  return std::ilogb(best);
}


/// Brings an integer code to i32 (zero-extending or truncating).


//===----------------------------------------------------------------------===//
// #qf.int
//===----------------------------------------------------------------------===//

LogicalResult IntFormatAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                    unsigned width, bool, unsigned frac) {
  if (width < 2 || width > 8)
    return emitError() << "integer format width must be 2 to 8 bits, got " << width;
  if (frac > 15)
    return emitError() << "integer format fraction bits must be at most 15, got " << frac;
  return success();
}

Attribute IntFormatAttr::parse(AsmParser &parser, Type) {
  int64_t width = 0, frac = 0;
  bool isSigned = true, sawSignedness = false, sawFrac = false;
  if (parser.parseLess())
    return {};
  SMLoc widthLoc = parser.getCurrentLocation();
  if (parser.parseInteger(width))
    return {};
  if (width < 2 || width > 8) {
    parser.emitError(widthLoc, "integer format width must be 2 to 8 bits, got ") << width;
    return {};
  }
  while (succeeded(parser.parseOptionalComma())) {
    StringRef kw;
    SMLoc loc = parser.getCurrentLocation();
    if (parser.parseKeyword(&kw))
      return {};
    if (kw == "signed" || kw == "unsigned") {
      if (sawSignedness) {
        parser.emitError(loc, "signedness given twice");
        return {};
      }
      sawSignedness = true;
      isSigned = kw == "signed";
    } else if (kw == "frac") {
      SMLoc fracLoc;
      if (sawFrac) {
        parser.emitError(loc, "frac given twice");
        return {};
      }
      sawFrac = true;
      if (parser.parseEqual() || (fracLoc = parser.getCurrentLocation(), parser.parseInteger(frac)))
        return {};
      if (frac < 0 || frac > 15) {
        parser.emitError(fracLoc, "integer format fraction bits must be 0 to 15, got ") << frac;
        return {};
      }
    } else {
      parser.emitError(loc, "expected 'signed', 'unsigned' or 'frac', got '") << kw << "'";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(parser.getNameLoc()); },
                    parser.getContext(), unsigned(width), isSigned, unsigned(frac));
}

void IntFormatAttr::print(AsmPrinter &p) const {
  p << "<" << getWidth();
  if (!getSignedness())
    p << ", unsigned";
  if (getFrac())
    p << ", " << (getSignedness() ? "signed, " : "") << "frac = " << getFrac();
  p << ">";
}

unsigned IntFormatAttr::getBitWidth() const { return getWidth(); }
bool IntFormatAttr::isSigned() const { return getSignedness(); }

double IntFormatAttr::decodeHost(uint64_t code) const {
  unsigned w = getWidth();
  int64_t v = static_cast<int64_t>(code & ((uint64_t(1) << w) - 1));
  if (getSignedness() && (v >> (w - 1)))
    v -= int64_t(1) << w;
  return std::ldexp(static_cast<double>(v), -static_cast<int>(getFrac()));
}

bool IntFormatAttr::isEvenCode(uint64_t code) const { return (code & 1) == 0; }
std::optional<uint64_t> IntFormatAttr::getOverflowCode(bool) const { return std::nullopt; }
std::optional<uint64_t> IntFormatAttr::getNaNCode() const { return std::nullopt; }

Type IntFormatAttr::getBuiltinType() const {
  if (getFrac())
    return {};
  return IntegerType::get(getContext(), getWidth(),
                          getSignedness() ? IntegerType::Signed : IntegerType::Unsigned);
}

std::string IntFormatAttr::getShortName() const {
  std::string s = (getSignedness() ? "int" : "uint") + std::to_string(getWidth());
  if (getFrac())
    s += "_f" + std::to_string(getFrac());
  return s;
}

Value IntFormatAttr::buildDecode(OpBuilder &b, Location loc, Value code,
                                 FloatType resultType) const {
  ElementwiseBuilder ew(b, loc, code);
  Value c = ew.toI32(code);
  unsigned w = getWidth();
  c = arith::AndIOp::create(b, loc, c, ew.i32((int64_t(1) << w) - 1));
  Value f;
  if (getSignedness()) {
    Value shift = ew.i32(32 - w);
    c = arith::ShLIOp::create(b, loc, c, shift);
    c = arith::ShRSIOp::create(b, loc, c, shift);
    f = arith::SIToFPOp::create(b, loc, ew.like(b.getF32Type()), c);
  } else {
    f = arith::UIToFPOp::create(b, loc, ew.like(b.getF32Type()), c);
  }
  if (getFrac())
    f = arith::MulFOp::create(b, loc, f, ew.f32(std::ldexp(1.0, -int(getFrac()))));
  return ew.toResult(f, resultType);
}

//===----------------------------------------------------------------------===//
// #qf.float
//===----------------------------------------------------------------------===//

namespace {
struct MinifloatSpec {
  unsigned exp, man, bias;
  bool isSigned;
  bool ieeeSpecials;  ///< all-ones exponent is inf (man 0) / NaN (e5m2)
  bool allOnesIsNaN;  ///< S.1111.111 is NaN (e4m3, ue4m3)
  bool noZero;        ///< e8m0: every code is a power of two, 0xFF NaN
};
} // namespace

static MinifloatSpec getSpec(MinifloatKind k) {
  switch (k) {
  case MinifloatKind::e2m1: return {2, 1, 1, true, false, false, false};
  case MinifloatKind::e2m3: return {2, 3, 1, true, false, false, false};
  case MinifloatKind::e3m2: return {3, 2, 3, true, false, false, false};
  case MinifloatKind::e4m3: return {4, 3, 7, true, false, true, false};
  case MinifloatKind::e5m2: return {5, 2, 15, true, true, false, false};
  case MinifloatKind::e8m0: return {8, 0, 127, false, false, false, true};
  case MinifloatKind::ue4m3: return {4, 3, 7, false, false, true, false};
  }
  llvm_unreachable("unknown minifloat kind");
}

Attribute FloatFormatAttr::parse(AsmParser &parser, Type) {
  StringRef kw;
  if (parser.parseLess())
    return {};
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseKeyword(&kw))
    return {};
  std::optional<MinifloatKind> kind = symbolizeMinifloatKind(kw);
  if (!kind) {
    parser.emitError(loc, "unknown minifloat '")
        << kw << "'; expected e2m1, e2m3, e3m2, e4m3, e5m2, e8m0 or ue4m3";
    return {};
  }
  if (parser.parseGreater())
    return {};
  return get(parser.getContext(), *kind);
}

void FloatFormatAttr::print(AsmPrinter &p) const {
  p << "<" << stringifyMinifloatKind(getKind()) << ">";
}

unsigned FloatFormatAttr::getExponentBits() const { return getSpec(getKind()).exp; }
unsigned FloatFormatAttr::getMantissaBits() const { return getSpec(getKind()).man; }

unsigned FloatFormatAttr::getBitWidth() const {
  MinifloatSpec s = getSpec(getKind());
  // Unsigned formats other than e8m0 keep a (clear) sign bit: 8-bit storage.
  return s.exp + s.man + (s.noZero ? 0 : 1);
}

bool FloatFormatAttr::isSigned() const { return getSpec(getKind()).isSigned; }

double FloatFormatAttr::decodeHost(uint64_t code) const {
  MinifloatSpec s = getSpec(getKind());
  unsigned width = getBitWidth();
  code &= (uint64_t(1) << width) - 1;
  if (s.noZero)
    return code == 0xFF ? NAN : std::ldexp(1.0, int(code) - int(s.bias));
  // Unsigned formats keep a sign bit position that must be clear.
  bool neg = (code >> (s.exp + s.man)) & 1;
  if (neg && !s.isSigned)
    return NAN;
  uint64_t e = (code >> s.man) & ((1u << s.exp) - 1);
  uint64_t m = code & ((1u << s.man) - 1);
  uint64_t eMax = (1u << s.exp) - 1, mMax = (1u << s.man) - 1;
  double v;
  if (s.ieeeSpecials && e == eMax)
    v = m == 0 ? INFINITY : NAN;
  else if (s.allOnesIsNaN && e == eMax && m == mMax)
    v = NAN;
  else if (e == 0)
    v = std::ldexp(double(m), 1 - int(s.bias) - int(s.man));
  else
    v = std::ldexp(double(m + (uint64_t(1) << s.man)), int(e) - int(s.bias) - int(s.man));
  return neg ? -v : v;
}

bool FloatFormatAttr::isEvenCode(uint64_t code) const {
  // The significand includes the implicit bit: with no mantissa bits (e8m0)
  // every normal significand is odd and ties round away.
  if (getSpec(getKind()).man == 0)
    return false;
  return (code & 1) == 0;
}

std::optional<uint64_t> FloatFormatAttr::getOverflowCode(bool negative) const {
  MinifloatSpec s = getSpec(getKind());
  uint64_t sign = negative && s.isSigned ? uint64_t(1) << (s.exp + s.man) : 0;
  if (s.ieeeSpecials)
    return sign | (((uint64_t(1) << s.exp) - 1) << s.man);
  if (s.allOnesIsNaN)
    return sign | *getNaNCode();
  if (s.noZero)
    return getNaNCode();
  return std::nullopt;
}

std::optional<uint64_t> FloatFormatAttr::getNaNCode() const {
  MinifloatSpec s = getSpec(getKind());
  if (s.noZero)
    return 0xFF;
  if (s.ieeeSpecials || s.allOnesIsNaN)
    return (uint64_t(1) << (s.exp + s.man)) - 1;
  return std::nullopt;
}

Type FloatFormatAttr::getBuiltinType() const {
  MLIRContext *ctx = getContext();
  switch (getKind()) {
  case MinifloatKind::e2m1: return Float4E2M1FNType::get(ctx);
  case MinifloatKind::e2m3: return Float6E2M3FNType::get(ctx);
  case MinifloatKind::e3m2: return Float6E3M2FNType::get(ctx);
  case MinifloatKind::e4m3: return Float8E4M3FNType::get(ctx);
  case MinifloatKind::e5m2: return Float8E5M2Type::get(ctx);
  case MinifloatKind::e8m0: return Float8E8M0FNUType::get(ctx);
  case MinifloatKind::ue4m3: return {};
  }
  llvm_unreachable("unknown minifloat kind");
}

std::string FloatFormatAttr::getShortName() const {
  return stringifyMinifloatKind(getKind()).str();
}

/// The value of a minifloat code from its fields, specials included (sign
/// not applied).
static Value assembleMinifloat(OpBuilder &b, Location loc, const ElementwiseBuilder &ew,
                               const MinifloatSpec &s, Value c) {
  Value nanF = ew.f32(NAN);
  Value e = arith::ShRUIOp::create(b, loc, c, ew.i32(s.man));
  e = arith::AndIOp::create(b, loc, e, ew.i32((1 << s.exp) - 1));
  Value m = arith::AndIOp::create(b, loc, c, ew.i32((1 << s.man) - 1));
  Value zero = ew.i32(0);
  Value isSub = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, e, zero);
  // significand = m (+ 2^man if normal); exponent = max(e, 1) - bias - man.
  Value implicit = arith::SelectOp::create(b, loc, isSub, zero, ew.i32(1 << s.man));
  Value sig = arith::OrIOp::create(b, loc, m, implicit);
  Value eEff = arith::MaxUIOp::create(b, loc, e, ew.i32(1));
  // 2^(eEff - bias - man) as f32 bits: (eEff - bias - man + 127) << 23.
  Value biased = arith::AddIOp::create(b, loc, eEff, ew.i32(127 - int(s.bias) - int(s.man)));
  Value pow2 = arith::BitcastOp::create(b, loc, ew.like(b.getF32Type()),
      arith::ShLIOp::create(b, loc, biased, ew.i32(23)));
  Value f = arith::MulFOp::create(b, loc, arith::UIToFPOp::create(b, loc, ew.like(b.getF32Type()), sig), pow2);
  Value eAllOnes = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, e, ew.i32((1 << s.exp) - 1));
  if (s.ieeeSpecials) {
    Value mZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, m, zero);
    Value special = arith::SelectOp::create(b, loc, mZero, ew.f32(INFINITY), nanF);
    f = arith::SelectOp::create(b, loc, eAllOnes, special, f);
  } else if (s.allOnesIsNaN) {
    Value mAllOnes = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, m, ew.i32((1 << s.man) - 1));
    Value isNaN = arith::AndIOp::create(b, loc, eAllOnes, mAllOnes);
    f = arith::SelectOp::create(b, loc, isNaN, nanF, f);
  }
  return f;
}

Value FloatFormatAttr::buildDecode(OpBuilder &b, Location loc, Value code,
                                   FloatType resultType) const {
  ElementwiseBuilder ew(b, loc, code);
  MinifloatSpec s = getSpec(getKind());
  Value c = ew.toI32(code);
  c = arith::AndIOp::create(b, loc, c, ew.i32((int64_t(1) << getBitWidth()) - 1));
  Value nanF = ew.f32(NAN);
  if (s.noZero) {
    // 2^(c-127) as f32 bits; code 0 (2^-127) is an f32 subnormal.
    Value bits = arith::ShLIOp::create(b, loc, c, ew.i32(23));
    Value isZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, c, ew.i32(0));
    bits = arith::SelectOp::create(b, loc, isZero, ew.i32(0x00400000), bits);
    Value f = arith::BitcastOp::create(b, loc, ew.like(b.getF32Type()), bits);
    Value isNaN = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, c, ew.i32(0xFF));
    f = arith::SelectOp::create(b, loc, isNaN, nanF, f);
    return ew.toResult(f, resultType);
  }
  Value zero = ew.i32(0);
  Value f;
  if (s.exp < 5 && !s.ieeeSpecials) {
    // The exponent and mantissa bits placed in an f16 are its value times
    // 2^(bias - 15), subnormals included: one conversion and one exact
    // multiply instead of assembling the value.
    bool unsignedNaNs = s.allOnesIsNaN && !s.isSigned;
    int64_t magMask = (int64_t(1) << (s.exp + s.man)) - 1;
    // Unsigned formats with NaNs: codes with the sign bit set are NaN too;
    // they decode as the first of them, above the all-ones NaN code.
    Value mag = unsignedNaNs ? arith::MinUIOp::create(b, loc, c, ew.i32(magMask + 1)).getResult()
                             : arith::AndIOp::create(b, loc, c, ew.i32(magMask)).getResult();
    Value bits = arith::ShLIOp::create(b, loc, mag, ew.i32(10 - s.man));
    Value half = arith::BitcastOp::create(b, loc, ew.like(b.getF16Type()),
                                          arith::TruncIOp::create(b, loc, ew.like(b.getI16Type()), bits));
    f = arith::MulFOp::create(b, loc, arith::ExtFOp::create(b, loc, ew.like(b.getF32Type()), half),
                              ew.f32(std::ldexp(1.0, 15 - int(s.bias))));
    if (s.allOnesIsNaN) {
      // NaN codes are those that decode to the all-ones magnitude or above:
      // one compare of the f32 lanes' bits (positive floats order as their
      // bits do), where a compare of the codes takes a widening of its mask.
      float allOnes = std::ldexp(float((2 << s.man) - 1), (1 << s.exp) - 1 - int(s.bias) - int(s.man));
      Value fBits = arith::BitcastOp::create(b, loc, ew.like(b.getI32Type()), f);
      Value isNaN = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, fBits,
                                          ew.i32(llvm::bit_cast<int32_t>(allOnes)));
      f = arith::SelectOp::create(b, loc, isNaN, nanF, f);
    }
    if (unsignedNaNs)
      return ew.toResult(f, resultType);
  } else {
    f = assembleMinifloat(b, loc, ew, s, c);
  }
  Value signBit = arith::AndIOp::create(b, loc, c, ew.i32(1 << (s.exp + s.man)));
  Value hasSign = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, signBit, zero);
  Value neg = s.isSigned ? arith::NegFOp::create(b, loc, f).getResult() : nanF;
  f = arith::SelectOp::create(b, loc, hasSign, neg, f);
  return ew.toResult(f, resultType);
}


//===----------------------------------------------------------------------===//
// #qf.lut
//===----------------------------------------------------------------------===//

namespace {
struct NamedTable {
  StringRef name;
  ArrayRef<double> values;
};
} // namespace

// QLoRA NormalFloat4 (bitsandbytes' table, as float32 values).
static const double kNf4[] = {
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
    0.07958029955625534, 0.16093020141124725, 0.24611230194568634,
    0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0};
// ggml IQ4_NL (kvalues_iq4nl).
static const double kIq4Nl[] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                1,    13,   25,  38,  53,  69,  89,  113};

static ArrayRef<NamedTable> getNamedTables() {
  static const NamedTable tables[] = {{"nf4", kNf4}, {"iq4_nl", kIq4Nl}};
  return tables;
}

LogicalResult LutFormatAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                    DenseF64ArrayAttr table) {
  ArrayRef<double> values = table.asArrayRef();
  size_t n = values.size();
  if (n < 2 || n > 256 || (n & (n - 1)))
    return emitError() << "lookup table must have a power-of-two number of entries "
                          "from 2 to 256, got " << n;
  for (double v : values)
    if (!std::isfinite(v))
      return emitError() << "lookup table entries must be finite";
  return success();
}

Attribute LutFormatAttr::parse(AsmParser &parser, Type) {
  if (parser.parseLess())
    return {};
  SmallVector<double> values;
  StringRef name;
  SMLoc loc = parser.getCurrentLocation();
  if (succeeded(parser.parseOptionalKeyword(&name))) {
    for (const NamedTable &t : getNamedTables())
      if (t.name == name)
        values.assign(t.values.begin(), t.values.end());
    if (values.empty()) {
      parser.emitError(loc, "unknown lookup table '") << name << "'; expected nf4, iq4_nl or [values]";
      return {};
    }
  } else if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
               double v;
               if (parser.parseFloat(v))
                 return failure();
               values.push_back(v);
               return success();
             })) {
    return {};
  }
  if (parser.parseGreater())
    return {};
  MLIRContext *ctx = parser.getContext();
  return getChecked([&] { return parser.emitError(loc); }, ctx,
                    DenseF64ArrayAttr::get(ctx, values));
}

static StringRef getTableName(ArrayRef<double> values) {
  for (const NamedTable &t : getNamedTables())
    if (t.values == values)
      return t.name;
  return {};
}

void LutFormatAttr::print(AsmPrinter &p) const {
  StringRef name = getTableName(getValues());
  if (!name.empty()) {
    p << "<" << name << ">";
    return;
  }
  p << "<[";
  llvm::interleaveComma(getValues(), p, [&](double v) { p << llvm::formatv("{0:e16}", v).str(); });
  p << "]>";
}

unsigned LutFormatAttr::getBitWidth() const { return llvm::Log2_64(getValues().size()); }
bool LutFormatAttr::isSigned() const {
  return llvm::any_of(getValues(), [](double v) { return v < 0; });
}
double LutFormatAttr::decodeHost(uint64_t code) const {
  return getValues()[code & (getValues().size() - 1)];
}
bool LutFormatAttr::isEvenCode(uint64_t code) const { return (code & 1) == 0; }
std::optional<uint64_t> LutFormatAttr::getOverflowCode(bool) const { return std::nullopt; }
std::optional<uint64_t> LutFormatAttr::getNaNCode() const { return std::nullopt; }
Type LutFormatAttr::getBuiltinType() const { return {}; }
std::string LutFormatAttr::getShortName() const {
  StringRef name = getTableName(getValues());
  return name.empty() ? "lut" + std::to_string(getBitWidth()) : name.str();
}

Value LutFormatAttr::buildDecode(OpBuilder &b, Location loc, Value code,
                                 FloatType resultType) const {
  ElementwiseBuilder ew(b, loc, code);
  // A binary tree of selects on the code bits, lowest bit first.
  Value c = ew.toI32(code);
  SmallVector<Value> level;
  for (double v : getValues())
    level.push_back(ew.f32(v));
  Value zero = ew.i32(0);
  for (unsigned bit = 0; level.size() > 1; ++bit) {
    Value set = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
        arith::AndIOp::create(b, loc, c, ew.i32(1 << bit)), zero);
    SmallVector<Value> next;
    for (size_t i = 0; i < level.size(); i += 2)
      next.push_back(arith::SelectOp::create(b, loc, set, level[i + 1], level[i]));
    level = std::move(next);
  }
  return ew.toResult(level.front(), resultType);
}

//===----------------------------------------------------------------------===//
// #qf.ternary
//===----------------------------------------------------------------------===//

Attribute TernaryFormatAttr::parse(AsmParser &parser, Type) {
  if (succeeded(parser.parseOptionalLess()) && parser.parseGreater())
    return {};
  return get(parser.getContext());
}
void TernaryFormatAttr::print(AsmPrinter &) const {}
unsigned TernaryFormatAttr::getBitWidth() const { return 2; }
bool TernaryFormatAttr::isSigned() const { return true; }
double TernaryFormatAttr::decodeHost(uint64_t code) const {
  code &= 3;
  return code == 3 ? NAN : double(code) - 1.0;
}
// Ties go to the even value: 0, whose code (value + 1) is odd.
bool TernaryFormatAttr::isEvenCode(uint64_t code) const { return (code & 1) == 1; }
std::optional<uint64_t> TernaryFormatAttr::getOverflowCode(bool) const { return std::nullopt; }
std::optional<uint64_t> TernaryFormatAttr::getNaNCode() const { return std::nullopt; }
Type TernaryFormatAttr::getBuiltinType() const { return {}; }
std::string TernaryFormatAttr::getShortName() const { return "ternary"; }
Value TernaryFormatAttr::buildDecode(OpBuilder &b, Location loc, Value code,
                                     FloatType resultType) const {
  ElementwiseBuilder ew(b, loc, code);
  Value c = arith::AndIOp::create(b, loc, ew.toI32(code), ew.i32(3));
  Value f = arith::UIToFPOp::create(b, loc, ew.like(b.getF32Type()), c);
  f = arith::SubFOp::create(b, loc, f, ew.f32(1.0));
  return ew.toResult(f, resultType);
}

//===----------------------------------------------------------------------===//
// #qf.blob
//===----------------------------------------------------------------------===//

LogicalResult ExternalBlobAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                       StringRef path, int64_t offset, int64_t size) {
  if (path.empty())
    return emitError() << "blob path must not be empty";
  if (offset < 0)
    return emitError() << "blob offset must be non-negative, got " << offset;
  if (size <= 0)
    return emitError() << "blob size must be positive, got " << size;
  return success();
}
