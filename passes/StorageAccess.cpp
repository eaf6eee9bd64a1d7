//===- StorageAccess.cpp - IR that reads a qtensor's packed storage --------===//
#include "passes/StorageAccess.h"
#include "passes/BuilderHelpers.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using namespace mlir::qf;

namespace {

Value i32Const(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
}

/// A divisor of the index `v` known from how it is computed (constants,
/// products, sums, exact quotients, loop steps); 1 when nothing is known.
int64_t knownDivisor(Value v) {
  constexpr int64_t kCap = int64_t(1) << 20;
  if (auto c = getConstantIntValue(v))
    return *c == 0 ? kCap : std::abs(*c);
  if (auto iv = dyn_cast<BlockArgument>(v))
    if (auto loop = dyn_cast_or_null<scf::ForOp>(iv.getOwner()->getParentOp()))
      if (iv == loop.getInductionVar())
        return std::gcd(knownDivisor(loop.getLowerBound()), knownDivisor(loop.getStep()));
  Operation *op = v.getDefiningOp();
  if (auto mul = dyn_cast_or_null<arith::MulIOp>(op))
    return std::min(kCap, knownDivisor(mul.getLhs()) * knownDivisor(mul.getRhs()));
  if (auto add = dyn_cast_or_null<arith::AddIOp>(op))
    return std::gcd(knownDivisor(add.getLhs()), knownDivisor(add.getRhs()));
  if (auto div = dyn_cast_or_null<arith::DivUIOp>(op)) {
    int64_t n = knownDivisor(div.getLhs());
    std::optional<int64_t> d = getConstantIntValue(div.getRhs());
    if (d && *d > 0 && n % *d == 0)
      return n / *d;
  }
  return 1;
}

/// A vector of `type` read from a rank-1 tensor or memref at `offset`
/// (in bounds). From a memref it is a vector.load aligned to what `offset`
/// is known to be a multiple of (buffers start 16-byte aligned), so that a
/// GPU reads it in wide loads.
Value readVector(OpBuilder &b, Location loc, VectorType type, Value source, Value offset) {
  if (isa<MemRefType>(source.getType())) {
    int64_t bytes = knownDivisor(offset) * (type.getElementTypeBitWidth() / 8);
    int64_t align = std::min<int64_t>(16, bytes & -bytes);
    return vector::LoadOp::create(b, loc, type, source, ValueRange{offset}, /*nontemporal=*/false,
                                  llvm::MaybeAlign(align));
  }
  Value pad = arith::ConstantOp::create(b, loc, b.getZeroAttr(type.getElementType()));
  return vector::TransferReadOp::create(b, loc, type, source, ValueRange{offset}, pad,
                                        ArrayRef<bool>{true});
}

/// Element `index` of a rank-1 tensor or memref.
Value extractAt(OpBuilder &b, Location loc, Value source, Value index) {
  if (isa<MemRefType>(source.getType()))
    return memref::LoadOp::create(b, loc, source, index);
  return tensor::ExtractOp::create(b, loc, source, index);
}

/// One byte of a tensor<Nxi8> (or memref) as i32 (zero-extended).
Value loadByte(OpBuilder &b, Location loc, Value bytes, Value index) {
  Value byte = extractAt(b, loc, bytes, index);
  return arith::ExtUIOp::create(b, loc, b.getI32Type(), byte);
}

/// The `bits`-bit little-endian item at bit offset `bitPos`, as i32. Items
/// of 8 bits or more are byte aligned; smaller ones may straddle two bytes
/// when `bits` does not divide 8.
Value loadItem(OpBuilder &b, Location loc, Value bytes, Value bitPos, unsigned bits) {
  Value eight = indexConst(b, loc, 8);
  Value byteIndex = arith::DivUIOp::create(b, loc, bitPos, eight);
  if (bits == 8)
    return loadByte(b, loc, bytes, byteIndex);
  if (bits % 8 == 0) {
    // One little-endian load of the item's bytes.
    auto type = VectorType::get({bits / 8}, b.getI8Type());
    Value raw = readVector(b, loc, type, bytes, byteIndex);
    Value word = vector::BitCastOp::create(
        b, loc, VectorType::get({1}, b.getIntegerType(bits)), raw);
    Value item = vector::ExtractOp::create(b, loc, word, ArrayRef<int64_t>{0});
    return bits == 32 ? item : arith::ExtUIOp::create(b, loc, b.getI32Type(), item).getResult();
  }
  Value shift = arith::IndexCastUIOp::create(
      b, loc, b.getI32Type(), arith::RemUIOp::create(b, loc, bitPos, eight));
  Value word = loadByte(b, loc, bytes, byteIndex);
  if (8 % bits != 0) {
    // The next byte, clamped to the buffer: a code in the last byte never straddles.
    int64_t size = cast<ShapedType>(bytes.getType()).getDimSize(0);
    Value next = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, byteIndex, indexConst(b, loc, 1)),
        indexConst(b, loc, size - 1));
    Value high = arith::ShLIOp::create(b, loc, loadByte(b, loc, bytes, next), i32Const(b, loc, 8));
    word = arith::OrIOp::create(b, loc, word, high);
  }
  word = arith::ShRUIOp::create(b, loc, word, shift);
  return arith::AndIOp::create(b, loc, word, i32Const(b, loc, (1 << bits) - 1));
}

/// Item `index` of a buffer of `bits`-bit items.
Value loadItemAt(OpBuilder &b, Location loc, Value bytes, Value index, unsigned bits) {
  Value bitPos = arith::MulIOp::create(b, loc, index, indexConst(b, loc, bits));
  return loadItem(b, loc, bytes, bitPos, bits);
}

/// Bits of an IEEE float type (f16, bf16, f32) held in an i32 -> f32.
Value floatBitsToF32(OpBuilder &b, Location loc, FloatType type, Value bits) {
  if (type.getWidth() == 32)
    return arith::BitcastOp::create(b, loc, b.getF32Type(), bits);
  Value narrow = arith::TruncIOp::create(b, loc, b.getIntegerType(type.getWidth()), bits);
  Value f = arith::BitcastOp::create(b, loc, type, narrow);
  return arith::ExtFOp::create(b, loc, b.getF32Type(), f);
}

/// A scale/offset slot: a float type's bits or a format's code -> f32. Scale
/// formats are read once per block, so on tensors (the CPU) a format's code
/// indexes a constant table of its values (one load) rather than running its
/// arithmetic decode; on memrefs (GPU kernels, where such a table would live
/// in local memory) the decode is arithmetic.
Value decodeSlot(OpBuilder &b, Location loc, Attribute typeOrFormat, Value bits, Value storage) {
  if (auto t = dyn_cast<TypeAttr>(typeOrFormat))
    return floatBitsToF32(b, loc, cast<FloatType>(t.getValue()), bits);
  auto format = cast<QuantFormatAttrInterface>(typeOrFormat);
  if (isa<MemRefType>(storage.getType()))
    return format.buildDecode(b, loc, bits, b.getF32Type());
  SmallVector<float> table;
  for (uint64_t c = 0, n = uint64_t(1) << format.getBitWidth(); c < n; ++c)
    table.push_back(float(format.decodeHost(c)));
  auto tableType = RankedTensorType::get({int64_t(table.size())}, b.getF32Type());
  Value values = arith::ConstantOp::create(b, loc, DenseElementsAttr::get(tableType, ArrayRef(table)));
  Value index = arith::IndexCastUIOp::create(
      b, loc, b.getIndexType(),
      arith::AndIOp::create(b, loc, bits, i32Const(b, loc, int64_t(table.size()) - 1)));
  return tensor::ExtractOp::create(b, loc, values, index);
}

Value mulF(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::MulFOp::create(b, loc, x, y);
}

/// Row-major linear index of `indices` in `shape`.
Value linearize(OpBuilder &b, Location loc, ValueRange indices, ArrayRef<int64_t> shape) {
  Value linear = indexConst(b, loc, 0);
  for (auto [i, extent] : llvm::zip(indices, shape)) {
    linear = arith::MulIOp::create(b, loc, linear, indexConst(b, loc, extent));
    linear = arith::AddIOp::create(b, loc, linear, i);
  }
  return linear;
}

