//===- ModelPackage.cpp - A model's kernels, weights and tokenizer ---------===//
#include "codegen/cpu/ModelPackage.h"
#include "codegen/cpu/Package.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace rt = qforge::runtime;

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

llvm::Error qf::writeModelPackage(ModuleOp kernels, const rt::ModelDescription &description,
                                  llvm::ArrayRef<std::vector<llvm::ArrayRef<uint8_t>>> tensorData,
                                  const rt::Tokenizer &tokenizer, llvm::StringRef outputDir,
                                  const CpuTarget &target,
                                  llvm::function_ref<void(llvm::StringRef)> progress) {
  if (tensorData.size() != description.tensors.size())
    return makeError("writeModelPackage: one data range per tensor");
  llvm::SmallString<256> modelPath(outputDir);
  llvm::sys::path::append(modelPath, "model.txt");
  // A package being rewritten is not loadable until it is whole again.
  llvm::sys::fs::remove(modelPath);
  if (llvm::Error err = writeCpuPackage(kernels, outputDir, target, progress))
    return err;

  uint64_t total = 0;
  for (const rt::WeightTensor &t : description.tensors)
    total = std::max(total, t.offset + t.bytes);
  if (progress)
    progress("writing weights.bin (" + std::to_string((total + (1 << 19)) >> 20) + " MiB, " +
             std::to_string(description.tensors.size()) + " tensors)");
  llvm::SmallString<256> weightsPath(outputDir), tokenizerPath(outputDir);
  llvm::sys::path::append(weightsPath, "weights.bin");
  llvm::sys::path::append(tokenizerPath, "tokenizer.txt");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(weightsPath, ec, llvm::sys::fs::OF_None);
    if (ec)
      return makeError(weightsPath + ": " + ec.message());
    uint64_t at = 0;
    for (auto [t, pieces] : llvm::zip(description.tensors, tensorData)) {
      uint64_t bytes = 0;
      for (llvm::ArrayRef<uint8_t> piece : pieces)
        bytes += piece.size();
      if (t.offset < at || bytes != t.bytes)
        return makeError("writeModelPackage: tensor " + t.name + " overlaps or has " +
                         std::to_string(bytes) + " bytes for " + std::to_string(t.bytes));
      os.write_zeros(unsigned(t.offset - at));
      for (llvm::ArrayRef<uint8_t> piece : pieces)
        os.write(reinterpret_cast<const char *>(piece.data()), piece.size());
      at = t.offset + t.bytes;
    }
    os.close();
    if (os.has_error())
      return makeError(weightsPath + ": " + os.error().message());
  }
  std::string error;
  if (!tokenizer.save(tokenizerPath.str().str(), error))
    return makeError(error);
  std::error_code ec;
  llvm::raw_fd_ostream os(modelPath, ec, llvm::sys::fs::OF_None);
  if (ec)
    return makeError(modelPath + ": " + ec.message());
  os << description.serialize();
  os.close();
  if (os.has_error())
    return makeError(modelPath + ": " + os.error().message());
  return llvm::Error::success();
}
