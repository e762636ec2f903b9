#include "store/sqlite/db.h"

#include "core/pii.h"

namespace hotline::sqlite {

namespace {
// masked_numbers(text, which): the text as a role that sees personal numbers masked reads it
// (139****8888; which: 1 phones, 2 ID numbers, 3 both), so that such a role's search cannot
// match the digits the mask hides.
void MaskedNumbers(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  if (!text) return sqlite3_result_null(ctx);
  const int64_t which = sqlite3_value_int64(argv[1]);
  const std::string out = MaskPersonalNumbers(std::string_view(text, static_cast<size_t>(sqlite3_value_bytes(argv[0]))),
                                              PersonalNumbers{.phones = (which & 1) != 0, .ids = (which & 2) != 0});
  sqlite3_result_text(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
}
}  // namespace

Status FromSqlite(sqlite3* db, int rc, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  const int primary = rc & 0xff;
  if (primary == SQLITE_CONSTRAINT) return Status(Code::kConflict, msg, {}, "constraint");
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return Status(Code::kUnavailable, msg);
  if (primary == SQLITE_FULL) return Status(Code::kResourceExhausted, msg);
  return Internal(msg);
}

bool Stmt::Step(Status* st) {
  const int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) *st = FromSqlite(db_, rc, "step");
  return false;
}

Status Stmt::Run() {
  Status st;
  while (Step(&st)) {}
  return st;
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool synchronous_full) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status st = FromSqlite(db, rc, "open " + path);
    sqlite3_close(db);
    return st;
  }
  std::unique_ptr<Connection> c(new Connection(db));
  sqlite3_busy_timeout(db, 10000);
  sqlite3_extended_result_codes(db, 1);
  RETURN_IF_ERROR(FromSqlite(db, sqlite3_create_function_v2(db, "masked_numbers", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                                            &MaskedNumbers, nullptr, nullptr, nullptr),
                             "register masked_numbers"));
  // SQLite falls back to reading a file it may not write, and then fails at the first write
  // with "attempt to write a readonly database": said up front, naming what to fix.
  const Status read_only(Code::kFailedPrecondition,
                         "cannot write " + path + ": the database file or its directory is read-only for this user "
                         "(the directory must be writable too: SQLite keeps its -wal and -shm files beside the database)");
  if (sqlite3_db_readonly(db, "main") == 1) return read_only;
  // WAL with synchronous=FULL: a commit is on disk (WAL fsync) before it returns.
  Status st = c->Exec(std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=") + (synchronous_full ? "FULL" : "NORMAL") +
                      "; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
                      " PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=4000;");
  if (!st.ok() && (sqlite3_errcode(db) & 0xff) == SQLITE_READONLY) return read_only;
  RETURN_IF_ERROR(st);
  return c;
}

Connection::~Connection() {
  for (auto& [sql, s] : cache_) sqlite3_finalize(s);
  sqlite3_close(db_);
}

Result<Stmt> Connection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* s = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) return FromSqlite(db_, rc, "prepare");
    // Bound the cache: dynamic SQL (list filters) has a bounded set of shapes anyway.
    if (cache_.size() > 512) {
      for (auto& [k, v] : cache_) sqlite3_finalize(v);
      cache_.clear();
    }
    it = cache_.emplace(sql, s).first;
  }
  return Stmt(it->second, db_);
}

Status Connection::Exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    Status st = FromSqlite(db_, rc, "exec");
    return Status(st.code(), "exec: " + msg, {}, st.reason());
  }
  return Status::Ok();
}

}  // namespace hotline::sqlite
