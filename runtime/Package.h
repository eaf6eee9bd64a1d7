//===- Package.h - A loaded compiled package -------------------------------===//
#ifndef QFORGE_RUNTIME_PACKAGE_H
#define QFORGE_RUNTIME_PACKAGE_H

#include "runtime/CudaDevice.h"
#include "runtime/Manifest.h"
#include "runtime/ThreadTeam.h"

#include <functional>
#include <unordered_map>
#include <memory>
#include <mutex>

namespace qforge::runtime {

struct Buffer {
  void *data;
  size_t bytes;
};

class Package {
public:
  static std::unique_ptr<Package> load(const std::string &dir, std::string &error);
  /// The package in `dir` whose manifest the caller has read (readManifest).
  static std::unique_ptr<Package> load(const std::string &dir, Manifest manifest, std::string &error);
  /// The manifest of the package in `dir`, read without loading its kernels.
  static bool readManifest(const std::string &dir, Manifest &manifest, std::string &error);
  ~Package();

  const Manifest &manifest() const { return manifest_; }

  /// Threads that run an entry with a split (1: the calling thread only);
  /// they start here and wait between runs. Runs with a split use them one
  /// at a time.
  void setThreads(int threads);
  int threads() const { return threads_; }

  /// Calls `entry`; buffers in manifest order, sizes checked. An entry with
  /// a split runs its blocks on threads() threads. A CUDA package's entry
  /// copies the buffers to the GPU and its results back.
  bool run(const std::string &entry, const std::vector<Buffer> &args,
           const std::vector<Buffer> &results, std::string &error) const;

  /// The GPU a CUDA package's kernels are loaded on; null for a CPU package.
  cuda::Device *device() const { return device_.get(); }

  /// Enqueues the kernel of a CUDA package's `entry` on the device's stream
  /// (it returns before the kernel ends); operands in manifest order as
  /// device buffers of the byte counts given, which are checked.
  bool launch(const std::string &entry, const std::vector<cuda::DevicePtr> &args,
              const std::vector<size_t> &argBytes, const std::vector<cuda::DevicePtr> &results,
              const std::vector<size_t> &resultBytes, std::string &error) const;

  /// Runs `body(begin, end)` on consecutive parts of [0, n), one a thread.
  void parallelFor(int64_t n, const std::function<void(int64_t, int64_t)> &body) const;

private:
  Package() = default;
  using EntryFn = void (*)(void **);
  void runBlocks(const EntryPoint &e, const std::vector<Buffer> &args,
                 const std::vector<Buffer> &results) const;
  static void call(const EntryPoint &e, EntryFn fn, const std::vector<Buffer> &args,
                   const std::vector<Buffer> &results);

  Manifest manifest_;
  int threads_ = 1;
  mutable std::unique_ptr<ThreadTeam> team_;
  mutable std::mutex teamMutex_;
  void *library_ = nullptr;
  struct Loaded {
    const EntryPoint *entry;
    EntryFn fn;
    void *kernel; ///< a CUDA package's CUfunction
  };
  bool loadCuda(const std::string &dir, std::string &error);
  const Loaded *find(const std::string &entry, std::string &error) const;
  bool checkSizes(const EntryPoint &e, const std::vector<size_t> &argBytes,
                  const std::vector<size_t> &resultBytes, std::string &error) const;
  bool runOnDevice(const EntryPoint &e, const std::vector<Buffer> &args,
                   const std::vector<Buffer> &results, std::string &error) const;

  std::unique_ptr<cuda::Device> device_;
  std::shared_ptr<cuda::Device::Module> module_;
  std::unordered_map<std::string, Loaded> entries_; ///< by name: models call thousands a step
};

/// The exported symbol calling entry `name` with an array of pointers to
/// memref descriptors (arguments, then results).
std::string entrySymbol(const std::string &name);

} // namespace qforge::runtime

#endif // QFORGE_RUNTIME_PACKAGE_H
