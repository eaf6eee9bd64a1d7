//===- TuningTest.cpp - tuning/: database, search, legality ----------------===//
#include "tuning/MatmulTuner.h"
#include "tuning/Search.h"
#include "tuning/TuningDb.h"

#include "codegen/cpu/Pipeline.h"
#include "passes/MatmulSchedule.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

using namespace qforge::tuning;

namespace {

/// A fresh database path in a temporary directory.
std::string freshDbPath() {
  llvm::SmallString<128> dir;
  EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("qforge-tuning-test", dir));
  llvm::sys::path::append(dir, "tuning.db");
  return dir.str().str();
}

TuningKey key(const std::string &shape = "1x64x64", int64_t space = 1, const std::string &compiler = "qforge 1") {
  return {"x86_64-unknown-linux-gnu", "znver4+avx2", "matmul", shape, "q4_0", "int8_g32", 2, space, compiler};
}

TuningRecord rec(const TuningKey &k, const std::string &schedule, double seconds) {
  return {k, schedule, seconds, 2 * seconds, 5, ""};
}

std::unique_ptr<TuningDb> openOrDie(const std::string &path) {
  llvm::Expected<std::unique_ptr<TuningDb>> db = TuningDb::open(path);
  if (!db) {
    ADD_FAILURE() << llvm::toString(db.takeError());
    return nullptr;
  }
  return std::move(*db);
}

int64_t queryInt(const std::string &path, const std::string &sql) {
  sqlite3 *db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt *s = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr);
  int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

TEST(TuningDb, KeepsTheFastestScheduleAndEveryTrial) {
  std::string path = freshDbPath();
  auto db = openOrDie(path);
  ASSERT_TRUE(db);
  ASSERT_FALSE(db->record(rec(key(), "#qf.cpu_schedule<split = 2>", 2e-3), {{0, "default", 4e-3}, {1, "a", 2e-3}}));
  ASSERT_FALSE(db->record(rec(key(), "#qf.cpu_schedule<split = 4>", 1e-3), {{0, "default", 4e-3}}));
  ASSERT_FALSE(db->record(rec(key(), "#qf.cpu_schedule<split = 8>", 3e-3), {{0, "default", 4e-3}}));
  auto found = db->lookup(key());
  ASSERT_TRUE(bool(found));
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].schedule, "#qf.cpu_schedule<split = 4>");
  EXPECT_DOUBLE_EQ((*found)[0].seconds, 1e-3);
  EXPECT_EQ(queryInt(path, "SELECT count(*) FROM trials"), 4);
  auto latest = db->latestTrials(key());
  ASSERT_TRUE(bool(latest));
  EXPECT_EQ(latest->size(), 1u); // the last session's
  // Another thread count is another key.
  TuningKey oneThread = key();
  oneThread.threads = 1;
  EXPECT_TRUE(db->lookup(oneThread)->empty());
}

TEST(TuningDb, LookupPrefersItsOwnVersionsAndKeepsOlderSpacesUsable) {
  auto db = openOrDie(freshDbPath());
  ASSERT_TRUE(db);
  ASSERT_FALSE(db->record(rec(key("1x64x64", 1, "qforge 0"), "older-compiler", 1e-3), {}));
  ASSERT_FALSE(db->record(rec(key("1x64x64", 0, "qforge 1"), "older-space", 1e-3), {}));
  ASSERT_FALSE(db->record(rec(key("1x64x64", 1, "qforge 1"), "exact", 1e-3), {}));
  ASSERT_FALSE(db->record(rec(key("1x64x64", 2, "qforge 1"), "newer-space", 1e-3), {}));
  auto found = db->lookup(key("1x64x64", 1, "qforge 1"));
  ASSERT_TRUE(bool(found));
  std::vector<std::string> order;
  for (const TuningRecord &r : *found)
    order.push_back(r.schedule);
  // A newer space's schedules may use knobs this build does not know.
  EXPECT_EQ(order, (std::vector<std::string>{"exact", "older-compiler", "older-space"}));
}

