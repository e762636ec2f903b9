// Intake assistance (智能分类派单): what the platform proposes for a new ticket — category,
// request type and urgency from the trained classifiers, the units that should handle it
// (the dispatch directory and what history shows), each with its confidence and reason.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "intel/classifier.h"
#include "intel/screen.h"
#include "org/org.h"
#include "store/store.h"
#include "taxonomy/taxonomy.h"
#include "ticket/ticket.h"

namespace hotline {

class Assistant {
 public:
  // Loads <dir>/category.model, request_type.model and urgency.model where present; a
  // missing file means that part is not proposed. Fails on a damaged model.
  static Result<std::shared_ptr<const Assistant>> Load(const std::string& dir);
  Assistant();  // no models: directory, history, screening and clues only
  ~Assistant();

  // The proposal for a ticket as a JSON object:
  //   {"category": {code, name, label, confidence, abstain, top}, "request_type": {...},
  //    "urgency": {...}, "units": [{unit_id, name, score, reasons: [...]}],
  //    "emergency": {transfer, hits: [{kind, transfer, phrase}]} (only when one is found),
  //    "litigation": [...] (only when flagged)}
  nlohmann::json Suggest(const Ticket& t, const OrgSnapshot& org, const std::vector<Category>& cats,
                         Store& store) const;
  // What is loaded: per target, the model's version, labels and scores.
  nlohmann::json Info() const;

  // How many recent tickets of a category the history ranking looks at.
  static constexpr int kHistoryTickets = 2000;

 private:
  // History per category prefix, cached for a minute: it moves slowly and intake asks for
  // it with every ticket.
  Result<std::vector<Store::UnitHistory>> History(Store& store, const std::string& prefix) const;

  std::unique_ptr<intel::Classifier> category_, request_type_, urgency_;
  std::unique_ptr<intel::EmergencyScreen> screen_;  // null only if Hyperscan failed to compile
  struct CachedHistory {
    std::chrono::steady_clock::time_point at;
    std::vector<Store::UnitHistory> units;
  };
  mutable std::mutex mu_;
  mutable std::map<std::string, CachedHistory> history_;
};

}  // namespace hotline
