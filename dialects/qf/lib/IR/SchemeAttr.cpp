//===- SchemeAttr.cpp - #qf.scheme parsing, printing, verification --------===//
#include "qf/IR/Layout.h"
#include "qf/IR/Presets.h"
#include "qf/IR/Qf.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::qf;

// Implemented in QuantInterop.cpp.
namespace mlir::qf {
SchemeAttr convertQuantType(quant::QuantizedType type,
                            function_ref<InFlightDiagnostic()> emitError);
}

namespace {
/// Builder-style defaults for a scheme's parameters.
struct SchemeFields {
  QuantFormatAttrInterface element;
  Granularity granularity = Granularity::tensor;
  int64_t axis = -1;
  SmallVector<int64_t> blockShape;
  Attribute scale;
  OffsetKind offset = OffsetKind::none;
  Attribute offsetFormat;
  int64_t superBlock = 0;
  Type superScaleType;
  Type tensorScaleType;
  RoundingMode rounding = RoundingMode::nearest_even;
  bool saturate = true;
  LayoutKind layout = LayoutKind::planar;
};
} // namespace

static Attribute parseScaleLike(AsmParser &parser) {
  StringRef kw;
  if (succeeded(parser.parseOptionalKeyword(&kw, {"e8m0", "ue4m3"})))
    return FloatFormatAttr::get(parser.getContext(), *symbolizeMinifloatKind(kw));
  Attribute attr;
  if (parser.parseAttribute(attr))
    return {};
  return attr;
}

/// A layout keyword (planar, ggml, tiled); an error at it otherwise.
static FailureOr<LayoutKind> parseLayoutKind(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef kw;
  if (parser.parseKeyword(&kw))
    return failure();
  std::optional<LayoutKind> layout = symbolizeLayoutKind(kw);
  if (!layout)
    return parser.emitError(loc, "unknown layout '") << kw << "'; expected planar, ggml or tiled";
  return *layout;
}