TEST(TuningDb, MigratesVersionOneFiles) {
  std::string path = freshDbPath();
  {
    // A file as the first layout wrote it.
    sqlite3 *raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    const char *v1 = R"sql(
      CREATE TABLE records(
        target TEXT NOT NULL, cpu TEXT NOT NULL, op TEXT NOT NULL, shape TEXT NOT NULL,
        scheme TEXT NOT NULL, activation TEXT NOT NULL, space_version INTEGER NOT NULL,
        compiler TEXT NOT NULL, schedule TEXT NOT NULL, seconds REAL NOT NULL,
        trials INTEGER NOT NULL, tuned_at TEXT NOT NULL,
        PRIMARY KEY(target, cpu, op, shape, scheme, activation, space_version, compiler));
      INSERT INTO records VALUES ('x86_64-unknown-linux-gnu', 'znver4+avx2', 'matmul', '1x64x64', 'q4_0',
        'int8_g32', 1, 'qforge 1', '#qf.cpu_schedule<k_step = 64>', 0.5, 7, '2026-01-01T00:00:00Z');
      PRAGMA user_version = 1;)sql";
    ASSERT_EQ(sqlite3_exec(raw, v1, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
  }
  auto db = openOrDie(path);
  ASSERT_TRUE(db);
  EXPECT_EQ(queryInt(path, "PRAGMA user_version"), TuningDb::kSchemaVersion);
  TuningKey oneThread = key();
  oneThread.threads = 1; // version 1 tuned on one thread
  auto found = db->lookup(oneThread);
  ASSERT_TRUE(bool(found));
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].schedule, "#qf.cpu_schedule<k_step = 64>");
  EXPECT_EQ((*found)[0].trials, 7);
  EXPECT_FALSE((*found)[0].defaultSeconds.has_value());
  // The migrated file takes version-2 writes.
  EXPECT_FALSE(db->record(rec(key(), "#qf.cpu_schedule<>", 1e-3), {{0, "default", 1e-3}}));
  EXPECT_EQ(queryInt(path, "SELECT count(*) FROM records"), 2);
}

TEST(TuningDb, RefusesNewerAndForeignFiles) {
  std::string newer = freshDbPath(), foreign = freshDbPath();
  for (auto [path, sql] : {std::pair{newer, "PRAGMA user_version = 99;"},
                           std::pair{foreign, "CREATE TABLE notes(x);"}}) {
    sqlite3 *raw = nullptr;
    sqlite3_open(path.c_str(), &raw);
    sqlite3_exec(raw, sql, nullptr, nullptr, nullptr);
    sqlite3_close(raw);
  }
  auto a = TuningDb::open(newer);
  ASSERT_FALSE(bool(a));
  EXPECT_NE(llvm::toString(a.takeError()).find("schema version 99, newer than this qforge's 2"), std::string::npos);
  auto b = TuningDb::open(foreign);
  ASSERT_FALSE(bool(b));
  EXPECT_NE(llvm::toString(b.takeError()).find("not a qforge tuning database"), std::string::npos);
}

