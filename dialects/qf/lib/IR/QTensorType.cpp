//===- QTensorType.cpp - !qf.qtensor ---------------------------------------===//
#include "qf/IR/Layout.h"
#include "qf/IR/Qf.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::qf;

Type QTensorType::parse(AsmParser &parser) {
  SmallVector<int64_t> shape;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/true, /*withTrailingX=*/false) ||
      parser.parseComma())
    return {};
  SchemeAttr scheme;
  StringRef presetName;
  SMLoc schemeLoc = parser.getCurrentLocation();
  if (succeeded(parser.parseOptionalKeyword(&presetName))) {
    auto *dialect = parser.getContext()->getOrLoadDialect<QfDialect>();
    scheme = dyn_cast_or_null<SchemeAttr>(dialect->lookupPreset(presetName));
    if (!scheme) {
      parser.emitError(schemeLoc, "unknown scheme preset '") << presetName << "'";
      return {};
    }
  } else if (parser.parseAttribute(scheme)) {
    return {};
  }
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); }, parser.getContext(),
                    ArrayRef<int64_t>(shape), scheme);
}

void QTensorType::print(AsmPrinter &p) const {
  p << "<";
  llvm::interleave(getShape(), p, "x");
  p << ", ";
  StringRef preset = getScheme().getPresetName();
  if (!preset.empty())
    p << preset;
  else
    p.printAttribute(getScheme());
  p << ">";
}

LogicalResult QTensorType::verify(function_ref<InFlightDiagnostic()> emitError,
                                  ArrayRef<int64_t> shape, SchemeAttr scheme) {
  if (shape.empty())
    return emitError() << "qtensor needs rank >= 1";
  int64_t numel = 1;
  for (int64_t d : shape) {
    if (d <= 0)
      return emitError() << "qtensor dimensions must be static and positive";
    if (llvm::MulOverflow(numel, d, numel) || numel > (int64_t(1) << 56))
      return emitError() << "qtensor has more than 2^56 elements";
  }
  int64_t rank = shape.size();
  switch (scheme.getGranularity()) {
  case Granularity::tensor:
    break;
  case Granularity::per_axis:
    if (scheme.getAxis() >= rank)
      return emitError() << "per_axis " << scheme.getAxis() << " is out of range for rank " << rank;
    break;
  case Granularity::group: {
    int64_t axis = scheme.getAxis() < 0 ? rank - 1 : scheme.getAxis();
    if (axis >= rank)
      return emitError() << "group axis " << axis << " is out of range for rank " << rank;
    int64_t g = scheme.getGroupSize();
    if (shape[axis] % g)
      return emitError() << "group size " << g << " does not divide dimension " << axis
                         << " (size " << shape[axis] << ")";
    if (int64_t sb = scheme.getSuperBlock()) {
      if (axis != rank - 1)
        return emitError() << "super_block needs groups along the last axis";
      if (shape[axis] % sb)
        return emitError() << "super_block " << sb << " does not divide dimension " << axis
                           << " (size " << shape[axis] << ")";
    }
    break;
  }
  case Granularity::block: {
    if (rank < 2)
      return emitError() << "block granularity needs rank >= 2";
    ArrayRef<int64_t> b = scheme.getBlockShape();
    if (shape[rank - 2] % b[0] || shape[rank - 1] % b[1])
      return emitError() << "block [" << b[0] << ", " << b[1]
                         << "] does not tile the last two dimensions (" << shape[rank - 2]
                         << "x" << shape[rank - 1] << ")";
    break;
  }
  }
  if (scheme.getLayout() == LayoutKind::ggml && scheme.getAxis() != -1 &&
      scheme.getAxis() != rank - 1)
    return emitError() << "layout = ggml needs blocks along the last axis";
  if (scheme.getLayout() == LayoutKind::tiled) {
    if (rank != 2 || (scheme.getAxis() != -1 && scheme.getAxis() != 1))
      return emitError() << "layout = tiled needs a rank-2 tensor grouped along its last axis";
    if (!getTileElements(scheme, shape[1]))
      return emitError() << "layout = tiled needs a tile of 32 to 256 elements that holds whole groups ("
                         << scheme.getGroupSize() << ")"
                         << (scheme.getSuperBlock() ? " and super-blocks (" + std::to_string(scheme.getSuperBlock()) + ")"
                                                    : std::string())
                         << " and divides dimension 1 (size " << shape[1] << ")";
  }
  return success();
}