Attribute SchemeAttr::parse(AsmParser &parser, Type) {
  MLIRContext *ctx = parser.getContext();
  SMLoc start = parser.getCurrentLocation();
  if (parser.parseLess())
    return {};

  // A preset name, or the first key of the full form.
  StringRef firstKey;
  bool firstHasEqual = false;
  if (succeeded(parser.parseOptionalKeyword(&firstKey))) {
    firstHasEqual = succeeded(parser.parseOptionalEqual());
    bool isKey = llvm::is_contained(
        {"element", "group", "axis", "per_axis", "block", "scale", "zero_point", "min",
         "super_block", "super_scale", "tensor_scale", "rounding", "saturate", "layout"},
        firstKey);
    if (!firstHasEqual && isKey) {
      parser.emitError(parser.getCurrentLocation(), "expected '=' after scheme key '")
          << firstKey << "'";
      return {};
    }
    if (!firstHasEqual && firstKey != "tensor") {
      SchemeAttr preset = getPreset(ctx, firstKey);
      if (!preset) {
        parser.emitError(start, "unknown scheme preset '") << firstKey << "'";
        return {};
      }
      // `preset, layout = L`: the preset stored in another layout.
      if (succeeded(parser.parseOptionalComma())) {
        if (parser.parseKeyword("layout") || parser.parseEqual())
          return {};
        FailureOr<LayoutKind> layout = parseLayoutKind(parser);
        if (failed(layout) || parser.parseGreater())
          return {};
        SchemeAttr s = preset.withLayout(*layout);
        return getChecked([&] { return parser.emitError(start); }, ctx, s.getElement(), s.getGranularity(),
                          s.getAxis(), s.getBlockShape(), s.getScale(), s.getOffset(), s.getOffsetFormat(),
                          s.getSuperBlock(), s.getSuperScaleType(), s.getTensorScaleType(), s.getRounding(),
                          s.getSaturate(), s.getLayout());
      }
      if (parser.parseGreater())
        return {};
      return preset;
    }
  } else {
    // !quant.uniform interop.
    Type quantType;
    OptionalParseResult typeResult = parser.parseOptionalType(quantType);
    if (typeResult.has_value()) {
      if (failed(*typeResult) || parser.parseGreater())
        return {};
      auto qt = dyn_cast<quant::QuantizedType>(quantType);
      if (!qt) {
        parser.emitError(start, "expected a !quant quantized type, got ") << quantType;
        return {};
      }
      return convertQuantType(qt, [&] { return parser.emitError(start); });
    }
  }

  SchemeFields f;
  llvm::StringSet<> seen;
  StringRef granularityKey, offsetKey;
  bool first = true;
  do {
    StringRef key;
    SMLoc keyLoc = parser.getCurrentLocation();
    if (first && !firstKey.empty()) {
      key = firstKey;
    } else if (parser.parseKeyword(&key)) {
      return {};
    }
    auto failAt = [&](SMLoc loc, const Twine &msg) -> Attribute {
      parser.emitError(loc, msg);
      return {};
    };
    if (!seen.insert(key).second)
      return failAt(keyLoc, "duplicate scheme key '" + key + "'");
    bool isGranularity = llvm::is_contained({"tensor", "group", "per_axis", "block"}, key);
    if (isGranularity) {
      if (!granularityKey.empty())
        return failAt(keyLoc, "conflicting granularity keys '" + granularityKey + "' and '" +
                                  key + "'");
      granularityKey = key;
    }
    if (key == "zero_point" || key == "min") {
      if (!offsetKey.empty())
        return failAt(keyLoc, "a scheme has one offset; got '" + offsetKey + "' and '" + key + "'");
      offsetKey = key;
    }
    bool hasEqual = first && !firstKey.empty() ? firstHasEqual : false;
    first = false;
    if (key == "tensor") {
      if (hasEqual)
        return failAt(keyLoc, "'tensor' takes no value");
      f.granularity = Granularity::tensor;
      continue;
    }
    if (!hasEqual && parser.parseEqual())
      return {};
    SMLoc valueLoc = parser.getCurrentLocation();
    auto fail = [&](const Twine &msg) { return failAt(valueLoc, msg); };
    if (key == "element") {
      Attribute a;
      if (parser.parseAttribute(a))
        return {};
      f.element = dyn_cast<QuantFormatAttrInterface>(a);
      if (!f.element)
        return fail("element must be a format attribute (#qf.int, #qf.float, #qf.lut, "
                    "#qf.ternary, ...)");
    } else if (key == "group") {
      f.granularity = Granularity::group;
      f.blockShape.resize(1);
      if (parser.parseInteger(f.blockShape[0]))
        return {};
    } else if (key == "axis") {
      if (parser.parseInteger(f.axis))
        return {};
    } else if (key == "per_axis") {
      f.granularity = Granularity::per_axis;
      if (parser.parseInteger(f.axis))
        return {};
    } else if (key == "block") {
      f.granularity = Granularity::block;
      if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
            return parser.parseInteger(f.blockShape.emplace_back());
          }))
        return {};
    } else if (key == "scale") {
      if (!(f.scale = parseScaleLike(parser)))
        return {};
    } else if (key == "zero_point" || key == "min") {
      f.offset = key == "min" ? OffsetKind::min : OffsetKind::zero_point;
      if (!(f.offsetFormat = parseScaleLike(parser)))
        return {};
    } else if (key == "super_block") {
      if (parser.parseInteger(f.superBlock))
        return {};
      if (f.superBlock <= 0)
        return fail("super_block must be positive, got " + Twine(f.superBlock));
    } else if (key == "super_scale" || key == "tensor_scale") {
      Type t;
      if (parser.parseType(t))
        return {};
      (key == "super_scale" ? f.superScaleType : f.tensorScaleType) = t;
    } else if (key == "rounding") {
      StringRef kw;
      if (parser.parseKeyword(&kw))
        return {};
      auto r = symbolizeRoundingMode(kw);
      if (!r)
        return fail("unknown rounding '" + kw +
                    "'; expected nearest_even, nearest_away, nearest_up, "
                    "nearest_lowest_code or toward_zero");
      f.rounding = *r;
    } else if (key == "saturate") {
      StringRef kw;
      if (parser.parseKeyword(&kw))
        return {};
      if (kw != "true" && kw != "false")
        return fail("saturate must be true or false");
      f.saturate = kw == "true";
    } else if (key == "layout") {
      FailureOr<LayoutKind> layout = parseLayoutKind(parser);
      if (failed(layout))
        return {};
      f.layout = *layout;
    } else {
      return failAt(keyLoc, "unknown scheme key '" + key + "'");
    }
  } while (succeeded(parser.parseOptionalComma()));
  if (parser.parseGreater())
    return {};
  if (!f.element) {
    parser.emitError(start, "scheme needs an element format (element = ...)");
    return {};
  }
  if (seen.contains("axis") && f.granularity != Granularity::group) {
    parser.emitError(start, "'axis' applies only to group granularity");
    return {};
  }
  if (!f.scale)
    f.scale = TypeAttr::get(Float32Type::get(ctx));
  return getChecked([&] { return parser.emitError(start); }, ctx, f.element, f.granularity,
                    f.axis, ArrayRef<int64_t>(f.blockShape), f.scale, f.offset,
                    f.offsetFormat, f.superBlock, f.superScaleType, f.tensorScaleType,
                    f.rounding, f.saturate, f.layout);
}

