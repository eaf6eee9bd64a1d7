//===- Manifest.h - What a compiled package contains -----------------------===//
//
// A package is a directory: `manifest.txt` and the kernels' shared object.
// The manifest is line-based text (docs/package.md):
//
//   qforge-package 1
//   compiler qforge 0.1.0
//   triple x86_64-unknown-linux-gnu
//   cpu znver5
//   features avx2 avx512f fma
//   library kernels.so
//   entry mm
//   arg a tensor f32 1x256
//   arg w.blocks buffer u8 108
//   result 0 tensor f32 1x5
//   split mm__block 64 0 108 5
//   end
//
// A CUDA package (triple nvptx64-nvidia-cuda, cpu the GPU architecture) has
// a cubin or PTX library and, per entry, `launch KERNEL THREADS ROWS TOKENS`
// in place of a split.
//
// A tensor argument may have one dynamic axis, written `?` (-1 in `shape`):
// its extent is what the caller's byte count gives. Results are static.
// `split` names an entry that computes one of `blocks` equal blocks of the
// output, then, per argument and result operand, what one block takes: a
// byte count for an argument cut into consecutive blocks, 0 for one every
// block takes whole, and for a result its extent along the axis the blocks
// split (the one axis where the block entry's result shape differs).
// Arguments are in call order; a quantized tensor argument appears as its
// storage buffers (`<arg>.<buffer>`, raw bytes). This header has no LLVM or
// MLIR dependency: the runtime is small.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_RUNTIME_MANIFEST_H
#define QFORGE_RUNTIME_MANIFEST_H

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace qforge::runtime {

constexpr int kPackageVersion = 1;

struct Operand {
  std::string name;
  std::string kind;  ///< "tensor" (typed, shaped) or "buffer" (raw bytes)
  std::string dtype; ///< f32, u8, ...
  std::vector<int64_t> shape; ///< kDynamic on at most one axis of a tensor argument

  static constexpr int64_t kDynamic = -1;
  bool isDynamic() const;
  /// Elements and bytes of a static operand; of one unit of the dynamic axis
  /// for a dynamic one.
  int64_t numElements() const;
  int64_t bytes() const;
  /// The shape `bytes` of data give this operand: its static shape if the
  /// count is right, the dynamic axis's extent filled in if they are a whole
  /// number of units; empty (and false) if they do not fit.
  bool shapeFor(size_t bytes, std::vector<int64_t> &out) const;
};

/// How an entry point splits into blocks of its output that threads run.
struct Split {
  std::string blockEntry;
  int64_t blocks = 0;
  std::vector<int64_t> argBlockBytes;   ///< per argument operand; 0: whole
  std::vector<int64_t> resultBlockExtents; ///< per result: along the split axis
};

/// How a GPU package launches an entry's kernel: blocks of `threads`
/// threads, each computing `rowsPerBlock` columns of the result (its last
/// axis) for `tokensPerBlock` of its rows (all other axes flattened); the
/// kernel takes each operand as a rank-1 memref descriptor.
struct Launch {
  std::string kernel;
  int64_t threads = 0, rowsPerBlock = 0, tokensPerBlock = 0;
};

struct EntryPoint {
  std::string name;
  std::vector<Operand> args, results;
  Split split;   ///< blocks == 0: runs whole
  Launch launch; ///< threads == 0: a CPU entry
};

struct Manifest {
  std::string compiler, triple, cpu, library;
  std::vector<std::string> features;
  std::vector<EntryPoint> entries;

  const EntryPoint *find(const std::string &name) const;
  /// Whether the kernels are for a CUDA GPU (PTX/cubin) rather than the CPU.
  bool forCuda() const { return triple.rfind("nvptx", 0) == 0; }
  std::string serialize() const;
  /// Parses manifest text; on failure returns false and sets `error` to a
  /// message naming the line.
  static bool parse(const std::string &text, Manifest &out, std::string &error);
};

/// "4x8" -> {4, 8}, "scalar" -> {}, and with `allowDynamic` "4x?" -> {4,
/// kDynamic}; false if malformed.
bool parseShapeText(const std::string &text, std::vector<int64_t> &shape,
                    bool allowDynamic = false);

/// The whole file at `path`; false with `error` naming it if it cannot be read.
bool readTextFile(const std::string &path, std::string &text, std::string &error);

/// Bytes of one element of a manifest dtype (0 if unknown).
int64_t dtypeBytes(const std::string &dtype);

/// The line-based files (manifest.txt, model.txt): a header line `<magic>
/// <version>`, then one `key words...` a line; blank lines are skipped.
/// Errors name the line: "<prefix><number>: <message>".
class KeyedLines {
public:
  KeyedLines(const std::string &text, std::string prefix, std::string &error)
      : lines_(text), prefix_(std::move(prefix)), error_(error) {}

  /// The header; false with the error set if the first line is not `magic
  /// version` ("not a <what> ...", "<kind> version V, ...") or there is none
  /// ("empty <what>").
  bool readHeader(const std::string &magic, int version, const std::string &what,
                  const std::string &kind);
  /// The next non-blank line: its first word in `key`, the rest in words().
  bool next(std::string &key);
  std::istringstream &words() { return words_; }
  /// Sets the error at the current line; false.
  bool fail(const std::string &message);

private:
  std::istringstream lines_, words_;
  std::string prefix_;
  std::string &error_;
  int line_ = 0;
};

/// CPU features the runtime can check on the running machine, by the names
/// used in manifests.
const std::vector<std::string> &checkableCpuFeatures();
bool hostHasCpuFeature(const std::string &name);

} // namespace qforge::runtime

#endif // QFORGE_RUNTIME_MANIFEST_H
