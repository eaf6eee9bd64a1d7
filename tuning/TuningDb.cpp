//===- TuningDb.cpp - The persistent tuning database -----------------------===//
#include "tuning/TuningDb.h"

#include "llvm/Support/Process.h"

#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <random>
#include <thread>

using namespace qforge::tuning;

namespace {

// The key columns, in TuningKey's order.
constexpr const char *kKeyColumns =
    "target, cpu, op, shape, scheme, activation, threads, space_version, compiler";

// Version 1 (the first layout): records without the thread count or the
// default schedule's time, and no trials.
constexpr const char *kSchemaV1 = R"sql(
CREATE TABLE records(
  target TEXT NOT NULL, cpu TEXT NOT NULL, op TEXT NOT NULL, shape TEXT NOT NULL,
  scheme TEXT NOT NULL, activation TEXT NOT NULL, space_version INTEGER NOT NULL,
  compiler TEXT NOT NULL, schedule TEXT NOT NULL, seconds REAL NOT NULL,
  trials INTEGER NOT NULL, tuned_at TEXT NOT NULL,
  PRIMARY KEY(target, cpu, op, shape, scheme, activation, space_version, compiler));
)sql";

// Version 2: the thread count joins the key (a schedule tuned on 1 thread is
// not the one for 2), the default's time makes speedups reportable, and
// every trial is kept. Version 1 records were tuned on one thread.
constexpr const char *kMigrateV1ToV2 = R"sql(
CREATE TABLE records_v2(
  target TEXT NOT NULL, cpu TEXT NOT NULL, op TEXT NOT NULL, shape TEXT NOT NULL,
  scheme TEXT NOT NULL, activation TEXT NOT NULL, threads INTEGER NOT NULL,
  space_version INTEGER NOT NULL, compiler TEXT NOT NULL, schedule TEXT NOT NULL,
  seconds REAL NOT NULL, default_seconds REAL, trials INTEGER NOT NULL, tuned_at TEXT NOT NULL,
  PRIMARY KEY(target, cpu, op, shape, scheme, activation, threads, space_version, compiler));
INSERT INTO records_v2
  SELECT target, cpu, op, shape, scheme, activation, 1, space_version, compiler, schedule,
         seconds, NULL, trials, tuned_at FROM records;
DROP TABLE records;
ALTER TABLE records_v2 RENAME TO records;
CREATE TABLE trials(
  session TEXT NOT NULL, target TEXT NOT NULL, cpu TEXT NOT NULL, op TEXT NOT NULL,
  shape TEXT NOT NULL, scheme TEXT NOT NULL, activation TEXT NOT NULL, threads INTEGER NOT NULL,
  space_version INTEGER NOT NULL, compiler TEXT NOT NULL, trial INTEGER NOT NULL,
  schedule TEXT NOT NULL, seconds REAL NOT NULL, recorded_at TEXT NOT NULL,
  PRIMARY KEY(session, trial));
CREATE INDEX trials_by_key ON trials(target, cpu, op, shape, scheme, activation, threads,
                                     space_version, compiler);
)sql";

std::string utcNow() {
  std::time_t t = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return text;
}

