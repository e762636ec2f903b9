#include "service/assist.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "core/ids.h"
#include "intel/clues.h"
#include "intel/dispatch.h"
#include "intel/sentiment.h"

namespace hotline {

using nlohmann::json;

namespace {

json PredictionJson(const intel::Prediction& p) {
  json top = json::array();
  for (const auto& t : p.top) top.push_back({{"label", t.label}, {"confidence", t.confidence}});
  return {{"label", p.label}, {"confidence", p.confidence}, {"abstain", p.abstain}, {"top", top}};
}

// A category model's label is a code, a name, or a path of names ("城乡建设/市政设施"):
// the category it means in the current taxonomy, or nullptr.
// The category a model's label names, if it is in use: a retired one is never proposed.
const Category* ResolveCategory(const std::string& label, const std::vector<Category>& cats) {
  for (const auto& c : cats) {
    if (c.code == label) return c.active ? &c : nullptr;
  }
  const size_t slash = label.find_last_of("/>");
  const std::string leaf = slash == std::string::npos ? label : label.substr(slash + 1);
  const Category* best = nullptr;
  for (const auto& c : cats) {
    if (c.active && c.name == leaf && (!best || c.level < best->level)) best = &c;
  }
  return best;
}

}  // namespace

Assistant::Assistant() {
  auto screen = intel::EmergencyScreen::Create();
  if (screen.ok()) {
    screen_ = std::make_unique<intel::EmergencyScreen>(std::move(screen).value());
  } else {
    spdlog::error("emergency screening unavailable: {}", screen.status().message());
  }
}

Assistant::~Assistant() = default;

Result<std::shared_ptr<const Assistant>> Assistant::Load(const std::string& dir) {
  auto a = std::make_shared<Assistant>();
  for (auto [name, slot] : {std::pair{"category", &a->category_}, std::pair{"request_type", &a->request_type_},
                            std::pair{"urgency", &a->urgency_}}) {
    const std::string path = dir + "/" + name + ".model";
    if (!std::filesystem::exists(path)) continue;
    auto m = intel::Classifier::Load(path);
    if (!m.ok()) return InvalidArgument("models", path + ": " + m.status().message());
    spdlog::info("{} model {} loaded ({} labels)", name, m->info().value("version", "?"), m->labels().size());
    *slot = std::make_unique<intel::Classifier>(std::move(m).value());
  }
  return std::shared_ptr<const Assistant>(std::move(a));
}

Result<std::vector<Store::UnitHistory>> Assistant::History(Store& store, const std::string& prefix) const {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = history_.find(prefix);
    if (it != history_.end() && now - it->second.at < std::chrono::seconds(60)) return it->second.units;
  }
  ASSIGN_OR_RETURN(auto units, store.DispatchHistory(prefix, kHistoryTickets));
  std::lock_guard<std::mutex> lock(mu_);
  if (history_.size() >= 4096) history_.clear();
  history_[prefix] = {now, units};
  return units;
}

json Assistant::Info() const {
  json out = json::object();
  for (auto [name, m] : {std::pair{"category", category_.get()}, std::pair{"request_type", request_type_.get()},
                         std::pair{"urgency", urgency_.get()}}) {
    if (!m) continue;
    const json& i = m->info();
    out[name] = {{"version", i.value("version", "")}, {"trained_at", i.value("trained_at", "")},
                 {"data", i.value("data", "")}, {"labels", m->labels()}, {"abstain_below", m->abstain_below()},
                 {"scores", i.value("scores", json::object())}};
  }
  return out;
}