TEST(TuningDb, ConcurrentWritersLoseNothing) {
  std::string path = freshDbPath();
  constexpr int kWriters = 4, kSessions = 25;
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Each writer opens (and so may migrate) the file itself.
      llvm::Expected<std::unique_ptr<TuningDb>> db = TuningDb::open(path);
      if (!db)
        _exit(10);
      for (int s = 0; s < kSessions; ++s) {
        double seconds = 1.0 + w * kSessions + s; // distinct everywhere
        std::vector<Trial> trials = {{0, "default", seconds}, {1, "a", seconds}, {2, "b", seconds}};
        if ((*db)->record(rec(key("shared"), "w" + std::to_string(w) + "s" + std::to_string(s), seconds), trials) ||
            (*db)->record(rec(key("own" + std::to_string(w)), "x", seconds), trials))
          _exit(11);
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer exit status " << status;
  }
  EXPECT_EQ(queryInt(path, "SELECT count(*) FROM trials"), kWriters * kSessions * 2 * 3);
  EXPECT_EQ(queryInt(path, "SELECT count(*) FROM records"), 1 + kWriters);
  auto db = openOrDie(path);
  ASSERT_TRUE(db);
  auto shared = db->lookup(key("shared"));
  ASSERT_TRUE(bool(shared));
  ASSERT_EQ(shared->size(), 1u);
  EXPECT_EQ((*shared)[0].schedule, "w0s0"); // the fastest of all 100
  sqlite3 *raw = nullptr;
  sqlite3_open(path.c_str(), &raw);
  sqlite3_stmt *s = nullptr;
  sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &s, nullptr);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char *>(sqlite3_column_text(s, 0)), "ok");
  sqlite3_finalize(s);
  sqlite3_close(raw);
}

// A synthetic cost over 6 knobs of 8 values with a planted optimum, some
// interaction between knobs, and an illegal region the predicate prunes.
constexpr int64_t kOptimum[] = {3, 5, 1, 6, 2, 7};
bool plantedLegal(llvm::ArrayRef<int64_t> p) { return p[0] + p[1] <= 9; }
double plantedCost(llvm::ArrayRef<int64_t> p) {
  double c = 1;
  for (size_t i = 0; i < p.size(); ++i)
    c += double((p[i] - kOptimum[i]) * (p[i] - kOptimum[i])) * (1 + 0.5 * double(i));
  c += 0.3 * double(std::abs((p[2] - kOptimum[2]) * (p[3] - kOptimum[3])));
  return c;
}

std::vector<llvm::SmallVector<int64_t>> plantedSpace() {
  return std::vector<llvm::SmallVector<int64_t>>(6, llvm::SmallVector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
}

TEST(Search, FindsAPlantedOptimumWhereRandomSearchDoesNot) {
  constexpr int kBudget = 150, kSeeds = 20;
  int evolvedHits = 0, randomHits = 0;
  int64_t pruned = 0;
  double evolvedBest = 0, randomBest = 0;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    EvolutionarySearch search(plantedSpace(), seed);
    double best = 1e30;
    for (int t = 0; t < kBudget; ++t) {
      std::optional<Point> p = search.next(plantedLegal);
      ASSERT_TRUE(p.has_value());
      ASSERT_TRUE(plantedLegal(*p)) << "an illegal point was proposed";
      best = std::min(best, plantedCost(*p));
      search.tell(*p, plantedCost(*p));
    }
    pruned += search.pruned();
    evolvedHits += best == 1;
    evolvedBest += best;
    // Random search with the same budget of legal points.
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int64_t> value(0, 7);
    best = 1e30;
    for (int t = 0; t < kBudget;) {
      Point p;
      for (int i = 0; i < 6; ++i)
        p.push_back(value(rng));
      if (!plantedLegal(p))
        continue;
      best = std::min(best, plantedCost(p));
      ++t;
    }
    randomHits += best == 1;
    randomBest += best;
  }
  EXPECT_GE(evolvedHits, 15) << "of " << kSeeds << " seeds";
  EXPECT_LE(randomHits, 1);
  EXPECT_GT(pruned, 0);
  EXPECT_LT(evolvedBest, 0.5 * randomBest);
}

TEST(Search, IsDeterministicForASeedAndExhaustsSmallSpaces) {
  auto run = [](uint64_t seed) {
    EvolutionarySearch search({{1, 2}, {10, 20, 30}}, seed, 2);
    std::vector<Point> seen;
    while (std::optional<Point> p = search.next([](llvm::ArrayRef<int64_t> p) { return p[1] != 20; })) {
      seen.push_back(*p);
      search.tell(*p, double(p->front() * p->back()));
    }
    return seen;
  };
  std::vector<Point> a = run(7);
  EXPECT_EQ(a, run(7));
  EXPECT_EQ(a.size(), 4u); // the legal points, once each
  EXPECT_EQ(std::set<Point>(a.begin(), a.end()).size(), 4u);
}