/// Q4_K's 6-bit scale and min of sub-block `s` (0..7), packed in the 12
/// bytes at `base` + 4, as f32.
std::pair<Value, Value> q4kScaleAndMin(OpBuilder &b, Location loc, Value bytes, Value base,
                                       Value s) {
  auto at = [&](Value i) {
    return arith::AddIOp::create(b, loc, base,
                                 arith::AddIOp::create(b, loc, i, indexConst(b, loc, 4)))
        .getResult();
  };
  Value lowHalf = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, s, indexConst(b, loc, 4));
  Value sPlus4 = arith::AddIOp::create(b, loc, s, indexConst(b, loc, 4));
  Value sMinus4 = arith::SubIOp::create(b, loc, s, indexConst(b, loc, 4));
  Value bA = loadByte(b, loc, bytes, at(arith::SelectOp::create(b, loc, lowHalf, s, sPlus4)));
  Value bB = loadByte(b, loc, bytes, at(arith::SelectOp::create(b, loc, lowHalf, sPlus4, sMinus4)));
  Value bC = loadByte(b, loc, bytes, at(s));
  auto bits = [&](Value v, int64_t shift, int64_t mask) {
    Value x = shift ? arith::ShRUIOp::create(b, loc, v, i32Const(b, loc, shift)).getResult() : v;
    return arith::AndIOp::create(b, loc, x, i32Const(b, loc, mask)).getResult();
  };
  auto orHigh = [&](Value low, Value highByte) {
    Value h = arith::ShLIOp::create(b, loc, bits(highByte, 6, 3), i32Const(b, loc, 4));
    return arith::OrIOp::create(b, loc, low, h).getResult();
  };
  Value sc = arith::SelectOp::create(b, loc, lowHalf, bits(bA, 0, 63), orHigh(bits(bA, 0, 0xF), bB));
  Value mn = arith::SelectOp::create(b, loc, lowHalf, bits(bB, 0, 63), orHigh(bits(bA, 4, 0xF), bC));
  auto toF32 = [&](Value i) { return arith::UIToFPOp::create(b, loc, b.getF32Type(), i).getResult(); };
  return {toF32(sc), toF32(mn)};
}

/// The element (row, k + offset) of a row-major K-column matrix, the
/// constant added last (so that elements a step reads differ by constants).
Value planarElement(OpBuilder &b, Location loc, int64_t kCols, Value row, Value k, int64_t offset) {
  Value start = arith::AddIOp::create(b, loc, arith::MulIOp::create(b, loc, row, indexConst(b, loc, kCols)), k);
  return arith::AddIOp::create(b, loc, start, indexConst(b, loc, offset));
}

} // namespace

static double storedCodeValue(SchemeAttr scheme, uint64_t c);

/// Positions of a 32-code chunk (16 low nibbles, then 16 high ones) taken
/// four at a time, alternately from the low and the high nibbles.
static SmallVector<int64_t> lookupDwordPairs() {
  SmallVector<int64_t> picks;
  for (int64_t d = 0; d < 4; ++d)
    for (int64_t half : {0, 16})
      for (int64_t i = 0; i < 4; ++i)
        picks.push_back(half + 4 * d + i);
  return picks;
}

StorageAccess::StorageAccess(QTensorType type, ValueRange buffers)
    : type(type), scheme(type.getScheme()),
      layout(getStorageLayout(type.getScheme(), type.getShape())),
      buffers(buffers.begin(), buffers.end()) {
  assert(buffers.size() == layout.buffers.size() && "one storage tensor per layout buffer");
  if (scheme.getLayout() == LayoutKind::tiled)
    tile = getTileLayout(scheme, type.getShape()[1]);
}

Value StorageAccess::emitDequantized(OpBuilder &b, Location loc, ValueRange indices) const {
  if (scheme.getLayout() == LayoutKind::ggml)
    return emitGgml(b, loc, indices);
  return emitPlanar(b, loc, indices);
}

Value StorageAccess::buffer(StringRef name) const {
  for (auto [spec, value] : llvm::zip(layout.buffers, buffers))
    if (spec.name == name)
      return value;
  llvm_unreachable("layout has no such buffer");
}

Value StorageAccess::loadStoredItem(OpBuilder &b, Location loc, StringRef name, Value index, unsigned bits) const {
  const TilePart *part = tile ? tile->find(name) : nullptr;
  if (!part)
    return loadItemAt(b, loc, buffer(name), index, bits);
  // Item i of the buffer is item i % count of tile i / count.
  Value count = indexConst(b, loc, part->count);
  Value tileBits = arith::MulIOp::create(b, loc, arith::DivUIOp::create(b, loc, index, count),
                                         indexConst(b, loc, tile->bytes * 8));
  Value inTile = arith::MulIOp::create(b, loc, arith::RemUIOp::create(b, loc, index, count),
                                       indexConst(b, loc, part->itemBits));
  Value bitPos = arith::AddIOp::create(b, loc, arith::AddIOp::create(b, loc, tileBits, inTile),
                                       indexConst(b, loc, part->offset * 8));
  return loadItem(b, loc, buffer("tiles"), bitPos, bits);
}

Value StorageAccess::tileItemByte(OpBuilder &b, Location loc, StringRef name, Value row, Value k,
                                  int64_t offset) const {
  const TilePart &part = *tile->find(name);
  int64_t elements = tile->elements, perItem = elements / part.count;
  Value t = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, row, indexConst(b, loc, type.getShape()[1] / elements)),
      arith::DivUIOp::create(b, loc, k, indexConst(b, loc, elements)));
  // The part's item of the tile's element k % T + offset (perItem elements
  // share one), itemBits bits an item from the part's start.
  Value inTile = arith::AddIOp::create(b, loc, arith::RemUIOp::create(b, loc, k, indexConst(b, loc, elements)),
                                       indexConst(b, loc, offset));
  Value item = arith::DivUIOp::create(b, loc, inTile, indexConst(b, loc, perItem));
  Value itemBits = arith::MulIOp::create(b, loc, item, indexConst(b, loc, part.itemBits));
  return arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, t, indexConst(b, loc, tile->bytes)),
      arith::AddIOp::create(b, loc, arith::DivUIOp::create(b, loc, itemBits, indexConst(b, loc, 8)),
                            indexConst(b, loc, part.offset)));
}

std::pair<Value, Value> StorageAccess::codeBytes(OpBuilder &b, Location loc, Value row, Value k,
                                                 int64_t offset) const {
  if (tile)
    return {buffer("tiles"), tileItemByte(b, loc, "data", row, k, offset)};
  Value element = planarElement(b, loc, type.getShape()[1], row, k, offset);
  return {buffer("data"),
          arith::DivUIOp::create(b, loc, element, indexConst(b, loc, 8 / scheme.getElement().getBitWidth()))};
}

StorageAccess::BlockTerms StorageAccess::emitPlanarTerms(OpBuilder &b, Location loc, ValueRange indices,
                                                         bool withTensorScale) const {
  // The block of the element, row-major over the block grid.
  BlockGrid grid = getBlockGrid(scheme, type.getShape());
  SmallVector<Value> blockIndices;
  SmallVector<int64_t> gridShape;
  for (auto [i, extent, block] : llvm::zip(indices, grid.shape, grid.blockShape)) {
    blockIndices.push_back(arith::DivUIOp::create(b, loc, i, indexConst(b, loc, block)));
    gridShape.push_back(extent / block);
  }
  Value block = linearize(b, loc, blockIndices, gridShape);
  BlockTerms terms;
  terms.scale = decodeSlot(b, loc, scheme.getScale(), loadStoredItem(b, loc, "scales", block, scheme.getScaleBits()),
                           buffers.front());
  Value superOffset;
  if (int64_t perSuper = getBlocksPerSuperBlock(scheme)) {
    auto superType = cast<FloatType>(scheme.getSuperScaleType());
    Value sup = arith::DivUIOp::create(b, loc, block, indexConst(b, loc, perSuper));
    terms.scale = mulF(b, loc, terms.scale,
                       floatBitsToF32(b, loc, superType,
                                      loadStoredItem(b, loc, "super_scales", sup, superType.getWidth())));
    if (scheme.getOffset() == OffsetKind::min && isa<IntFormatAttr>(scheme.getOffsetFormat()))
      superOffset = floatBitsToF32(
          b, loc, superType,
          loadStoredItem(b, loc, "super_offsets", sup, superType.getWidth()));
  }
  if (Value tensorScale = withTensorScale ? emitTensorScale(b, loc) : Value())
    terms.scale = mulF(b, loc, terms.scale, tensorScale);
  if (scheme.getOffset() == OffsetKind::none)
    return terms;
  unsigned offsetBits = isa<TypeAttr>(scheme.getOffsetFormat())
                            ? cast<TypeAttr>(scheme.getOffsetFormat()).getValue().getIntOrFloatBitWidth()
                            : cast<QuantFormatAttrInterface>(scheme.getOffsetFormat()).getBitWidth();
  Value offset = decodeSlot(b, loc, scheme.getOffsetFormat(), loadStoredItem(b, loc, "offsets", block, offsetBits),
                            buffers.front());
  if (scheme.getOffset() == OffsetKind::zero_point) {
    terms.zeroPoint = offset;
  } else {
    terms.min = superOffset ? mulF(b, loc, offset, superOffset) : offset;
  }
  return terms;
}

