// Numbered schema migrations, applied in order at start. Never edit a shipped migration:
// add the next one.
#include "store/sqlite/migrations.h"

namespace hotline::sqlite {

const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> kMigrations = {
      // 1: the platform core.
      R"SQL(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE units(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
  parent_id INTEGER REFERENCES units(id), area_id INTEGER, phone TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL);
CREATE INDEX units_parent ON units(parent_id);
CREATE TABLE areas(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
  parent_id INTEGER REFERENCES areas(id), aliases TEXT NOT NULL DEFAULT '[]', created_at INTEGER NOT NULL);
CREATE TABLE dispatch_rules(
  id INTEGER PRIMARY KEY, category_prefix TEXT NOT NULL, area_id INTEGER REFERENCES areas(id),
  lead_unit_id INTEGER NOT NULL REFERENCES units(id), assisting TEXT NOT NULL DEFAULT '[]',
  priority INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
CREATE TABLE taxonomy_versions(version INTEGER PRIMARY KEY, source TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE categories(
  version INTEGER NOT NULL REFERENCES taxonomy_versions(version), code TEXT NOT NULL,
  name TEXT NOT NULL, parent_code TEXT NOT NULL DEFAULT '', level INTEGER NOT NULL,
  active INTEGER NOT NULL DEFAULT 1, PRIMARY KEY(version, code));
CREATE TABLE users(
  id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
  role TEXT NOT NULL, unit_id INTEGER REFERENCES units(id),  -- NULL only for the bootstrap admin
  display_name TEXT NOT NULL DEFAULT '', active INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL);
CREATE TABLE sessions(token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
  expires_at INTEGER NOT NULL);
CREATE TABLE requesters(
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name_enc TEXT NOT NULL DEFAULT '',
  phone_enc TEXT NOT NULL DEFAULT '', phone_hash TEXT NOT NULL DEFAULT '',
  id_number_enc TEXT NOT NULL DEFAULT '', org_name TEXT NOT NULL DEFAULT '',
  credit_code TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX requesters_phone ON requesters(phone_hash);
CREATE TABLE tickets(
  id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE, status TEXT NOT NULL, version INTEGER NOT NULL,
  channel TEXT NOT NULL, request_type TEXT NOT NULL, urgency TEXT NOT NULL,
  category_code TEXT NOT NULL DEFAULT '', area_id INTEGER NOT NULL DEFAULT 0,
  requester_id INTEGER REFERENCES requesters(id), phone_hash TEXT NOT NULL DEFAULT '',
  intake_unit_id INTEGER NOT NULL, content TEXT NOT NULL, address TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, due_at INTEGER NOT NULL DEFAULT 0,
  closed_at INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL);
CREATE INDEX tickets_status ON tickets(status, id);
CREATE INDEX tickets_category ON tickets(category_code, id);
CREATE INDEX tickets_phone ON tickets(phone_hash, id);
CREATE INDEX tickets_intake ON tickets(intake_unit_id, id);
CREATE INDEX tickets_area ON tickets(area_id, id);
CREATE INDEX tickets_created ON tickets(created_at);
CREATE TABLE assignments(
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  unit_id INTEGER NOT NULL, lead INTEGER NOT NULL, state TEXT NOT NULL,
  dispatched_at INTEGER NOT NULL, accept_due_at INTEGER NOT NULL, handle_due_at INTEGER NOT NULL,
  accepted_at INTEGER NOT NULL DEFAULT 0, replied_at INTEGER NOT NULL DEFAULT 0);
CREATE INDEX assignments_unit ON assignments(unit_id, state, ticket_id);
CREATE INDEX assignments_ticket ON assignments(ticket_id);
CREATE TABLE events(
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES tickets(id), seq INTEGER NOT NULL,
  type TEXT NOT NULL, at INTEGER NOT NULL, actor_user_id INTEGER NOT NULL DEFAULT 0,
  actor_unit_id INTEGER NOT NULL DEFAULT 0, actor_role TEXT NOT NULL, system INTEGER NOT NULL,
  public INTEGER NOT NULL, data TEXT NOT NULL, UNIQUE(ticket_id, seq));
CREATE TRIGGER events_append_only_u BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_d BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TABLE contacts(
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES tickets(id), channel TEXT NOT NULL,
  kind TEXT NOT NULL, content TEXT NOT NULL, requester_id INTEGER, recorded_by INTEGER NOT NULL,
  at INTEGER NOT NULL);
CREATE INDEX contacts_ticket ON contacts(ticket_id);
CREATE TABLE attachments(
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES tickets(id), name TEXT NOT NULL,
  mime TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, data BLOB NOT NULL,
  uploaded_by INTEGER NOT NULL, at INTEGER NOT NULL);
CREATE INDEX attachments_ticket ON attachments(ticket_id);
CREATE TABLE idempotency(key TEXT PRIMARY KEY, ticket_id INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE audit_log(
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, user_id INTEGER NOT NULL, action TEXT NOT NULL,
  target TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');
CREATE TABLE lookup_failures(number TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX lookup_failures_number ON lookup_failures(number, at);
)SQL",
      // 2: time limits — the timer's alarm index, warning and deadline filters, calendars
      // and SLA policies as data.
      R"SQL(
ALTER TABLE tickets ADD COLUMN is_open INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tickets ADD COLUMN warn_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN next_alarm_at INTEGER NOT NULL DEFAULT 0;
UPDATE tickets SET is_open = status NOT IN ('closed','transferred','merged','withdrawn','archived');
CREATE INDEX tickets_alarm ON tickets(next_alarm_at) WHERE next_alarm_at > 0;
CREATE INDEX tickets_open_due ON tickets(is_open, due_at);
CREATE INDEX assignments_dispatched ON assignments(dispatched_at, unit_id);
CREATE INDEX assignments_unit_due ON assignments(unit_id, state, handle_due_at);
CREATE TABLE calendars(name TEXT PRIMARY KEY, doc TEXT NOT NULL, version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE TABLE sla_policies(version INTEGER PRIMARY KEY, doc TEXT NOT NULL, created_at INTEGER NOT NULL);
)SQL",
      // 3: the knowledge base and its index (postings in tables every server shares).
      R"SQL(
CREATE TABLE kb_entries(
  id INTEGER PRIMARY KEY, external_id TEXT UNIQUE, title TEXT NOT NULL, body TEXT NOT NULL,
  category_code TEXT NOT NULL DEFAULT '', keywords TEXT NOT NULL DEFAULT '[]', owner_unit_id INTEGER NOT NULL DEFAULT 0,
  effective_at INTEGER NOT NULL DEFAULT 0, expires_at INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'entry',
  is_public INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL, updated_by INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL, use_count INTEGER NOT NULL DEFAULT 0, doc_len INTEGER NOT NULL DEFAULT 0);
CREATE INDEX kb_entries_status ON kb_entries(kind, status, id);
CREATE TABLE kb_versions(entry_id INTEGER NOT NULL, version INTEGER NOT NULL, snapshot TEXT NOT NULL,
  changed_by INTEGER NOT NULL, at INTEGER NOT NULL, PRIMARY KEY(entry_id, version));
CREATE TABLE kb_postings(term TEXT NOT NULL, entry_id INTEGER NOT NULL, tf INTEGER NOT NULL, len INTEGER NOT NULL,
  PRIMARY KEY(term, entry_id)) WITHOUT ROWID;
CREATE INDEX kb_postings_entry ON kb_postings(entry_id);
CREATE TABLE kb_synonyms(id INTEGER PRIMARY KEY, terms TEXT NOT NULL);
)SQL",
      // 4: dispatch accuracy reads the dispatch events of a period.
      R"SQL(
CREATE INDEX events_type_at ON events(type, at);
)SQL",
      // 5: near-duplicate lookup keys (MinHash bands) of each ticket's text.
      R"SQL(
CREATE TABLE ticket_lsh(band INTEGER NOT NULL, ticket_id INTEGER NOT NULL, PRIMARY KEY(band, ticket_id)) WITHOUT ROWID;
CREATE INDEX ticket_lsh_ticket ON ticket_lsh(ticket_id);
)SQL",
      // 6: early-warning alerts, one per key (a caller, a matter), kept current.
      R"SQL(
CREATE TABLE alerts(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL UNIQUE, severity TEXT NOT NULL,
  ticket_id INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX alerts_updated ON alerts(updated_at);
)SQL",
      // 7: document frequency per knowledge-base term, so a long query picks its most
      // informative terms before reading any postings.
      R"SQL(
CREATE TABLE kb_df(term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO kb_df(term, df) SELECT term, COUNT(*) FROM kb_postings GROUP BY term;
)SQL",
      // 8: what hotspots read of each ticket's text, worked out once at intake.
      R"SQL(
CREATE TABLE ticket_features(ticket_id INTEGER PRIMARY KEY, hotspot BLOB NOT NULL);
)SQL",
      // 9: a digest of the request an idempotency key was first used with, so the same key
      // with another request is refused instead of answered with the first one's ticket.
      R"SQL(
ALTER TABLE idempotency ADD COLUMN request_digest TEXT NOT NULL DEFAULT '';
)SQL",
      // 10: seat planning counts the contacts (calls, messages, chases) of past weeks by hour.
      R"SQL(
CREATE INDEX contacts_at ON contacts(at);
)SQL",
      // 11: an idempotency key may name a contact (a retried 催单) instead of a new ticket.
      R"SQL(