TEST(Tuner, RobustMedianDropsOutliers) {
  EXPECT_DOUBLE_EQ(robustMedian({1.0, 1.1, 0.9, 1.05, 100.0}), 1.025);
  EXPECT_DOUBLE_EQ(robustMedian({2.0, 2.0, 2.0}), 2.0);
}

// Legality pruning agrees with the compiler: every schedule of the space that
// checkSchedule accepts lowers, and those it rejects are real rejections.
TEST(MatmulSchedule, AcceptedSchedulesLowerAndTheSpaceIsPruned) {
  mlir::MLIRContext ctx;
  mlir::DialectRegistry registry;
  mlir::qf::registerCpuPipelineDialects(registry);
  ctx.appendDialectRegistry(registry);
  const char *source = R"mlir(
    func.func @k(%a: tensor<16x256xf32>, %w: !qf.qtensor<64x256, q4_0>) -> tensor<16x64xf32> {
      %c = qf.matmul %a, %w {act_scheme = #qf.scheme<int8_g32>} : tensor<16x256xf32>, !qf.qtensor<64x256, q4_0> -> tensor<16x64xf32>
      return %c : tensor<16x64xf32>
    })mlir";
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::parseSourceString<mlir::ModuleOp>(source, &ctx);
  ASSERT_TRUE(module);
  mlir::qf::MatmulOp op;
  module->walk([&](mlir::qf::MatmulOp m) { op = m; });
  auto space = mlir::qf::getScheduleSpace(op);
  EXPECT_EQ(space[0], (llvm::SmallVector<int64_t>{1, 2, 4}));  // split: blocks of >= 16 rows
  EXPECT_EQ(space[2], (llvm::SmallVector<int64_t>{256, 128, 64, 32}));
  std::set<llvm::SmallVector<int64_t>> accepted;
  int64_t rejected = 0;
  EvolutionarySearch all({space.begin(), space.end()}, 1);
  while (std::optional<Point> p = all.next([](llvm::ArrayRef<int64_t>) { return true; })) {
    llvm::SmallVector<int64_t> v(*p);
    mlir::qf::normalizeScheduleValues(v);
    all.tell(*p, 0);
    // The tuner prunes on the op as it is; the lowering checks the op that
    // carries the schedule: the same verdict.
    mlir::qf::CpuScheduleAttr candidate = mlir::qf::scheduleFromValues(&ctx, v);
    std::string pruned = mlir::qf::checkSchedule(op, candidate);
    op.setScheduleAttr(candidate);
    EXPECT_EQ(pruned, mlir::qf::checkSchedule(op, candidate));
    op.removeScheduleAttr();
    if (!pruned.empty()) {
      ++rejected;
      continue;
    }
    accepted.insert(v);
  }
  EXPECT_GT(rejected, 0);
  EXPECT_GT(accepted.size(), 50u);
  // Lower a sample of the accepted ones (every 7th) through qf-lower-to-linalg.
  int64_t i = 0;
  for (const auto &v : accepted) {
    if (i++ % 7)
      continue;
    mlir::OwningOpRef<mlir::ModuleOp> copy = mlir::cast<mlir::ModuleOp>((*module)->clone());
    copy->walk([&](mlir::qf::MatmulOp m) { m.setScheduleAttr(mlir::qf::scheduleFromValues(&ctx, v)); });
    mlir::PassManager pm(&ctx);
    pm.addPass(mlir::qf::createQfLowerToLinalg());
    std::string text;
    llvm::raw_string_ostream(text) << mlir::qf::scheduleFromValues(&ctx, v);
    EXPECT_TRUE(mlir::succeeded(pm.run(*copy))) << "schedule " << text;
  }
}

} // namespace