/// (v - zeroPoint) * scale + min, on scalars or on vectors (terms splat).
static Value applyTerms(OpBuilder &b, Location loc, Value v, Value scale, Value zeroPoint,
                        Value min) {
  auto splat = [&](Value s) -> Value {
    if (auto vt = dyn_cast<VectorType>(v.getType()))
      return vector::BroadcastOp::create(b, loc, vt, s);
    return s;
  };
  if (zeroPoint)
    v = arith::SubFOp::create(b, loc, v, splat(zeroPoint));
  v = mulF(b, loc, v, splat(scale));
  if (min)
    v = arith::AddFOp::create(b, loc, v, splat(min));
  return v;
}

Value StorageAccess::emitPlanar(OpBuilder &b, Location loc, ValueRange indices) const {
  QuantFormatAttrInterface elem = scheme.getElement();
  Value element = linearize(b, loc, indices, type.getShape());
  Value code = loadStoredItem(b, loc, "data", element, elem.getBitWidth());
  Value v = elem.buildDecode(b, loc, code, b.getF32Type());
  BlockTerms t = emitPlanarTerms(b, loc, indices);
  return applyTerms(b, loc, v, t.scale, t.zeroPoint, t.min);
}

Value StorageAccess::emitGgml(OpBuilder &b, Location loc, ValueRange indices) const {
  GgmlBlockType t = *getGgmlBlockType(scheme);
  Value bytes = buffers.front();
  Value element = linearize(b, loc, indices, type.getShape());
  Value blockIndex = arith::DivUIOp::create(b, loc, element, indexConst(b, loc, t.blockElements));
  Value j = arith::RemUIOp::create(b, loc, element, indexConst(b, loc, t.blockElements));
  Value base = arith::MulIOp::create(b, loc, blockIndex, indexConst(b, loc, t.blockBytes));
  auto at = [&](Value offset) { return arith::AddIOp::create(b, loc, base, offset).getResult(); };
  auto atConst = [&](int64_t offset) { return at(indexConst(b, loc, offset)); };
  auto f16At = [&](int64_t offset) {
    Value bitPos = arith::MulIOp::create(b, loc, atConst(offset), indexConst(b, loc, 8));
    return floatBitsToF32(b, loc, b.getF16Type(), loadItem(b, loc, bytes, bitPos, 16));
  };
  // GGUF's split nibbles: in a run of 2n elements, element i < n is the low
  // nibble of byte i and element i + n the high nibble of byte i.
  auto splitNibble = [&](int64_t qsOffset, Value i, int64_t n) {
    Value nConst = indexConst(b, loc, n);
    Value high = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, i, nConst);
    Value byteIndex = arith::RemUIOp::create(b, loc, i, nConst);
    Value byte = loadByte(b, loc, bytes, at(arith::AddIOp::create(b, loc, byteIndex,
                                                                  indexConst(b, loc, qsOffset))));
    Value shifted = arith::ShRUIOp::create(b, loc, byte, i32Const(b, loc, 4));
    Value nibble = arith::SelectOp::create(b, loc, high, shifted, byte);
    return arith::AndIOp::create(b, loc, nibble, i32Const(b, loc, 0xF)).getResult();
  };
  QuantFormatAttrInterface elem = scheme.getElement();
  auto decode = [&](Value code) { return elem.buildDecode(b, loc, code, b.getF32Type()); };

  if (t.name == "q4_0" || t.name == "iq4_nl") {
    Value code = splitNibble(2, j, 16);
    if (t.name == "q4_0") // stored offset by 8
      code = arith::XOrIOp::create(b, loc, code, i32Const(b, loc, 8));
    return mulF(b, loc, decode(code), f16At(0));
  }
  if (t.name == "q4_1")
    return arith::AddFOp::create(b, loc, mulF(b, loc, decode(splitNibble(4, j, 16)), f16At(0)),
                                 f16At(2));
  if (t.name == "q8_0") {
    Value code = loadByte(b, loc, bytes, at(arith::AddIOp::create(b, loc, j, indexConst(b, loc, 2))));
    return mulF(b, loc, decode(code), f16At(0));
  }
  if (t.name == "mxfp4_ggml") {
    Value e = loadByte(b, loc, bytes, atConst(0));
    Value scale = decodeSlot(b, loc, scheme.getScale(), e, bytes);
    // ggml's value table has no negative zero: code 8 reads as +0.
    Value code = splitNibble(1, j, 16);
    Value isNegZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, code, i32Const(b, loc, 8));
    code = arith::SelectOp::create(b, loc, isNegZero, i32Const(b, loc, 0), code);
    return mulF(b, loc, decode(code), scale);
  }
  assert(t.name == "q4_k");
  // 64-element chunks of 32 bytes; sub-block s = j / 32 has 6-bit scale and
  // min packed in the 12 bytes at offset 4.
  Value chunk = arith::DivUIOp::create(b, loc, j, indexConst(b, loc, 64));
  Value inChunk = arith::RemUIOp::create(b, loc, j, indexConst(b, loc, 64));
  Value qsOffset = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, chunk, indexConst(b, loc, 32)), indexConst(b, loc, 16));
  Value nConst = indexConst(b, loc, 32);
  Value high = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, inChunk, nConst);
  Value byte = loadByte(b, loc, bytes,
                        at(arith::AddIOp::create(b, loc, qsOffset,
                                                 arith::RemUIOp::create(b, loc, inChunk, nConst))));
  Value code = arith::AndIOp::create(
      b, loc,
      arith::SelectOp::create(b, loc, high,
                              arith::ShRUIOp::create(b, loc, byte, i32Const(b, loc, 4)), byte),
      i32Const(b, loc, 0xF));

  Value s = arith::DivUIOp::create(b, loc, j, indexConst(b, loc, 32));
  auto [sc, mn] = q4kScaleAndMin(b, loc, bytes, base, s);
  Value d = mulF(b, loc, f16At(0), sc);
  Value m = mulF(b, loc, f16At(2), mn);
  return arith::SubFOp::create(b, loc, mulF(b, loc, decode(code), d), m);
}

//===----------------------------------------------------------------------===//
// Vector chunks
//===----------------------------------------------------------------------===//

static bool isChunkedGgml(StringRef name) {
  return llvm::is_contained({"q4_0", "q4_1", "q8_0", "q4_k", "iq4_nl", "mxfp4_ggml"}, name);
}

bool StorageAccess::supportsChunks(QTensorType type) {
  SchemeAttr s = type.getScheme();
  if (type.getRank() != 2 || type.getShape()[1] % 16)
    return false;
  if (s.getLayout() == LayoutKind::ggml)
    return isChunkedGgml(getGgmlBlockType(s)->name);
  unsigned bits = s.getElement().getBitWidth();
  if ((bits != 4 && bits != 8) || (s.getSuperBlock() && s.getLayout() != LayoutKind::tiled))
    return false;
  if (s.getGranularity() == Granularity::per_axis)
    return s.getAxis() == 0;
  return s.getGranularity() == Granularity::group && (s.getAxis() == -1 || s.getAxis() == 1) &&
         s.getGroupSize() % 16 == 0;
}