ALTER TABLE idempotency ADD COLUMN contact_id INTEGER NOT NULL DEFAULT 0;
)SQL",
      // 12: each process sharing the database leases its own id-generator node, so ids made
      // by two servers (or a server and a command) at the same millisecond never collide.
      R"SQL(
CREATE TABLE node_leases(node INTEGER PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL);
)SQL",
      // 13: an alert is handled (处置) by a centre's staff with a note; it is open again
      // when a newer report updates it (handled_at < updated_at).
      R"SQL(
ALTER TABLE alerts ADD COLUMN handled_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN handled_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN handled_note TEXT NOT NULL DEFAULT '';
)SQL",
      // 14: an edit of a published entry waits for review beside it (待审修订) while the
      // published text is still served.
      R"SQL(
ALTER TABLE kb_entries ADD COLUMN revision TEXT;
)SQL",
      // 15: when an order ended, so one returned or taken away after its time limit counts
      // as late in the on-time rates; filled in from the tickets for the orders already ended.
      R"SQL(
ALTER TABLE assignments ADD COLUMN ended_at INTEGER NOT NULL DEFAULT 0;
UPDATE assignments SET ended_at = COALESCE((SELECT json_extract(j.value, '$.ended_at')
  FROM tickets t, json_each(t.state, '$.assignments') j
  WHERE t.id = assignments.ticket_id AND json_extract(j.value, '$.id') = assignments.id), 0)