static void printScaleLike(AsmPrinter &p, Attribute a) {
  if (auto t = dyn_cast<TypeAttr>(a))
    p << t.getValue();
  else
    p.printAttribute(a);
}

void SchemeAttr::print(AsmPrinter &p) const {
  StringRef preset = getPresetName();
  if (!preset.empty()) {
    p << "<" << preset << ">";
    return;
  }
  // A preset in tiles.
  if (getLayout() == LayoutKind::tiled)
    for (LayoutKind layout : {LayoutKind::planar, LayoutKind::ggml})
      if (StringRef base = withLayout(layout).getPresetName(); !base.empty()) {
        p << "<" << base << ", layout = " << stringifyLayoutKind(getLayout()) << ">";
        return;
      }
  p << "<element = ";
  p.printAttribute(getElement());
  switch (getGranularity()) {
  case Granularity::tensor:
    break;
  case Granularity::per_axis:
    p << ", per_axis = " << getAxis();
    break;
  case Granularity::group:
    p << ", group = " << getBlockShape()[0];
    if (getAxis() != -1)
      p << ", axis = " << getAxis();
    break;
  case Granularity::block:
    p << ", block = [";
    llvm::interleaveComma(getBlockShape(), p);
    p << "]";
    break;
  }
  p << ", scale = ";
  printScaleLike(p, getScale());
  if (getOffset() != OffsetKind::none) {
    p << ", " << stringifyOffsetKind(getOffset()) << " = ";
    printScaleLike(p, getOffsetFormat());
  }
  if (getSuperBlock())
    p << ", super_block = " << getSuperBlock() << ", super_scale = " << getSuperScaleType();
  if (getTensorScaleType())
    p << ", tensor_scale = " << getTensorScaleType();
  if (getRounding() != RoundingMode::nearest_even)
    p << ", rounding = " << stringifyRoundingMode(getRounding());
  if (!getSaturate())
    p << ", saturate = false";
  if (getLayout() != LayoutKind::planar)
    p << ", layout = " << stringifyLayoutKind(getLayout());
  p << ">";
}

static bool isFloatScaleType(Type t) {
  return t && (t.isF32() || t.isF16() || t.isBF16());
}

