// `hotline staffing`: seat planning (坐席测算) by Erlang C (Erlang A with --patience), either for one load given on the
// command line or, from a database, for every hour of the week from the past weeks' contacts
// (the command runs with an administrator's view: the whole city's lines).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "contact/staffing.h"

namespace hotline::cli {

namespace {

struct StaffingArgs {
  std::string db, channels;
  double calls_per_hour = 0;
  bool one_load = false;  // --calls-per-hour given
  int weeks = 4;
  bool json = false;
  contact::StaffingTarget target;
};

int Run(const StaffingArgs& a) {
  if (a.db.empty() != a.one_load) {
    return Fail(InvalidArgument("calls-per-hour", "give --calls-per-hour or --db, one of them"));
  }
  if (a.db.empty()) {
    auto p = contact::PlanFor(a.calls_per_hour, a.target);
    if (!p.ok()) return Fail(p.status());
    if (a.json) {
      std::cout << nlohmann::json{{"calls_per_hour", a.calls_per_hour}, {"traffic_erlangs", p->traffic},
                                  {"agents", p->agents}, {"staff", p->staff}, {"service_level", p->service_level},
                                  {"wait_probability", p->wait_probability}, {"abandon_rate", p->abandon_rate},
                                  {"asa_s", p->asa_s},
                                  {"occupancy", p->occupancy}}.dump(2)
                << "\n";
      return 0;
    }
    std::printf("%.1f calls/h × %.0f s = %.2f Erlangs\n", a.calls_per_hour, a.target.aht_s, p->traffic);
    std::printf("agents on the lines (坐席): %d   staff to schedule (排班, %.0f %% shrinkage): %d\n", p->agents,
                a.target.shrinkage * 100, p->staff);
    std::printf("answered within %.0f s: %.1f %% (target %.1f %%)   wait at all: %.1f %%   average answer: %.1f s   occupancy: %.1f %%\n",
                a.target.answer_within_s, p->service_level * 100, a.target.service_level * 100,
                p->wait_probability * 100, p->asa_s, p->occupancy * 100);
    if (a.target.patience_s > 0) {
      std::printf("hang up before an answer (mean patience %.0f s): %.1f %% (at most %.1f %%)\n", a.target.patience_s,
                  p->abandon_rate * 100, a.target.max_abandon * 100);
    }
    return 0;
  }
  std::vector<std::string> channels;
  std::stringstream list(a.channels);
  for (std::string ch; std::getline(list, ch, ',');) {
    if (!ch.empty()) channels.push_back(ch);
  }
  auto app = OpenApp(a.db, false);
  if (!app.ok()) return Fail(app.status());
  Actor admin;
  admin.role = Role::kAdmin;
  auto plan = app->service->Staffing(admin, a.weeks, channels, a.target);
  if (!plan.ok()) return Fail(plan.status());
  if (a.json) {
    std::cout << plan->dump(2) << "\n";
    return 0;
  }
  const auto& p = *plan;
  std::cout << "contacts " << p["from"].get<std::string>() << " .. " << p["to"].get<std::string>() << " (" << a.weeks
            << " weeks): " << p["contacts"] << "\n";
  // Said when a whole week or more had no contacts yet (not for a quiet first hour).
  if (const double seen = p["weeks_observed"].get<double>(); seen <= a.weeks - 1 && p["contacts"].get<int64_t>() > 0) {
    std::cout << "the contacts on record begin inside the window: each hour is averaged over the " << seen
              << " weeks that saw it\n";
  }
  std::cout << "agents on the lines per hour (mean load / busiest week), Monday to Sunday:\n";
  std::printf("hour ");
  // Each day over its column's "mean/peak" (10 characters: " %4d/%-4d"), centred on the slash.
  for (const char* d : {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}) std::printf(" %6s   ", d);
  std::printf("\n");
  for (int h = 0; h < 24; ++h) {
    std::printf("%02d   ", h);
    for (int d = 0; d < 7; ++d) {
      const auto& cell = p["hours"][d * 24 + h];
      std::printf(" %4d/%-4d", cell["agents"].get<int>(), cell["agents_at_peak"].get<int>());
    }
    std::printf("\n");
  }
  const auto& s = p["summary"];
  if (const auto& b = s["busiest"]; !b.is_null()) {  // null: no contacts in the period
    static const char* const kDays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    const int day = std::clamp(b["weekday"].get<int>(), 1, 7);  // 1 = Monday
    std::printf("busiest hour: %s %02d:00, %.1f contacts/h\n", kDays[day - 1], b["hour"].get<int>(),
                b["calls_per_hour"].get<double>());
  }
  std::printf("at most %d agents, %d staff at the busiest week's peak\n", s["max_agents_at_peak"].get<int>(),
              s["max_staff_at_peak"].get<int>());
  std::printf("agent hours a week: %.0f (staff hours %.0f)\n", s["agent_hours_per_week"].get<double>(),
              s["staff_hours_per_week"].get<double>());
  if (p["centres"].size() > 1) {  // 多援一: each centre alone against all of them as one pool
    std::printf("centres answering these lines, each staffed alone:\n");
    for (const auto& c : p["centres"]) {
      std::printf("  %-24s %8lld contacts  at most %4d agents  %7.0f agent hours a week\n",
                  c["name"].is_null() ? "(no centre)" : c["name"].get<std::string>().c_str(),
                  static_cast<long long>(c["contacts"].get<int64_t>()), c["max_agents_at_peak"].get<int>(),
                  c["agent_hours_per_week"].get<double>());
    }
    const auto& pool = p["pooling"];
    std::printf("alone: %.0f agent hours a week; pooled (多援一, any agent answers any centre's line): %.0f, saving %.0f\n",
                pool["separate_agent_hours_per_week"].get<double>(), pool["pooled_agent_hours_per_week"].get<double>(),
                pool["saved_agent_hours_per_week"].get<double>());
  }
  return 0;
}

}  // namespace

void AddStaffingCommands(CLI::App& app, SetAction set_action) {
  auto a = std::make_shared<StaffingArgs>();
  auto* cmd = app.add_subcommand("staffing", "seat planning (坐席测算) by Erlang C, or Erlang A with --patience: for one load, or per hour of the week from a database");
  auto* load = cmd->add_option("--calls-per-hour", a->calls_per_hour, "plan for this load (calls an hour)");
  cmd->add_option("--db", a->db, "plan every hour of the week from this database's past contacts")->check(CLI::ExistingFile);
  cmd->add_option("--weeks", a->weeks, "with --db: whole weeks of history, ending at today's midnight (1-26)")->capture_default_str();
  cmd->add_option("--channel", a->channels, "with --db: channels to count, comma-separated (default: every channel)");
  cmd->add_option("--aht", a->target.aht_s, "average handling time, seconds (talk + wrap-up)")->capture_default_str();
  cmd->add_option("--answer-within", a->target.answer_within_s, "answered within this many seconds...")->capture_default_str();
  cmd->add_option("--service-level", a->target.service_level, "...this share of calls")->capture_default_str();
  cmd->add_option("--max-occupancy", a->target.max_occupancy, "agents busy at most this share of their time")->capture_default_str();
  cmd->add_option("--shrinkage", a->target.shrinkage, "share of paid time off the lines")->capture_default_str();
  cmd->add_option("--min-agents", a->target.min_agents, "on the lines whatever the load (0: none)")->capture_default_str();
  cmd->add_option("--patience", a->target.patience_s,
                  "callers' mean patience, seconds, before hanging up (Erlang A; 0: nobody hangs up, Erlang C)")->capture_default_str();
  cmd->add_option("--max-abandon", a->target.max_abandon, "with --patience: at most this share hangs up")->capture_default_str();
  cmd->add_flag("--json", a->json, "print JSON");
  cmd->callback([a, load, set_action] {
    a->one_load = load->count() > 0;
    set_action([a] { return Run(*a); });
  });
}

}  // namespace hotline::cli
