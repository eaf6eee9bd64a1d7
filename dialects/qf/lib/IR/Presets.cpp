//===- Presets.cpp - Named quantization schemes ----------------------------===//
#include "qf/IR/Presets.h"

#include "mlir/AsmParser/AsmParser.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Mutex.h"

using namespace mlir;
using namespace mlir::qf;

static const StringRef kPresetNames[] = {
    "mxfp4",      "mxfp6_e2m3", "mxfp6_e3m2", "mxfp8_e4m3", "mxfp8_e5m2",
    "mxint8",     "nvfp4",      "int2_g32",   "int2_g64",   "int2_g128",
    "int3_g32",   "int3_g64",   "int3_g128",  "int4_g32",   "int4_g64",
    "int4_g128",  "int8_g32",   "int8_g64",   "int8_g128",  "int2_g32_asym",
    "int2_g64_asym", "int2_g128_asym", "int3_g32_asym", "int3_g64_asym",
    "int3_g128_asym", "int4_g32_asym", "int4_g64_asym", "int4_g128_asym",
    "int8_g32_asym", "int8_g64_asym", "int8_g128_asym", "nf4_g64",
    "fp8_e4m3",   "fp8_e5m2",   "q4_0",       "q4_1",       "q8_0",
    "q4_k",       "iq4_nl",     "mxfp4_ggml"};

ArrayRef<StringRef> mlir::qf::getPresetNames() { return kPresetNames; }

static SchemeAttr buildPreset(MLIRContext *ctx, StringRef name) {
  Builder b(ctx);
  auto f16 = TypeAttr::get(b.getF16Type());
  auto f32 = TypeAttr::get(b.getF32Type());
  auto e8m0 = FloatFormatAttr::get(ctx, MinifloatKind::e8m0);
  auto fmt = [&](MinifloatKind k) {
    return cast<QuantFormatAttrInterface>(FloatFormatAttr::get(ctx, k));
  };
  auto sint = [&](unsigned w, unsigned frac = 0) {
    return cast<QuantFormatAttrInterface>(IntFormatAttr::get(ctx, w, true, frac));
  };
  auto uint = [&](unsigned w) { return IntFormatAttr::get(ctx, w, false, 0); };
  auto make = [&](QuantFormatAttrInterface elem, Granularity g, int64_t axis,
                  ArrayRef<int64_t> block, Attribute scale,
                  OffsetKind off = OffsetKind::none, Attribute offFmt = {},
                  int64_t superBlock = 0, Type superTy = {}, Type tensorTy = {},
                  RoundingMode r = RoundingMode::nearest_even,
                  LayoutKind layout = LayoutKind::planar) {
    return SchemeAttr::get(ctx, elem, g, axis, block, scale, off, offFmt,
                           superBlock, superTy, tensorTy, r, true, layout);
  };
  auto mx = [&](QuantFormatAttrInterface elem) {
    return make(elem, Granularity::group, -1, {32}, e8m0);
  };

  if (name == "mxfp4") return mx(fmt(MinifloatKind::e2m1));
  if (name == "mxfp6_e2m3") return mx(fmt(MinifloatKind::e2m3));
  if (name == "mxfp6_e3m2") return mx(fmt(MinifloatKind::e3m2));
  if (name == "mxfp8_e4m3") return mx(fmt(MinifloatKind::e4m3));
  if (name == "mxfp8_e5m2") return mx(fmt(MinifloatKind::e5m2));
  if (name == "mxint8") return mx(sint(8, 6));
  if (name == "nvfp4")
    return make(fmt(MinifloatKind::e2m1), Granularity::group, -1, {16},
                FloatFormatAttr::get(ctx, MinifloatKind::ue4m3), OffsetKind::none,
                {}, 0, {}, b.getF32Type());
  if (name == "nf4_g64")
    return make(cast<QuantFormatAttrInterface>(
                    parseAttribute("#qf.lut<nf4>", ctx)),
                Granularity::group, -1, {64}, f32);
  if (name == "fp8_e4m3") return make(fmt(MinifloatKind::e4m3), Granularity::per_axis, 0, {}, f32);
  if (name == "fp8_e5m2") return make(fmt(MinifloatKind::e5m2), Granularity::per_axis, 0, {}, f32);
  if (name == "q4_0")
    return make(sint(4), Granularity::group, -1, {32}, f16, OffsetKind::none, {},
                0, {}, {}, RoundingMode::nearest_up, LayoutKind::ggml);
  if (name == "q4_1")
    return make(uint(4), Granularity::group, -1, {32}, f16, OffsetKind::min, f16,
                0, {}, {}, RoundingMode::nearest_up, LayoutKind::ggml);
  if (name == "q8_0")
    return make(sint(8), Granularity::group, -1, {32}, f16, OffsetKind::none, {},
                0, {}, {}, RoundingMode::nearest_away, LayoutKind::ggml);
  if (name == "q4_k")
    return make(uint(4), Granularity::group, -1, {32}, uint(6), OffsetKind::min,
                uint(6), 256, b.getF16Type(), {}, RoundingMode::nearest_even,
                LayoutKind::ggml);
  if (name == "iq4_nl")
    return make(cast<QuantFormatAttrInterface>(parseAttribute("#qf.lut<iq4_nl>", ctx)),
                Granularity::group, -1, {32}, f16, OffsetKind::none, {}, 0, {}, {},
                RoundingMode::nearest_even, LayoutKind::ggml);
  if (name == "mxfp4_ggml")
    return make(fmt(MinifloatKind::e2m1), Granularity::group, -1, {32}, e8m0,
                OffsetKind::none, {}, 0, {}, {}, RoundingMode::nearest_lowest_code,
                LayoutKind::ggml);

  // int{2,3,4,8}_g{32,64,128}[_asym]
  unsigned bits = 0, group = 0;
  StringRef rest = name;
  if (!rest.consume_front("int") || rest.consumeInteger(10, bits) ||
      !rest.consume_front("_g") || rest.consumeInteger(10, group))
    return {};
  bool asym = rest.consume_front("_asym");
  if (!rest.empty() || !llvm::is_contained({2u, 3u, 4u, 8u}, bits) ||
      !llvm::is_contained({32u, 64u, 128u}, group))
    return {};
  if (asym)
    return make(uint(bits), Granularity::group, -1, {group}, f16,
                OffsetKind::zero_point, uint(bits));
  return make(sint(bits), Granularity::group, -1, {group}, f16);
}

SchemeAttr mlir::qf::getPreset(MLIRContext *ctx, StringRef name) {
  return dyn_cast_or_null<SchemeAttr>(
      ctx->getOrLoadDialect<QfDialect>()->lookupPreset(name));
}

void QfDialect::buildPresetCache() {
  if (!presetCache.empty())
    return;
  for (StringRef n : kPresetNames) {
    Attribute preset = buildPreset(getContext(), n);
    presetCache[n] = preset;
    presetNames.try_emplace(preset, n);
  }
}

Attribute QfDialect::lookupPreset(StringRef name) {
  llvm::sys::SmartScopedLock<true> lock(presetMutex);
  buildPresetCache();
  return presetCache.lookup(name);
}

StringRef QfDialect::lookupPresetName(Attribute scheme) {
  llvm::sys::SmartScopedLock<true> lock(presetMutex);
  buildPresetCache();
  return presetNames.lookup(scheme);
}