LogicalResult SchemeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 QuantFormatAttrInterface element,
                                 Granularity granularity, int64_t axis,
                                 ArrayRef<int64_t> blockShape, Attribute scale,
                                 OffsetKind offset, Attribute offsetFormat,
                                 int64_t superBlock, Type superScaleType,
                                 Type tensorScaleType, RoundingMode rounding,
                                 bool saturate, LayoutKind layout) {
  if (!element)
    return emitError() << "scheme needs an element format";
  if (auto fl = dyn_cast<FloatFormatAttr>(element);
      fl && (fl.getKind() == MinifloatKind::e8m0 || fl.getKind() == MinifloatKind::ue4m3))
    return emitError() << "'" << fl.getShortName()
                       << "' is a scale format and cannot be an element format";

  switch (granularity) {
  case Granularity::tensor:
    break;
  case Granularity::per_axis:
    if (axis < 0)
      return emitError() << "per_axis needs a non-negative axis, got " << axis;
    break;
  case Granularity::group:
    if (blockShape.size() != 1 || blockShape[0] <= 0)
      return emitError() << "group size must be positive";
    if (axis < -1)
      return emitError() << "group axis must be -1 (last) or non-negative, got " << axis;
    break;
  case Granularity::block:
    if (blockShape.size() != 2 || blockShape[0] <= 0 || blockShape[1] <= 0)
      return emitError() << "block granularity needs two positive sizes [rows, columns]";
    break;
  }

  // Scale.
  auto scaleFormat = dyn_cast_or_null<QuantFormatAttrInterface>(scale);
  auto scaleType = dyn_cast_or_null<TypeAttr>(scale);
  if (!scaleFormat && !(scaleType && isFloatScaleType(scaleType.getValue())))
    return emitError() << "scale must be f32, f16, bf16 or a format attribute";
  if (scaleFormat && scaleFormat.isSigned())
    return emitError() << "scale format '" << scaleFormat.getShortName()
                       << "' is signed; scales are positive and need an unsigned format";
  bool intScale = isa_and_nonnull<IntFormatAttr>(scaleFormat);
  if (scaleFormat && !intScale && !isa<FloatFormatAttr>(scaleFormat))
    return emitError() << "scale format must be an integer or minifloat format";
  if (intScale && !superBlock)
    return emitError() << "an integer scale format cannot represent a scale on its own: "
                          "it needs a second-level scale (super_block and super_scale)";
  auto fl = dyn_cast_or_null<FloatFormatAttr>(scaleFormat);
  bool pow2Scale = fl && fl.getKind() == MinifloatKind::e8m0;

  // Offset.
  bool intElement = isa<IntFormatAttr>(element);
  if (offset != OffsetKind::none) {
    if (!offsetFormat)
      return emitError() << "an offset needs a format";
    if (!intElement)
      return emitError() << "a " << stringifyOffsetKind(offset)
                         << " offset needs an integer element format, got '"
                         << element.getShortName() << "'";
    if (pow2Scale)
      return emitError() << "a power-of-two (e8m0) scale cannot be combined with an offset";
  }
  if (offset == OffsetKind::zero_point && !isa<IntFormatAttr>(offsetFormat))
    return emitError() << "zero point format must be an integer format (#qf.int)";
  if (offset == OffsetKind::min) {
    auto t = dyn_cast<TypeAttr>(offsetFormat);
    bool intMin = isa<IntFormatAttr>(offsetFormat);
    if (!intMin && !(t && isFloatScaleType(t.getValue())))
      return emitError() << "min must be f32, f16, bf16 or an integer format";
    if (intMin && !superBlock)
      return emitError() << "an integer min format needs a second-level scale (super_block)";
    if (intMin && cast<IntFormatAttr>(offsetFormat).getSignedness())
      return emitError() << "an integer min format must be unsigned (its sign comes from the super scale)";
  }
  if (offset == OffsetKind::none && offsetFormat)
    return emitError() << "offset format given without an offset kind";
  if (intElement && !element.isSigned() && offset == OffsetKind::none)
    return emitError() << "unsigned element format '" << element.getShortName()
                       << "' needs a zero_point or min to represent negative values";

  // Second level.
  if (superBlock < 0)
    return emitError() << "super_block must be positive, got " << superBlock;
  if (superBlock) {
    if (granularity != Granularity::group)
      return emitError() << "super_block needs group granularity";
    if (superBlock % blockShape[0])
      return emitError() << "super_block " << superBlock
                         << " is not a multiple of the group size " << blockShape[0];
    if (!isFloatScaleType(superScaleType))
      return emitError() << "super_block needs super_scale = f32, f16 or bf16";
  } else if (superScaleType) {
    return emitError() << "super_scale given without super_block";
  }
  if (tensorScaleType && !isFloatScaleType(tensorScaleType))
    return emitError() << "tensor_scale must be f32, f16 or bf16";
  if (tensorScaleType && superBlock)
    return emitError() << "tensor_scale and super_block are both second-level scales; "
                          "a scheme has one";
  if (tensorScaleType && granularity == Granularity::tensor)
    return emitError() << "tensor_scale is redundant with per-tensor granularity";
  if (pow2Scale && (tensorScaleType || superBlock))
    return emitError() << "a power-of-two (e8m0) scale takes no second-level scale";
  if (layout == LayoutKind::ggml) {
    // A ggml layout is exactly one GGUF block type, quantized with ggml's
    // reference algorithm and therefore its rounding.
    MLIRContext *ctx = element.getContext();
    for (StringRef name : {"q4_0", "q4_1", "q8_0", "q4_k", "iq4_nl", "mxfp4_ggml"}) {
      SchemeAttr preset = getPreset(ctx, name);
      SchemeAttr candidate = SchemeAttr::get(
          ctx, element, granularity, axis, blockShape, scale, offset, offsetFormat,
          superBlock, superScaleType, tensorScaleType, preset.getRounding(), saturate, layout);
      if (candidate != preset)
        continue;
      if (rounding != preset.getRounding())
        return emitError() << "layout = ggml (" << name << ") quantizes with ggml's rounding, "
                           << "rounding = " << stringifyRoundingMode(preset.getRounding());
      return success();
    }
    return emitError() << "layout = ggml needs a scheme that is a GGUF block type "
                          "(q4_0, q4_1, q8_0, q4_k, iq4_nl, mxfp4_ggml)";
  }
  if (layout == LayoutKind::tiled && granularity != Granularity::group)
    return emitError() << "layout = tiled needs group granularity (tiles hold whole groups along K)";
  return success();
}

