//===- TuningDb.h - The persistent tuning database -------------------------===//
//
// Tuned schedules in SQLite, keyed by the machine (target triple, CPU name
// and features), the kernel (op, shape, weight scheme, activations, threads)
// and the versions that decide whether a schedule still means the same
// thing (search space, compiler). Several tuners may write at once: writes
// are transactions under SQLite's locking (WAL journal, a busy timeout), a
// record keeps the fastest schedule seen, and every trial is kept.
//===----------------------------------------------------------------------===//
#ifndef QFORGE_TUNING_TUNINGDB_H
#define QFORGE_TUNING_TUNINGDB_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace qforge::tuning {

struct TuningKey {
  std::string target;     ///< LLVM target triple
  std::string cpu;        ///< CPU name and the features kernels may use, "znver4+avx2,avx512f,..."
  std::string op;         ///< "matmul"
  std::string shape;      ///< "MxNxK"
  std::string scheme;     ///< the weights' scheme (preset name or #qf.scheme body)
  std::string activation; ///< the activation scheme and rotation, or "f32"
  int64_t threads = 1;
  int64_t spaceVersion = 0;
  std::string compiler;   ///< "qforge X.Y.Z"
};

struct TuningRecord {
  TuningKey key;
  std::string schedule;   ///< a #qf.cpu_schedule
  double seconds = 0;     ///< median time of the schedule
  std::optional<double> defaultSeconds; ///< of the default schedule, same run (unknown in records migrated from version 1)
  int64_t trials = 0;
  std::string tunedAt;    ///< UTC, ISO 8601
};

struct Trial {
  int64_t index = 0;      ///< 0: the default schedule
  std::string schedule;
  double seconds = 0;
};

class TuningDb {
public:
  /// The layout this build writes; older files are migrated on open.
  static constexpr int64_t kSchemaVersion = 2;

  /// Opens (creating if needed) and migrates the database at `path`.
  static llvm::Expected<std::unique_ptr<TuningDb>> open(llvm::StringRef path);
  ~TuningDb();

  /// Stores a tuning session's trials and its result in one transaction;
  /// the key's record keeps the faster of the stored and the new schedule.
  llvm::Error record(const TuningRecord &result, llvm::ArrayRef<Trial> trials);

  /// Records for the key's machine, kernel and threads, most trusted first:
  /// the key's space version and compiler, then the same space version from
  /// other compilers, then older space versions, newest first. The caller
  /// takes the first its compiler still accepts.
  llvm::Expected<std::vector<TuningRecord>> lookup(const TuningKey &key);

  /// Every record, in key order.
  llvm::Expected<std::vector<TuningRecord>> records();

  /// The trials of the latest session that tuned exactly this key, in order.
  llvm::Expected<std::vector<Trial>> latestTrials(const TuningKey &key);

  const std::string &path() const { return path_; }

private:
  TuningDb(sqlite3 *db, std::string path) : db_(db), path_(std::move(path)) {}
  llvm::Error exec(llvm::StringRef sql);
  llvm::Error migrate();
  llvm::Error failure(llvm::StringRef what);

  sqlite3 *db_;
  std::string path_;
};

} // namespace qforge::tuning

#endif // QFORGE_TUNING_TUNINGDB_H