int64_t StorageAccess::getChunkSize(QTensorType type) { return getChunkBlockSize(type) % 32 ? 16 : 32; }

/// `n` bytes of a tensor<Nxi8> (or memref) from `offset` as a vector of i32.
static Value loadBytes(OpBuilder &b, Location loc, Value bytes, Value offset, int64_t n) {
  Value v = readVector(b, loc, VectorType::get({n}, b.getI8Type()), bytes, offset);
  return arith::ExtUIOp::create(b, loc, VectorType::get({n}, b.getI32Type()), v);
}

static Value splatI32(OpBuilder &b, Location loc, int64_t n, int64_t v) {
  auto type = VectorType::get({n}, b.getI32Type());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, b.getI32IntegerAttr(v)));
}

int64_t StorageAccess::getChunkBlockSize(QTensorType type) {
  SchemeAttr scheme = type.getScheme();
  if (scheme.getLayout() == LayoutKind::ggml) // q4_k: its 32-element sub-blocks
    return std::min<int64_t>(getGgmlBlockType(scheme)->blockElements, 32);
  return scheme.getGranularity() == Granularity::group ? scheme.getGroupSize()
                                                        : type.getShape()[1];
}

int64_t StorageAccess::getKAlignment(QTensorType type) {
  SchemeAttr scheme = type.getScheme();
  return scheme.getLayout() == LayoutKind::ggml ? getGgmlBlockType(scheme)->blockElements : kByteChunk;
}

/// The byte offset of the GGUF block holding element (row, k + offset) of a
/// rank-2 tensor with K columns, and that element's index in its block:
/// static when k is a multiple of the block and `offset` is given.
static std::pair<Value, Value> ggmlBlockAt(OpBuilder &b, Location loc, const GgmlBlockType &g,
                                           int64_t kCols, Value row, Value k,
                                           std::optional<int64_t> offset) {
  Value element = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, row, indexConst(b, loc, kCols)), k);
  Value perBlock = indexConst(b, loc, g.blockElements);
  Value block = arith::DivUIOp::create(b, loc, element, perBlock);
  Value j = offset ? indexConst(b, loc, *offset % g.blockElements)
                   : arith::RemUIOp::create(b, loc, element, perBlock).getResult();
  if (offset)
    block = arith::AddIOp::create(b, loc, block, indexConst(b, loc, *offset / g.blockElements));
  return {arith::MulIOp::create(b, loc, block, indexConst(b, loc, g.blockBytes)), j};
}

StorageAccess::BlockTerms StorageAccess::emitBlockTerms(OpBuilder &b, Location loc, Value row, Value k,
                                                        std::optional<int64_t> offset, bool withTensorScale) const {
  BlockTerms t;
  if (scheme.getLayout() != LayoutKind::ggml) {
    t = emitPlanarTerms(b, loc, {row, arith::AddIOp::create(b, loc, k, indexConst(b, loc, offset.value_or(0)))},
                        withTensorScale);
  } else {
    GgmlBlockType g = *getGgmlBlockType(scheme);
    auto [blockBase, j] = ggmlBlockAt(b, loc, g, type.getShape()[1], row, k, offset);
    Value base = blockBase, bytes = buffers.front();
    auto f16At = [&](int64_t offset) {
      Value at = arith::AddIOp::create(b, loc, base, indexConst(b, loc, offset));
      Value bitPos = arith::MulIOp::create(b, loc, at, indexConst(b, loc, 8));
      return floatBitsToF32(b, loc, b.getF16Type(), loadItem(b, loc, bytes, bitPos, 16));
    };
    if (g.name == "q4_k") {
      // Sub-block s: 6-bit scale and min from the 12 bytes at offset 4;
      // x = d * sc * q - dmin * mn.
      auto [sc, mn] = q4kScaleAndMin(b, loc, bytes, base,
                                     arith::DivUIOp::create(b, loc, j, indexConst(b, loc, 32)));
      t.scale = mulF(b, loc, f16At(0), sc);
      t.min = arith::NegFOp::create(b, loc, mulF(b, loc, f16At(2), mn));
    } else {
      t.scale = g.name == "mxfp4_ggml"
                    ? decodeSlot(b, loc, scheme.getScale(), loadByte(b, loc, bytes, base), bytes)
                    : f16At(0);
      if (g.name == "q4_1")
        t.min = f16At(2);
    }
  }
  return t;
}

/// `count` consecutive `bits`-bit items (8, 16 or 32) from item `first`, as
/// vector<count x i32>.
static Value loadItemVector(OpBuilder &b, Location loc, Value bytes, Value first, unsigned bits,
                            int64_t count) {
  int64_t width = bits / 8;
  Value raw = readVector(b, loc, VectorType::get({count * width}, b.getI8Type()), bytes,
                         arith::MulIOp::create(b, loc, first, indexConst(b, loc, width)));
  Value items = vector::BitCastOp::create(b, loc, VectorType::get({count}, b.getIntegerType(bits)), raw);
  if (bits == 32)
    return items;
  return arith::ExtUIOp::create(b, loc, VectorType::get({count}, b.getI32Type()), items);
}

/// decodeSlot on a vector of slots: float types convert, formats run their
/// arithmetic decode on all lanes at once.
static Value decodeSlots(OpBuilder &b, Location loc, Attribute typeOrFormat, Value bits) {
  auto vecType = cast<VectorType>(bits.getType());
  auto like = [&](Type t) { return VectorType::get(vecType.getShape(), t); };
  if (auto t = dyn_cast<TypeAttr>(typeOrFormat)) {
    auto ft = cast<FloatType>(t.getValue());
    if (ft.getWidth() == 32)
      return arith::BitcastOp::create(b, loc, like(b.getF32Type()), bits);
    Value narrow = arith::TruncIOp::create(b, loc, like(b.getIntegerType(ft.getWidth())), bits);
    Value narrowFloat = arith::BitcastOp::create(b, loc, like(ft), narrow);
    return arith::ExtFOp::create(b, loc, like(b.getF32Type()), narrowFloat);
  }
  return cast<QuantFormatAttrInterface>(typeOrFormat).buildDecode(b, loc, bits, b.getF32Type());
}

static unsigned slotBits(Attribute typeOrFormat) {
  if (auto t = dyn_cast<TypeAttr>(typeOrFormat))
    return t.getValue().getIntOrFloatBitWidth();
  return cast<QuantFormatAttrInterface>(typeOrFormat).getBitWidth();
}

/// Bytes to read from the first of `count` GGUF blocks to cover `needed`:
/// the next power of two where the blocks hold it, so that the read is whole
/// vector registers.
static int64_t stepReadBytes(int64_t count, const GgmlBlockType &g, int64_t needed) {
  int64_t whole = int64_t(llvm::PowerOf2Ceil(needed));
  return whole <= count * g.blockBytes ? whole : needed;
}

Value StorageAccess::emitTensorScale(OpBuilder &b, Location loc) const {
  auto ft = dyn_cast_or_null<FloatType>(scheme.getTensorScaleType());
  if (!ft)
    return {};
  return floatBitsToF32(b, loc, ft,
                        loadItemAt(b, loc, buffer("tensor_scale"), indexConst(b, loc, 0), ft.getWidth()));
}