SchemeAttr SchemeAttr::withLayout(LayoutKind layout) const {
  return SchemeAttr::get(getContext(), getElement(), getGranularity(), getAxis(), getBlockShape(), getScale(),
                         getOffset(), getOffsetFormat(), getSuperBlock(), getSuperScaleType(),
                         getTensorScaleType(), getRounding(), getSaturate(), layout);
}

int64_t SchemeAttr::getGroupSize() const {
  return getGranularity() == Granularity::group ? getBlockShape()[0] : 0;
}

unsigned SchemeAttr::getScaleBits() const {
  if (auto t = dyn_cast<TypeAttr>(getScale()))
    return t.getValue().getIntOrFloatBitWidth();
  return cast<QuantFormatAttrInterface>(getScale()).getBitWidth();
}

bool SchemeAttr::hasSharedExponentScale() const {
  auto f = dyn_cast<FloatFormatAttr>(getScale());
  return f && f.getKind() == MinifloatKind::e8m0;
}

StringRef SchemeAttr::getPresetName() const {
  return getContext()->getOrLoadDialect<QfDialect>()->lookupPresetName(*this);
}

SchemeAttr mlir::qf::parseSchemeString(MLIRContext *ctx, StringRef text,
                                       function_ref<InFlightDiagnostic()> emitError) {
  text = text.trim();
  if (SchemeAttr preset = getPreset(ctx, text))
    return preset;
  std::string source = text.starts_with("#qf.scheme<") ? text.str()
                                                        : "#qf.scheme<" + text.str() + ">";
  ctx->getOrLoadDialect<QfDialect>();
  Attribute attr = mlir::parseAttribute(source, ctx);
  auto scheme = dyn_cast_or_null<SchemeAttr>(attr);
  if (!scheme && attr)
    emitError() << "'" << text << "' is not a scheme";
  return scheme;
}

double SchemeAttr::decodeScale(uint64_t code) const {
  if (auto t = dyn_cast<TypeAttr>(getScale())) {
    auto ft = cast<FloatType>(t.getValue());
    return APFloat(ft.getFloatSemantics(), APInt(ft.getWidth(), code)).convertToDouble();
  }
  return cast<QuantFormatAttrInterface>(getScale()).decodeHost(code);
}
