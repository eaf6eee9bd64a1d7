//===- Package.h - A loaded compiled package -------------------------------===//
#ifndef QFORGE_RUNTIME_PACKAGE_H
#define QFORGE_RUNTIME_PACKAGE_H

#include "runtime/Manifest.h"

#include <map>
#include <memory>

namespace qforge::runtime {

struct Buffer {
  void *data;
  size_t bytes;
};

class Package {
public:
  static std::unique_ptr<Package> load(const std::string &dir, std::string &error);
  ~Package();

  const Manifest &manifest() const { return manifest_; }

  /// Calls `entry`; buffers in manifest order, sizes checked.
  bool run(const std::string &entry, const std::vector<Buffer> &args,
           const std::vector<Buffer> &results, std::string &error) const;

private:
  Package() = default;
  using EntryFn = void (*)(void **);
  Manifest manifest_;
  void *library_ = nullptr;
  std::map<std::string, EntryFn> functions_;
};

/// The exported symbol calling entry `name` with an array of pointers to
/// memref descriptors (arguments, then results).
std::string entrySymbol(const std::string &name);

} // namespace qforge::runtime

#endif // QFORGE_RUNTIME_PACKAGE_H