WHERE state NOT IN ('pending', 'accepted');
)SQL",
      // 16: how many requests were merged into a ticket, so one they wait on is not
      // withdrawn or transferred from under them; counted for the merges already made (a
      // merged request archived since still waits on the same answer).
      R"SQL(
UPDATE tickets SET state = json_set(state, '$.merged_in',
  (SELECT count(*) FROM tickets m WHERE json_extract(m.state, '$.merged_into') = tickets.id))
WHERE id IN (SELECT json_extract(state, '$.merged_into') FROM tickets WHERE json_extract(state, '$.merged_into') > 0);
)SQL",
      // 17: a caller's history holds the tickets they rang about again (a contact from
      // their phone), found through the contact's requester.
      R"SQL(
CREATE INDEX contacts_requester ON contacts(requester_id);
)SQL",
      // 18: an emergency alert settles itself when its ticket is transferred or ends; those
      // raised before this rule, on tickets that have ended since, are settled as it would
      // have settled them (they would otherwise wait in 待处置 for good).
      R"SQL(
UPDATE alerts SET
  handled_at = max(updated_at, (SELECT closed_at FROM tickets t WHERE t.id = alerts.ticket_id)),
  handled_by = 0,
  handled_note = '随工单操作自动处置：' || (SELECT CASE t.status
      WHEN 'transferred' THEN '已转交 ' || json_extract(t.state, '$.transfer_to')
      WHEN 'withdrawn' THEN '工单已撤回'
      WHEN 'merged' THEN '工单已并入另一工单'
      WHEN 'archived' THEN '工单已归档'
      ELSE '工单已办结' END FROM tickets t WHERE t.id = alerts.ticket_id)
WHERE kind = 'emergency' AND handled_at < updated_at
  AND ticket_id IN (SELECT id FROM tickets WHERE status IN ('closed', 'transferred', 'withdrawn', 'merged', 'archived'));
)SQL",
      // 19: every area and unit written checks that its name is free; without an index that
      // read scanned the table, so importing n areas took time n² (40,000: about a minute,
      // holding the write lock the server's intake waits on).
      R"SQL(
CREATE INDEX areas_name ON areas(name);
CREATE INDEX units_name ON units(name);
)SQL",
  };
  return kMigrations;
}

}  // namespace hotline::sqlite