StorageAccess::BlockTerms StorageAccess::emitBlockTermVectors(OpBuilder &b, Location loc, Value row,
                                                              Value k, int64_t count,
                                                              bool withTensorScale) const {
  int64_t block = getChunkBlockSize();
  BlockGrid grid = getBlockGrid(scheme, type.getShape());
  auto byteSlots = [](unsigned bits) { return bits == 8 || bits == 16 || bits == 32; };
  bool offsets = scheme.getOffset() != OffsetKind::none;
  // Planar blocks along K only, and tiles: the slots of consecutive blocks of
  // a row are consecutive items, read as one vector.
  bool planarSlots = scheme.getLayout() == LayoutKind::planar && grid.blockShape[0] == 1 &&
                     !getBlocksPerSuperBlock(scheme) && byteSlots(scheme.getScaleBits()) &&
                     (!offsets || byteSlots(slotBits(scheme.getOffsetFormat())));
  if (planarSlots || tile) {
    // `n` items of planar buffer `name` from the one of element (row, k), as i32.
    auto items = [&](StringRef name, unsigned bits, int64_t n) -> Value {
      if (!tile) {
        Value first = arith::AddIOp::create(
            b, loc, arith::MulIOp::create(b, loc, row, indexConst(b, loc, type.getShape()[1] / block)),
            arith::DivUIOp::create(b, loc, k, indexConst(b, loc, block)));
        return loadItemVector(b, loc, buffer(name), first, bits, n);
      }
      unsigned stored = tile->find(name)->itemBits;
      Value raw = readVector(b, loc, VectorType::get({n * stored / 8}, b.getI8Type()), buffer("tiles"),
                             tileItemByte(b, loc, name, row, k, 0));
      Value v = vector::BitCastOp::create(b, loc, VectorType::get({n}, b.getIntegerType(stored)), raw);
      if (stored < 32)
        v = arith::ExtUIOp::create(b, loc, VectorType::get({n}, b.getI32Type()), v);
      if (bits < stored) // the item's own bits: the byte's others are not part of it
        v = arith::AndIOp::create(b, loc, v, splatI32(b, loc, n, (int64_t(1) << bits) - 1));
      return v;
    };
    auto slots = [&](StringRef name, Attribute typeOrFormat, unsigned bits) {
      return decodeSlots(b, loc, typeOrFormat, items(name, bits, count));
    };
    // A super-block's f16/bf16/f32 item for each of the blocks.
    auto superSlots = [&](StringRef name) {
      int64_t per = getBlocksPerSuperBlock(scheme), supers = (count + per - 1) / per;
      auto ft = cast<FloatType>(scheme.getSuperScaleType());
      Value v = decodeSlots(b, loc, TypeAttr::get(ft), items(name, ft.getWidth(), supers));
      SmallVector<int64_t> picks;
      for (int64_t i = 0; i < count; ++i)
        picks.push_back(i / per);
      return vector::ShuffleOp::create(b, loc, v, v, picks).getResult();
    };
    BlockTerms t;
    t.scale = slots("scales", scheme.getScale(), scheme.getScaleBits());
    if (getBlocksPerSuperBlock(scheme))
      t.scale = mulF(b, loc, t.scale, superSlots("super_scales"));
    if (Value tensorScale = withTensorScale ? emitTensorScale(b, loc) : Value())
      t.scale = mulF(b, loc, t.scale, vector::BroadcastOp::create(b, loc, t.scale.getType(), tensorScale));
    if (offsets) {
      Value offset = slots("offsets", scheme.getOffsetFormat(), slotBits(scheme.getOffsetFormat()));
      if (tile && tile->find("super_offsets"))
        offset = mulF(b, loc, offset, superSlots("super_offsets"));
      (scheme.getOffset() == OffsetKind::zero_point ? t.zeroPoint : t.min) = offset;
    }
    return t;
  }
  // GGUF blocks that start with an f16 scale (and q4_1's f16 min): the
  // step's consecutive blocks read as one vector of halves and the scales (or
  // mins) picked by one shuffle (a word permute, not a load a block) where
  // that read is at most three 64-byte registers, else the halves gathered
  // block by block (q8_0: its four-register read and shuffle ran 6 % slower);
  // then converted as one vector.
  if (scheme.getLayout() == LayoutKind::ggml) {
    GgmlBlockType g = *getGgmlBlockType(scheme);
    // `span` bytes of the step's blocks from the first, as one vector.
    auto readStep = [&](int64_t span) {
      Value base = ggmlBlockAt(b, loc, g, type.getShape()[1], row, k, 0).first;
      return readVector(b, loc, VectorType::get({span}, b.getI8Type()), buffers.front(), base);
    };
    // In a vector of `size`-byte items read that way: each block's item at byte `at`.
    auto blockPicks = [&](int64_t at, int64_t size) {
      SmallVector<int64_t> picks;
      for (int64_t i = 0; i < count; ++i)
        picks.push_back((i * g.blockBytes + at) / size);
      return picks;
    };
    if (llvm::is_contained({"q4_0", "q4_1", "q8_0", "iq4_nl"}, g.name)) {
      auto like = [&](Type t) { return VectorType::get({count}, t); };
      int64_t span = stepReadBytes(count, g, (count - 1) * g.blockBytes + (g.name == "q4_1" ? 4 : 2));
      Value words;
      if (span <= 192)
        words = vector::BitCastOp::create(b, loc, VectorType::get({span / 2}, b.getI16Type()), readStep(span));
      auto halves = [&](int64_t at) {
        Value v;
        if (words) {
          v = vector::ShuffleOp::create(b, loc, words, words, blockPicks(at, 2));
        } else {
          SmallVector<Value> bits;
          for (int64_t i = 0; i < count; ++i) {
            Value base = ggmlBlockAt(b, loc, g, type.getShape()[1], row, k, i * block).first;
            Value bitPos = arith::MulIOp::create(
                b, loc, arith::AddIOp::create(b, loc, base, indexConst(b, loc, at)), indexConst(b, loc, 8));
            bits.push_back(loadItem(b, loc, buffers.front(), bitPos, 16));
          }
          v = arith::TruncIOp::create(b, loc, like(b.getI16Type()),
                                      vector::FromElementsOp::create(b, loc, like(b.getI32Type()), bits));
        }
        v = arith::BitcastOp::create(b, loc, like(b.getF16Type()), v);
        return arith::ExtFOp::create(b, loc, like(b.getF32Type()), v).getResult();
      };
      BlockTerms t;
      t.scale = halves(0);
      if (g.name == "q4_1")
        t.min = halves(2);
      return t;
    }
    if (g.name == "mxfp4_ggml") { // an E8M0 byte first: the same with a byte shuffle
      Value bytes = readStep(stepReadBytes(count, g, (count - 1) * g.blockBytes + 1));
      Value scaleBytes = vector::ShuffleOp::create(b, loc, bytes, bytes, blockPicks(0, 1));
      Value bits = arith::ExtUIOp::create(b, loc, VectorType::get({count}, b.getI32Type()), scaleBytes);
      BlockTerms t;
      t.scale = decodeSlots(b, loc, scheme.getScale(), bits);
      return t;
    }
  }
  // Otherwise block by block.
  SmallVector<SmallVector<Value>> parts(3);
  for (int64_t i = 0; i < count; ++i) {
    BlockTerms t = emitBlockTerms(b, loc, row, k, i * block, withTensorScale);
    for (auto [part, v] : llvm::zip(parts, std::array{t.scale, t.zeroPoint, t.min}))
      if (v)
        part.push_back(v);
  }
  auto vec = [&](ArrayRef<Value> values) -> Value {
    if (values.empty())
      return {};
    return vector::FromElementsOp::create(b, loc, VectorType::get({count}, b.getF32Type()), values);
  };
  return {vec(parts[0]), vec(parts[1]), vec(parts[2])};
}

bool StorageAccess::hasBlockOffsets() const {
  if (scheme.getLayout() == LayoutKind::ggml)
    return llvm::is_contained({"q4_1", "q4_k"}, getGgmlBlockType(scheme)->name);
  return scheme.getOffset() != OffsetKind::none;
}

StorageAccess::BlockTerms StorageAccess::emitChunkTerms(OpBuilder &b, Location loc, Value row,
                                                        Value k) const {
  BlockTerms t = emitBlockTerms(b, loc, row, k);
  auto vecType = VectorType::get({getChunkSize()}, b.getF32Type());
  auto splat = [&](Value v) {
    return v ? vector::BroadcastOp::create(b, loc, vecType, v).getResult() : Value();
  };
  return {splat(t.scale), splat(t.zeroPoint), splat(t.min)};
}