/// A prepared statement, finalized when it goes.
class Statement {
public:
  Statement(sqlite3 *db, llvm::StringRef sql) { rc = sqlite3_prepare_v2(db, sql.data(), int(sql.size()), &s, nullptr); }
  ~Statement() { sqlite3_finalize(s); }
  bool ok() const { return rc == SQLITE_OK; }
  Statement &bind(const std::string &v) {
    sqlite3_bind_text(s, ++at, v.data(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement &bind(int64_t v) {
    sqlite3_bind_int64(s, ++at, v);
    return *this;
  }
  Statement &bind(double v) {
    sqlite3_bind_double(s, ++at, v);
    return *this;
  }
  Statement &bind(std::optional<double> v) {
    if (v)
      return bind(*v);
    sqlite3_bind_null(s, ++at);
    return *this;
  }
  Statement &bindKey(const TuningKey &k) {
    return bind(k.target).bind(k.cpu).bind(k.op).bind(k.shape).bind(k.scheme).bind(k.activation)
        .bind(k.threads).bind(k.spaceVersion).bind(k.compiler);
  }
  int step() { return sqlite3_step(s); }
  /// Ends the statement's run, so that it holds no lock.
  void reset() { sqlite3_reset(s); }
  std::string text(int i) const {
    auto *p = reinterpret_cast<const char *>(sqlite3_column_text(s, i));
    return p ? p : "";
  }
  int64_t integer(int i) const { return sqlite3_column_int64(s, i); }
  double real(int i) const { return sqlite3_column_double(s, i); }
  bool null(int i) const { return sqlite3_column_type(s, i) == SQLITE_NULL; }
  /// Reads a TuningKey from columns [i, i + 9).
  TuningKey key(int i) const {
    return {text(i), text(i + 1), text(i + 2), text(i + 3), text(i + 4), text(i + 5),
            integer(i + 6), integer(i + 7), text(i + 8)};
  }

private:
  sqlite3_stmt *s = nullptr;
  int rc, at = 0;
};

std::string recordColumns() {
  return std::string(kKeyColumns) + ", schedule, seconds, default_seconds, trials, tuned_at";
}

/// The records a SELECT of recordColumns() yields, or nothing on an error.
std::optional<std::vector<TuningRecord>> readRecords(Statement &s) {
  std::vector<TuningRecord> found;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    TuningRecord r{s.key(0), s.text(9), s.real(10), std::nullopt, s.integer(12), s.text(13)};
    if (!s.null(11))
      r.defaultSeconds = s.real(11);
    found.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE)
    return std::nullopt;
  return found;
}

} // namespace

llvm::Error TuningDb::failure(llvm::StringRef what) {
  return llvm::createStringError(path_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

llvm::Error TuningDb::exec(llvm::StringRef sql) {
  char *message = nullptr;
  if (sqlite3_exec(db_, sql.str().c_str(), nullptr, nullptr, &message) == SQLITE_OK)
    return llvm::Error::success();
  std::string text = message ? message : "unknown error";
  sqlite3_free(message);
  return llvm::createStringError(path_ + ": " + text);
}

llvm::Expected<std::unique_ptr<TuningDb>> TuningDb::open(llvm::StringRef path) {
  sqlite3 *db = nullptr;
  int rc = sqlite3_open_v2(path.str().c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return llvm::createStringError(path + ": cannot open the tuning database: " + message);
  }
  std::unique_ptr<TuningDb> self(new TuningDb(db, path.str()));
  // Writers wait for each other rather than fail; readers never block them.
  sqlite3_busy_timeout(db, 60000);
  // Turning a new file to WAL takes an exclusive lock that SQLite does not
  // wait for through the busy handler: openers that race for it retry.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) == SQLITE_BUSY &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  if (llvm::Error err = self->exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"))
    return std::move(err);
  if (llvm::Error err = self->migrate())
    return std::move(err);
  return std::move(self);
}

TuningDb::~TuningDb() { sqlite3_close(db_); }

llvm::Error TuningDb::migrate() {
  // One process migrates; the others wait for its transaction, then find
  // the file at the current version.
  if (llvm::Error err = exec("BEGIN IMMEDIATE"))
    return err;
  auto rollback = [&](llvm::Error err) {
    llvm::consumeError(exec("ROLLBACK"));
    return err;
  };
  int64_t at, tables;
  {
    Statement version(db_, "PRAGMA user_version");
    if (!version.ok() || version.step() != SQLITE_ROW)
      return rollback(failure("reading the schema version"));
    at = version.integer(0);
    Statement count(db_, "SELECT count(*) FROM sqlite_master");
    if (!count.ok() || count.step() != SQLITE_ROW)
      return rollback(failure("reading the schema"));
    tables = count.integer(0);
  }
  if (at > kSchemaVersion)
    return rollback(llvm::createStringError(path_ + ": the tuning database has schema version " + std::to_string(at) +
                              ", newer than this qforge's " + std::to_string(kSchemaVersion) +
                              "; use a newer qforge or another --db"));
  if (at == 0 && tables != 0)
    return rollback(llvm::createStringError(path_ + ": not a qforge tuning database (it has tables but no schema version)"));
  const char *steps[] = {kSchemaV1, kMigrateV1ToV2};
  for (int64_t v = at; v < kSchemaVersion; ++v)
    if (llvm::Error err = exec(steps[v]))
      return rollback(std::move(err));
  if (at != kSchemaVersion)
    if (llvm::Error err = exec("PRAGMA user_version = " + std::to_string(kSchemaVersion)))
      return rollback(std::move(err));
  return exec("COMMIT");
}

llvm::Error TuningDb::record(const TuningRecord &r, llvm::ArrayRef<Trial> trials) {
  // A session id no other writer shares: pid, time and randomness.
  std::random_device entropy;
  std::string session = std::to_string(llvm::sys::Process::getProcessId()) + "-" +
                        std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) +
                        "-" + std::to_string(entropy());
  std::string now = utcNow();
  if (llvm::Error err = exec("BEGIN IMMEDIATE"))
    return err;
  auto rollback = [&](llvm::Error err) {
    llvm::consumeError(exec("ROLLBACK"));
    return err;
  };
  for (const Trial &t : trials) {
    Statement insert(db_, "INSERT INTO trials(session, " + std::string(kKeyColumns) +
                              ", trial, schedule, seconds, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!insert.ok())
      return rollback(failure("storing trials"));
    insert.bind(session).bindKey(r.key).bind(t.index).bind(t.schedule).bind(t.seconds).bind(now);
    if (insert.step() != SQLITE_DONE)
      return rollback(failure("storing trials"));
  }
  // The faster schedule wins; a tie keeps the stored one.
  Statement upsert(db_, "INSERT INTO records(" + recordColumns() +
                            ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO UPDATE SET "
                            "schedule = excluded.schedule, seconds = excluded.seconds, "
                            "default_seconds = excluded.default_seconds, trials = excluded.trials, "
                            "tuned_at = excluded.tuned_at WHERE excluded.seconds < records.seconds");
  if (!upsert.ok())
    return rollback(failure("storing the result"));
  upsert.bindKey(r.key).bind(r.schedule).bind(r.seconds).bind(r.defaultSeconds).bind(r.trials).bind(
      r.tunedAt.empty() ? now : r.tunedAt);
  if (upsert.step() != SQLITE_DONE)
    return rollback(failure("storing the result"));
  upsert.reset();
  return exec("COMMIT");
}

llvm::Expected<std::vector<TuningRecord>> TuningDb::lookup(const TuningKey &key) {
  Statement s(db_, "SELECT " + recordColumns() +
                       " FROM records WHERE target = ? AND cpu = ? AND op = ? AND shape = ? AND scheme = ? "
                       "AND activation = ? AND threads = ? AND space_version <= ? "
                       "ORDER BY space_version = ? DESC, compiler = ? DESC, space_version DESC, tuned_at DESC");
  if (!s.ok())
    return failure("looking up a schedule");
  s.bind(key.target).bind(key.cpu).bind(key.op).bind(key.shape).bind(key.scheme).bind(key.activation)
      .bind(key.threads).bind(key.spaceVersion).bind(key.spaceVersion).bind(key.compiler);
  if (std::optional<std::vector<TuningRecord>> found = readRecords(s))
    return std::move(*found);
  return failure("looking up a schedule");
}

llvm::Expected<std::vector<TuningRecord>> TuningDb::records() {
  Statement s(db_, "SELECT " + recordColumns() + " FROM records ORDER BY " + kKeyColumns);
  if (!s.ok())
    return failure("reading records");
  if (std::optional<std::vector<TuningRecord>> found = readRecords(s))
    return std::move(*found);
  return failure("reading records");
}

llvm::Expected<std::vector<Trial>> TuningDb::latestTrials(const TuningKey &key) {
  std::string where = "target = ? AND cpu = ? AND op = ? AND shape = ? AND scheme = ? AND activation = ? "
                      "AND threads = ? AND space_version = ? AND compiler = ?";
  Statement s(db_, "SELECT trial, schedule, seconds FROM trials WHERE session = (SELECT session FROM trials "
                   "WHERE " + where + " ORDER BY recorded_at DESC, rowid DESC LIMIT 1) ORDER BY trial");
  if (!s.ok())
    return failure("reading trials");
  s.bindKey(key);
  std::vector<Trial> found;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW)
    found.push_back({s.integer(0), s.text(1), s.real(2)});
  if (rc != SQLITE_DONE)
    return failure("reading trials");
  return found;
}
