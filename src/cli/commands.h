// Subcommand groups that live in their own files. Each adds its subcommands to the app
// and, when one is chosen, hands main() the action to run through `set_action`.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace hotline::cli {

using SetAction = std::function<void(std::function<int()>)>;

void AddModelCommands(CLI::App& app, SetAction set_action);    // model_cmd.cc
void AddInsightCommands(CLI::App& app, SetAction set_action);  // insight_cmd.cc
void AddDispatchCommands(CLI::App& app, SetAction set_action);  // dispatch_cmd.cc
void AddReportCommands(CLI::App& app, SetAction set_action);    // report_cmd.cc
void AddStaffingCommands(CLI::App& app, SetAction set_action);  // staffing_cmd.cc

}  // namespace hotline::cli