Value StorageAccess::emitChunk(OpBuilder &b, Location loc, Value row, Value k0,
                               const BlockTerms &terms) const {
  const int64_t n = getChunkSize();
  int64_t k = type.getShape()[1];
  QuantFormatAttrInterface elem = scheme.getElement();
  Value codes;
  if (scheme.getLayout() != LayoutKind::ggml) {
    auto [data, byte] = codeBytes(b, loc, row, k0, 0);
    if (elem.getBitWidth() == 8) {
      codes = loadBytes(b, loc, data, byte, n);
    } else {
      // Two codes a byte, the even element in the low nibble: the even
      // elements, then the odd ones.
      Value packed = loadBytes(b, loc, data, byte, n / 2);
      Value low = arith::AndIOp::create(b, loc, packed, splatI32(b, loc, n / 2, 0xF));
      Value high = arith::ShRUIOp::create(b, loc, packed, splatI32(b, loc, n / 2, 4));
      codes = vector::ShuffleOp::create(b, loc, low, high, llvm::to_vector(llvm::seq<int64_t>(0, n)));
    }
  } else {
    // A chunk is a whole GGUF block of 32 (q4_k: a 32-element sub-block).
    GgmlBlockType g = *getGgmlBlockType(scheme);
    Value element = arith::AddIOp::create(b, loc, arith::MulIOp::create(b, loc, row, indexConst(b, loc, k)), k0);
    Value blockIndex =
        arith::DivUIOp::create(b, loc, element, indexConst(b, loc, g.blockElements));
    Value base = arith::MulIOp::create(b, loc, blockIndex, indexConst(b, loc, g.blockBytes));
    Value bytes = buffers.front();
    if (g.name == "q8_0") {
      codes = loadBytes(b, loc, bytes, arith::AddIOp::create(b, loc, base, indexConst(b, loc, 2)), n);
    } else if (g.name == "q4_k") {
      // 64-element chunks of 32 bytes: the first 32 elements are the low
      // nibbles, the next 32 the high nibbles.
      Value j = arith::RemUIOp::create(b, loc, element, indexConst(b, loc, g.blockElements));
      Value chunk64 = arith::DivUIOp::create(b, loc, j, indexConst(b, loc, 64));
      Value in64 = arith::RemUIOp::create(b, loc, j, indexConst(b, loc, 64));
      Value offset = arith::AddIOp::create(
          b, loc, base,
          arith::AddIOp::create(
              b, loc, arith::MulIOp::create(b, loc, chunk64, indexConst(b, loc, 32)),
              arith::AddIOp::create(b, loc, indexConst(b, loc, 16),
                                    arith::RemUIOp::create(b, loc, in64, indexConst(b, loc, 32)))));
      Value packed = loadBytes(b, loc, bytes, offset, n);
      Value isHigh = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, in64,
                                           indexConst(b, loc, 32));
      Value shifted = arith::SelectOp::create(
          b, loc, isHigh, arith::ShRUIOp::create(b, loc, packed, splatI32(b, loc, n, 4)), packed);
      codes = arith::AndIOp::create(b, loc, shifted, splatI32(b, loc, n, 0xF));
    } else {
      // Elements 0-15 in the low nibbles of the 16 bytes, 16-31 in the high.
      int64_t qs = g.name == "q4_1" ? 4 : g.name == "mxfp4_ggml" ? 1 : 2;
      Value packed = loadBytes(b, loc, bytes,
                               arith::AddIOp::create(b, loc, base, indexConst(b, loc, qs)), n / 2);
      Value low = arith::AndIOp::create(b, loc, packed, splatI32(b, loc, n / 2, 0xF));
      Value high = arith::ShRUIOp::create(b, loc, packed, splatI32(b, loc, n / 2, 4));
      SmallVector<int64_t> concat;
      for (int64_t i = 0; i < n; ++i)
        concat.push_back(i);
      codes = vector::ShuffleOp::create(b, loc, low, high, concat);
    }
  }
  if (interleavesLookupCodes())
    codes = vector::ShuffleOp::create(b, loc, codes, codes, lookupDwordPairs());
  Value v;
  if (decodesByLookup()) {
    SmallVector<float> table;
    for (uint64_t c = 0; c < 16; ++c)
      table.push_back(float(storedCodeValue(scheme, c)));
    v = LookupOp::create(b, loc, VectorType::get({n}, b.getF32Type()), codes,
                         b.getDenseF32ArrayAttr(table));
  } else {
    v = elem.buildDecode(b, loc, codes, b.getF32Type());
  }
  if (terms.zeroPoint)
    v = arith::SubFOp::create(b, loc, v, terms.zeroPoint);
  v = mulF(b, loc, v, terms.scale);
  if (terms.min)
    v = arith::AddFOp::create(b, loc, v, terms.min);
  return v;
}

/// The value of stored code c (GGUF stores some codes transformed).
static double storedCodeValue(SchemeAttr scheme, uint64_t c) {
  QuantFormatAttrInterface elem = scheme.getElement();
  if (scheme.getLayout() == LayoutKind::ggml) {
    StringRef name = getGgmlBlockType(scheme)->name;
    if (name == "q4_0") // nibble q stands for q - 8
      return elem.decodeHost(c ^ 8);
    if (name == "mxfp4_ggml" && c == 8) // ggml's table has no negative zero
      return 0.0;
  }
  return elem.decodeHost(c);
}

//===----------------------------------------------------------------------===//
// Byte chunks
//===----------------------------------------------------------------------===//

std::optional<StorageAccess::ByteCodes> StorageAccess::getByteCodes(QTensorType type, bool signedBytes) {
  if (!supportsChunks(type) || type.getShape()[1] % kByteChunk)
    return std::nullopt;
  unsigned bits = type.getScheme().getElement().getBitWidth();
  uint64_t n = uint64_t(1) << bits;
  SmallVector<double> values;
  for (uint64_t c = 0; c < n; ++c) {
    values.push_back(storedCodeValue(type.getScheme(), c));
    if (!std::isfinite(values.back()))
      return std::nullopt;
  }
  // The largest power of two all values are integer multiples of.
  auto integersAt = [&](int e, SmallVector<int64_t> &ints) {
    ints.clear();
    for (double v : values) {
      double q = std::ldexp(v, -e);
      if (q != std::trunc(q) || std::fabs(q) > 255)
        return false;
      ints.push_back(int64_t(q));
    }
    return true;
  };
  SmallVector<int64_t> ints;
  int e = 8;
  while (e >= -16 && !integersAt(e, ints))
    --e;
  if (e < -16)
    return std::nullopt;
  ByteCodes codes;
  codes.factor = std::ldexp(1.0, e);
  int64_t lo = *llvm::min_element(ints), hi = *llvm::max_element(ints);
  codes.bias = std::max<int64_t>(0, -lo);
  if (hi + codes.bias > 255)
    return std::nullopt;
  if (bits == 4) {
    if (signedBytes && hi + codes.bias > 127 && lo >= -127 && hi <= 127) {
      codes.table = ints;
      codes.bias = 0;
      codes.maxByte = std::max(-lo, hi);
      codes.isSigned = true;
      return codes;
    }
    for (int64_t v : ints)
      codes.table.push_back(v + codes.bias);
    codes.maxByte = hi + codes.bias;
    // A table that is the code xor a constant is one xor of the stored bytes.
    for (int64_t f = 0; f < 16; ++f)
      if (llvm::all_of(llvm::enumerate(codes.table), [&](auto cv) { return cv.value() == int64_t(cv.index() ^ f); })) {
        codes.table.clear();
        codes.flip = f * 0x11;
        break;
      }
    return codes;
  }
  // 8-bit codes are used as they are: the value must be the code read as an
  // unsigned or a two's complement byte.
  bool isUnsigned = true, isSigned = true;
  for (uint64_t c = 0; c < n; ++c) {
    isUnsigned &= ints[c] == int64_t(c);
    isSigned &= ints[c] == int64_t(int8_t(uint8_t(c)));
  }
  if (!isUnsigned && !isSigned)
    return std::nullopt;
  codes.bias = isSigned ? 128 : 0;
  codes.flip = isSigned ? 0x80 : 0;
  return codes;
}

/// Stored bytes `raw` (vector of i8) xor the flip of `codes`.
static Value flipStoredBytes(OpBuilder &b, Location loc, Value raw, const StorageAccess::ByteCodes &codes) {
  if (!codes.flip)
    return raw;
  auto type = cast<VectorType>(raw.getType());
  Value flip = arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, b.getI8IntegerAttr(codes.flip)));
  return arith::XOrIOp::create(b, loc, raw, flip);
}