json Assistant::Suggest(const Ticket& t, const OrgSnapshot& org, const std::vector<Category>& cats, Store& store) const {
  json out = json::object();
  const std::string text = t.title.empty() ? t.content : t.title + "。" + t.content;
  {
    // The caller's tone (情绪): level 0 calm … 3 desperate / extreme, with its evidence.
    const intel::SentimentScore tone = intel::ScoreSentiment(text);
    out["tone"] = {{"level", tone.level}, {"name", intel::SentimentLevelName(tone.level)},
                   {"anger", std::round(tone.anger * 1000) / 1000}, {"evidence", tone.evidence}};
  }
  if (screen_) {
    // Life and property at risk (紧急事项): flagged for immediate transfer to 110/119/120.
    const intel::Screening sc = screen_->Screen(text);
    if (sc.emergency) {
      json hits = json::array();
      for (const auto& h : sc.hits) hits.push_back({{"kind", h.kind}, {"transfer", h.transfer}, {"phrase", h.phrase}});
      out["emergency"] = {{"transfer", sc.transfer}, {"hits", hits}};
    }
  }
  // The category the proposal stands on (category_used: intake fills it in, auto-dispatch
  // and a direct answer take it) is a confident one; units are still looked up for the
  // model's best guess when it needs a person, so the dispatcher sees where it would go.
  std::string category = t.category_code, guessed;
  if (category_) {
    if (auto p = category_->Predict(text); p.ok()) {
      json j = PredictionJson(*p);
      if (const Category* c = ResolveCategory(p->label, cats)) {
        j["code"] = c->code;
        j["name"] = c->name;
        if (category.empty()) (p->abstain ? guessed : category) = c->code;
      }
      out["category"] = std::move(j);
    }
  }
  if (request_type_) {
    if (auto p = request_type_->Predict(text); p.ok()) out["request_type"] = PredictionJson(*p);
  }
  if (urgency_) {
    if (auto p = urgency_->Predict(text); p.ok()) {
      out["urgency"] = PredictionJson(*p);
      // Screening reads the classifier's urgency too: a confident "emergency" no phrase
      // named (楼道里异味很浓，怀疑泄漏) is flagged as well, for transfer to 110 unless the
      // agent picks another service, and it is never dispatched automatically.
      if (!out.contains("emergency") && p->label == "emergency" && !p->abstain) {
        out["emergency"] = {{"transfer", "110"}, {"hits", json::array()}, {"source", "classifier"},
                            {"confidence", p->confidence}};
      }
    }
  }
  // A phrase that names an emergency (着火, 有人被困) decides the urgency, whatever the model
  // said: the proposal must not say 一般 beside a red banner saying 转 119.
  if (out.contains("emergency") && out["emergency"].value("source", "") != "classifier") {
    out["urgency"] = {{"label", "emergency"}, {"confidence", 1.0}, {"abstain", false}, {"source", "screening"},
                      {"top", json::array({{{"label", "emergency"}, {"confidence", 1.0}}})}};
  }

  // Units: the dispatch directory's rule for (category, area) counts 0.5; history adds
  // 0.5 × the estimated chance that the unit keeps the request, from the category's
  // recent tickets, interpolated with its parent categories' (intel::RankUnits).
  struct Candidate {
    double score = 0;
    json reasons = json::array();
    std::vector<Id> assisting;  // the directory's co-handlers (协办), when it names this unit to lead
  };
  std::map<Id, Candidate> units;
  // An inactive unit is neither the directory's (MatchRule skips it) nor history's proposal.
  const std::string& looked_up = category.empty() ? guessed : category;
  // A rule that leads back to the centre that took the ticket in, or above it (a catch-all
  // "the hub decides"), proposes nobody: that centre cannot dispatch to itself.
  const Id intake_centre = org.CentreOf(t.intake_unit_id);
  const auto back_to_intake = [&](Id lead) {
    const Unit* u = org.FindUnit(lead);
    return u && IsCentre(u->kind) && intake_centre != 0 && org.InSubtree(intake_centre, lead);
  };
  if (auto rule = org.MatchRule(looked_up, t.area_id); rule && !back_to_intake(rule->lead_unit_id)) {
    auto& c = units[rule->lead_unit_id];
    c.score += 0.5;
    for (Id id : rule->assisting_unit_ids) {
      if (const Unit* u = org.FindUnit(id); u && u->active) c.assisting.push_back(id);
    }
    c.reasons.push_back("派单目录: 分类" + (rule->category_prefix.empty() ? std::string("(全部)") : rule->category_prefix) +
                        (rule->area_id ? " 区域" + [&] {
                          const Area* area = org.FindArea(rule->area_id);
                          return area ? area->name : IdToString(rule->area_id);
                        }()
                                       : std::string()));
  }
  std::vector<std::vector<intel::UnitCount>> levels;
  std::vector<std::string> level_names;
  for (std::string prefix = looked_up; !prefix.empty() && levels.size() < 6;) {
    auto hist = History(store, prefix);
    if (!hist.ok()) break;
    std::vector<intel::UnitCount> level;
    for (const auto& h : *hist) {
      const Unit* u = org.FindUnit(h.unit_id);
      // A unit of one place (a street, a district's bureau) handles requests of that place:
      // for a ticket elsewhere, its history in the category is no reason to send it there.
      // (a ticket of no known place: nowhere to say such a unit handles)
      const bool elsewhere = u && u->area_id != 0 &&
                             (t.area_id == 0 || (!org.AreaInSubtree(t.area_id, u->area_id) && !org.AreaInSubtree(u->area_id, t.area_id)));
      if (u && u->active && !elsewhere) {
        level.push_back({IdToString(h.unit_id), static_cast<double>(h.kept), static_cast<double>(h.returned)});
      }
    }
    levels.push_back(std::move(level));
    level_names.push_back(prefix);
    auto it = std::find_if(cats.begin(), cats.end(), [&](const Category& c) { return c.code == prefix; });
    prefix = it == cats.end() ? std::string() : it->parent_code;
  }
  for (const auto& r : intel::RankUnits(levels)) {
    const Id id = ParseId(r.unit).value_or(0);
    auto& c = units[id];
    c.score += 0.5 * r.score;
    for (size_t l = 0; l < levels.size(); ++l) {
      auto it = std::find_if(levels[l].begin(), levels[l].end(), [&](const intel::UnitCount& u) { return u.unit == r.unit; });
      if (it == levels[l].end()) continue;
      c.reasons.push_back("历史: 分类" + level_names[l] + "近期承办" + std::to_string(static_cast<int64_t>(it->kept)) +
                          "单、退回" + std::to_string(static_cast<int64_t>(it->returned)) + "单");
      break;
    }
  }
  std::vector<std::pair<double, Id>> ranked;
  for (const auto& [id, c] : units) ranked.push_back({-c.score, id});
  std::sort(ranked.begin(), ranked.end());
  json list = json::array();
  for (size_t i = 0; i < ranked.size() && i < 5; ++i) {
    const Id id = ranked[i].second;
    const Unit* u = org.FindUnit(id);
    json item = {{"unit_id", IdToString(id)}, {"name", u ? u->name : ""},
                 {"score", std::round(-ranked[i].first * 1000) / 1000}, {"reasons", units[id].reasons}};
    if (!units[id].assisting.empty()) {
      json assisting = json::array();
      for (Id a : units[id].assisting) {
        const Unit* au = org.FindUnit(a);
        assisting.push_back({{"unit_id", IdToString(a)}, {"name", au ? au->name : ""}});
      }
      item["assisting"] = std::move(assisting);
    }
    list.push_back(std::move(item));
  }
  out["units"] = std::move(list);
  json clues = json::array();
  for (const auto& c : intel::FindLitigationClues(text + "。" + t.address)) {
    clues.push_back({{"domain", c.domain}, {"label", c.label_zh}, {"evidence", c.evidence}});
  }
  if (!clues.empty()) out["litigation"] = std::move(clues);
  if (!category.empty()) out["category_used"] = category;
  return out;
}

}  // namespace hotline
