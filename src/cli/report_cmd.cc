// `hotline report weekly|monthly|special`: the reports leaders read (周报/月报/专报), from a
// database, as Markdown or JSON: the city's figures (the command runs with an
// administrator's view).
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/app.h"
#include "cli/commands.h"
#include "service/report.h"

namespace hotline::cli {

namespace {

struct ReportArgs {
  std::string kind, db, date, from, to, category, format = "markdown", output;
};

Result<std::optional<TimeMs>> When(const char* name, const std::string& v) {
  if (v.empty()) return std::optional<TimeMs>{};
  auto t = ParseIso(v);
  if (!t) return InvalidArgument(name, "expected a date such as 2026-11-23 (or ISO 8601)");
  return std::optional<TimeMs>{*t};
}

int Run(const ReportArgs& a) {
  auto date = When("date", a.date);
  if (!date.ok()) return Fail(date.status());
  auto from = When("from", a.from);
  if (!from.ok()) return Fail(from.status());
  auto to = When("to", a.to);
  if (!to.ok()) return Fail(to.status());
  auto app = OpenApp(a.db, false);
  if (!app.ok()) return Fail(app.status());
  auto period = ResolveReportPeriod(a.kind, *date, *from, *to, SystemClock::Default()->NowMs());
  if (!period.ok()) return Fail(period.status());
  Actor admin;
  admin.role = Role::kAdmin;
  auto report = app->service->Report(admin, *period, a.category);
  if (!report.ok()) return Fail(report.status());
  const std::string text = a.format == "json" ? report->dump(2) + "\n" : ReportMarkdown(*report);
  if (a.output.empty()) {
    std::cout << text;
    return 0;
  }
  std::ofstream out(a.output, std::ios::binary | std::ios::trunc);
  if (!(out << text) || !out.flush()) return Fail(Status(Code::kInternal, "cannot write " + a.output));
  std::cerr << "wrote " << report->value("title", "") << " to " << a.output << "\n";
  return 0;
}

}  // namespace

void AddReportCommands(CLI::App& app, SetAction set_action) {
  auto a = std::make_shared<ReportArgs>();
  auto* report = app.add_subcommand("report", "weekly, monthly or special reports (周报/月报/专报) from a database");
  report->add_option("kind", a->kind, "weekly | monthly | special")
      ->required()->check(CLI::IsMember({"weekly", "monthly", "special"}));
  report->add_option("--db", a->db, "SQLite database file")->required()->check(CLI::ExistingFile);
  report->add_option("--date", a->date, "weekly/monthly: a day of the period (default: the last complete one)");
  report->add_option("--from", a->from, "special: first day (default: 30 days before --to)");
  report->add_option("--to", a->to, "special: the day after the last (default: tomorrow)");
  report->add_option("--category", a->category, "special: the category (any level) the report is about");
  report->add_option("--format", a->format, "markdown | json")->check(CLI::IsMember({"markdown", "json"}))->capture_default_str();
  report->add_option("--output", a->output, "file (default: standard output)");
  report->callback([a, set_action] { set_action([a] { return Run(*a); }); });
}

}  // namespace hotline::cli