/// Codes `raw` (vector of i8, taken from flipped bytes) as the bytes of `codes`.
static Value applyByteCodes(OpBuilder &b, Location loc, Value raw, const StorageAccess::ByteCodes &codes) {
  auto type = cast<VectorType>(raw.getType());
  bool identity = true;
  for (auto [c, v] : llvm::enumerate(codes.table))
    identity &= int64_t(c) == v;
  if (identity)
    return raw;
  SmallVector<float> table(codes.table.begin(), codes.table.end());
  return LookupOp::create(b, loc, type, raw, b.getDenseF32ArrayAttr(table));
}

namespace {
/// 16 bytes of a byte pair: read at `byteOffset` from the pair's base
/// (planar) or from the GGUF block of chunk `chunk` of the pair; byte i gives
/// element first + stride * i of the pair.
struct BytePiece {
  enum Kind { Raw, Low, High };
  int64_t chunk, byteOffset;
  Kind kind;
  int64_t first, stride;
};
} // namespace

/// The pieces of a byte pair: X = pieces 0 and 1, Y = pieces 2 and 3. Lane j
/// (bytes 4j..4j+3) of X and of Y hold elements of the same 16-element run
/// where elements are nibbles, of the same chunk always.
static std::array<BytePiece, 4> bytePairPieces(SchemeAttr scheme, int64_t pairOffset) {
  using K = BytePiece::Kind;
  if (scheme.getLayout() != LayoutKind::ggml) {
    if (scheme.getElement().getBitWidth() == 4) // even elements low, odd high
      return {{{0, 0, K::Low, 0, 2}, {0, 16, K::Low, 32, 2}, {0, 0, K::High, 1, 2}, {0, 16, K::High, 33, 2}}};
    return {{{0, 0, K::Raw, 0, 1}, {0, 32, K::Raw, 32, 1}, {0, 16, K::Raw, 16, 1}, {0, 48, K::Raw, 48, 1}}};
  }
  GgmlBlockType g = *getGgmlBlockType(scheme);
  if (g.name == "q8_0")
    return {{{0, 2, K::Raw, 0, 1}, {1, 2, K::Raw, 32, 1}, {0, 18, K::Raw, 16, 1}, {1, 18, K::Raw, 48, 1}}};
  if (g.name == "q4_k") {
    // Sub-blocks 2t and 2t + 1: the low and high nibbles of 32 bytes.
    int64_t at = 16 + 32 * (pairOffset % g.blockElements / 64);
    return {{{0, at, K::Low, 0, 1}, {0, at, K::High, 32, 1}, {0, at + 16, K::Low, 16, 1},
             {0, at + 16, K::High, 48, 1}}};
  }
  // Elements 0-15 of a block in the low nibbles of its 16 bytes, 16-31 in the high.
  int64_t qs = g.name == "q4_1" ? 4 : g.name == "mxfp4_ggml" ? 1 : 2;
  return {{{0, qs, K::Low, 0, 1}, {1, qs, K::Low, 32, 1}, {0, qs, K::High, 16, 1}, {1, qs, K::High, 48, 1}}};
}

std::pair<Value, Value> StorageAccess::emitBytePair(OpBuilder &b, Location loc, Value row, Value k,
                                                    int64_t offset, const ByteCodes &codes) const {
  auto i8Vec = [&](int64_t n) { return VectorType::get({n}, b.getI8Type()); };
  auto splatI8 = [&](int64_t v) {
    return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(i8Vec(16), b.getI8IntegerAttr(v))).getResult();
  };
  // Where each chunk's bytes start: the pair's first code byte (planar,
  // tiled) or each chunk's GGUF block.
  Value bytes;
  SmallVector<Value> bases;
  if (scheme.getLayout() != LayoutKind::ggml) {
    auto [data, byte] = codeBytes(b, loc, row, k, offset);
    bytes = data;
    bases.push_back(byte);
  } else {
    bytes = buffers.front();
    GgmlBlockType g = *getGgmlBlockType(scheme);
    for (int64_t c : {0, 1})
      bases.push_back(ggmlBlockAt(b, loc, g, type.getShape()[1], row, k, offset + kByteChunk * c).first);
  }
  std::array<BytePiece, 4> pieces = bytePairPieces(scheme, offset);
  auto read = [&](const BytePiece &piece) {
    Value at = arith::AddIOp::create(b, loc, bases[std::min<int64_t>(piece.chunk, bases.size() - 1)],
                                     indexConst(b, loc, piece.byteOffset));
    Value pad = arith::ConstantIntOp::create(b, loc, b.getI8Type(), 0);
    return flipStoredBytes(
        b, loc,
        vector::TransferReadOp::create(b, loc, i8Vec(16), bytes, ValueRange{at}, pad, ArrayRef<bool>{true}),
        codes);
  };
  // One 32-byte operand from two pieces.
  auto operand = [&](const BytePiece &first, const BytePiece &second) -> Value {
    if (first.chunk == second.chunk && first.byteOffset == second.byteOffset && first.kind == BytePiece::Low &&
        second.kind == BytePiece::High) {
      // The low and high nibbles of the same 16 bytes: the bytes in both
      // halves, the upper half shifted by 4 as i32 lanes, then masked.
      Value raw = read(first);
      Value both = vector::ShuffleOp::create(b, loc, raw, raw, llvm::to_vector(llvm::concat<const int64_t>(
                                                                   llvm::seq<int64_t>(0, 16), llvm::seq<int64_t>(0, 16))));
      auto i32x8 = VectorType::get({8}, b.getI32Type());
      Value shifts = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(i32x8, ArrayRef<int32_t>{0, 0, 0, 0, 4, 4, 4, 4}));
      Value shifted = arith::ShRUIOp::create(b, loc, vector::BitCastOp::create(b, loc, i32x8, both), shifts);
      return arith::AndIOp::create(
          b, loc, vector::BitCastOp::create(b, loc, i8Vec(32), shifted),
          arith::ConstantOp::create(b, loc, DenseElementsAttr::get(i8Vec(32), b.getI8IntegerAttr(0xF))));
    }
    SmallVector<Value> halves;
    for (const BytePiece &piece : {first, second}) {
      Value raw = read(piece);
      if (piece.kind == BytePiece::Low)
        raw = arith::AndIOp::create(b, loc, raw, splatI8(0xF));
      else if (piece.kind == BytePiece::High)
        raw = arith::ShRUIOp::create(b, loc, raw, splatI8(4));
      halves.push_back(raw);
    }
    return vector::ShuffleOp::create(b, loc, halves[0], halves[1], llvm::to_vector(llvm::seq<int64_t>(0, 32)));
  };
  return {applyByteCodes(b, loc, operand(pieces[0], pieces[1]), codes),
          applyByteCodes(b, loc, operand(pieces[2], pieces[3]), codes)};
}

/// Position p of a byte pair of `scheme` holds element order[p] of the 64.
static SmallVector<int64_t> bytePairOrder(SchemeAttr scheme) {
  SmallVector<int64_t> order;
  for (const BytePiece &piece : bytePairPieces(scheme, 0))
    for (int64_t i = 0; i < 16; ++i)
      order.push_back(piece.first + piece.stride * i);
  return order;
}

SmallVector<int64_t> StorageAccess::getBytePairOrder() const { return bytePairOrder(scheme); }

std::optional<StorageAccess::WordPlanes> StorageAccess::getWordPlanes(QTensorType type) {
  SchemeAttr scheme = type.getScheme();
  if (!supportsChunks(type) || type.getShape()[1] % kByteChunk || scheme.getElement().getBitWidth() != 4 ||
      scheme.getLayout() == LayoutKind::ggml || scheme.getOffset() != OffsetKind::none || getByteCodes(type))
    return std::nullopt;
  // The values as integers V times 2^-e, e the least that makes them whole.
  SmallVector<double> values;
  for (uint64_t c = 0; c < 16; ++c)
    values.push_back(storedCodeValue(type.getScheme(), c));
  SmallVector<int64_t> ints;
  int e = 0;
  for (; e <= 40; ++e) {
    ints.clear();
    for (double v : values) {
      double q = std::ldexp(v, e);
      if (!std::isfinite(q) || q != std::trunc(q) || std::fabs(q) > 0x1p40)
        break;
      ints.push_back(int64_t(q));
    }
    if (ints.size() == values.size())
      break;
  }
  if (e > 40)
    return std::nullopt;
  // V = hi * 2^s + lo, planes of at most 2^14 in magnitude: sums of up to
  // 32 products with activation codes (|q| <= 128) stay within an i32.
  constexpr int64_t kPlaneMax = int64_t(1) << 14;
  int64_t vmax = 0;
  for (int64_t v : ints)
    vmax = std::max<int64_t>(vmax, std::abs(v));
  int s = 0;
  while ((vmax >> s) >= kPlaneMax)
    ++s;
  WordPlanes planes;
  SmallVector<int64_t> hi, lo;
  for (int64_t v : ints) {
    int64_t h = s ? (v + (int64_t(1) << (s - 1))) >> s : v; // nearest, ties up
    hi.push_back(h);
    lo.push_back(v - h * (int64_t(1) << s));
  }
  planes.tables.push_back(hi);
  planes.factors.push_back(std::ldexp(1.0, s - e));
  if (llvm::any_of(lo, [](int64_t v) { return v != 0; })) {
    if (llvm::any_of(lo, [&](int64_t v) { return std::abs(v) > kPlaneMax; }))
      return std::nullopt;
    planes.tables.push_back(lo);
    planes.factors.push_back(std::ldexp(1.0, -e));
  }
  return planes;
}

SmallVector<int64_t> StorageAccess::getWordPairOrder(QTensorType type) {
  SmallVector<int64_t> bytes = bytePairOrder(type.getScheme()), order;
  for (int64_t operand : {0, 32})
    for (int64_t half : {0, 8})
      for (int64_t lane : {0, 16})
        for (int64_t i = 0; i < 8; ++i)
          order.push_back(bytes[operand + lane + half + i]);
  return order;
}

SmallVector<std::array<Value, 4>> StorageAccess::emitWordPair(OpBuilder &b, Location loc, Value row, Value k,
                                                               int64_t offset, const WordPlanes &planes) const {
  auto [x, y] = emitBytePair(b, loc, row, k, offset, ByteCodes{});
  auto words = VectorType::get({kByteChunk}, b.getI16Type());
  SmallVector<std::array<Value, 4>> operands;
  for (ArrayRef<int64_t> table : planes.tables) {
    SmallVector<float> entries(table.begin(), table.end());
    std::array<Value, 4> plane;
    for (auto [i, codes] : llvm::enumerate(std::array{x, y})) {
      Value w = LookupOp::create(b, loc, words, codes, b.getDenseF32ArrayAttr(entries));
      // Halves in the order of AVX2's in-lane unpacks of the entries' bytes.
      for (int64_t half : {0, 1}) {
        SmallVector<int64_t> picks;
        for (int64_t lane : {0, 16})
          for (int64_t j = 0; j < 8; ++j)
            picks.push_back(lane + 8 * half + j);
        plane[2 * i + half] = vector::ShuffleOp::create(b, loc, w, w, picks);
      }
    }
    operands.push_back(plane);
  }
  return operands;
}


/// The order in which a chunk of `n` elements comes out of its bytes.
static SmallVector<int64_t> chunkOrder(SchemeAttr scheme, int64_t n) {
  SmallVector<int64_t> order;
  bool planarNibbles = scheme.getLayout() != LayoutKind::ggml && scheme.getElement().getBitWidth() == 4;
  if (planarNibbles) // even elements from the low nibbles, then odd ones from the high
    for (int64_t parity : {0, 1})
      for (int64_t i = parity; i < n; i += 2)
        order.push_back(i);
  else
    for (int64_t i = 0; i < n; ++i)
      order.push_back(i);
  return order;
}

SmallVector<int64_t> StorageAccess::getByteChunkOrder(QTensorType type) {
  return chunkOrder(type.getScheme(), kByteChunk);
}

bool StorageAccess::decodesByLookup() const {
  // A 4-bit codebook or minifloat is a 16-entry table: one qf.lookup (a
  // single permute on AVX-512) instead of its arithmetic decode. So is q4_0,
  // whose stored nibbles are its codes offset by 8. GPU kernels (on memrefs)
  // have no such permute: there only codebooks are tables.
  QuantFormatAttrInterface elem = scheme.getElement();
  if (elem.getBitWidth() != 4)
    return false;
  if (scheme.getLayout() == LayoutKind::ggml && getGgmlBlockType(scheme)->name == "q4_0")
    return true;
  return isa<MemRefType>(buffers.front().getType()) ? isa<LutFormatAttr>(elem) : !isa<IntFormatAttr>(elem);
}

bool StorageAccess::interleavesLookupCodes() const {
  // q4_0's offset table is a progression, which the lookup lowering decodes
  // arithmetically: its codes stay in place.
  return avx2LookupOrder && getChunkSize() == 32 && decodesByLookup() &&
         !isa<IntFormatAttr>(scheme.getElement());
}

SmallVector<int64_t> StorageAccess::getChunkOrder() const {
  SmallVector<int64_t> order = chunkOrder(scheme, getChunkSize());
  if (!interleavesLookupCodes())
    return order;
  return llvm::map_to_vector(lookupDwordPairs(), [&](int64_t p) { return order[p]; });
}

Value StorageAccess::emitByteChunk(OpBuilder &b, Location loc, Value row, Value k,
                                   int64_t offset, const ByteCodes &codes) const {
  auto i8Vec = [&](int64_t n) { return VectorType::get({n}, b.getI8Type()); };
  auto splatI8 = [&](int64_t n, int64_t v) {
    return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(i8Vec(n), b.getI8IntegerAttr(v)))
        .getResult();
  };
  auto read = [&](Value bytes, Value offset, int64_t n) {
    Value pad = arith::ConstantIntOp::create(b, loc, b.getI8Type(), 0);
    return flipStoredBytes(
        b, loc, vector::TransferReadOp::create(b, loc, i8Vec(n), bytes, ValueRange{offset}, pad, ArrayRef<bool>{true}),
        codes);
  };
  // The low nibbles of 16 bytes, then their high nibbles.
  auto nibbles = [&](Value packed) {
    Value low = arith::AndIOp::create(b, loc, packed, splatI8(16, 0xF));
    Value high = arith::ShRUIOp::create(b, loc, packed, splatI8(16, 4));
    return vector::ShuffleOp::create(b, loc, low, high, llvm::to_vector(llvm::seq<int64_t>(0, kByteChunk)))
        .getResult();
  };
  Value raw;
  if (scheme.getLayout() != LayoutKind::ggml) {
    auto [data, byte] = codeBytes(b, loc, row, k, offset);
    if (scheme.getElement().getBitWidth() == 8)
      raw = read(data, byte, kByteChunk);
    else
      raw = nibbles(read(data, byte, 16));
  } else {
    GgmlBlockType g = *getGgmlBlockType(scheme);
    Value bytes = buffers.front();
    Value base = ggmlBlockAt(b, loc, g, type.getShape()[1], row, k, offset).first;
    int64_t j = offset % g.blockElements;
    auto at = [&](int64_t offset) {
      return arith::AddIOp::create(b, loc, base, indexConst(b, loc, offset)).getResult();
    };
    if (g.name == "q8_0") {
      raw = read(bytes, at(2), kByteChunk);
    } else if (g.name == "q4_k") {
      // Sub-block s: the low (even s) or high (odd s) nibbles of the 32
      // bytes at 16 + 32 * (s / 2).
      int64_t s = j / 32;
      Value packed = read(bytes, at(16 + 32 * (s / 2)), kByteChunk);
      raw = arith::AndIOp::create(
          b, loc, s % 2 ? arith::ShRUIOp::create(b, loc, packed, splatI8(kByteChunk, 4)).getResult() : packed,
          splatI8(kByteChunk, 0xF));
    } else {
      int64_t qs = g.name == "q4_1" ? 4 : g.name == "mxfp4_ggml" ? 1 : 2;
      raw = nibbles(read(bytes, at(qs), 16));
    }
  }
  return applyByteCodes(b, loc, raw, codes);
}
