// `hotline model train | predict | eval`: the text classifier's batch contract, also what
// operators use to re-label history.
#include "cli/commands.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/input.h"
#include "core/text.h"
#include "intel/classifier.h"
#include "text/text.h"

namespace hotline::cli {

namespace {

// Into its folder, made if it is not there (a new city has no city.db.models/ yet).
// A model is learnt from citizens' words: its folder, when this creates it, is its owner's
// only, as the database and its key are (the file itself is written 0600).
Status SaveModel(const intel::Classifier& model, const std::string& path) {
  if (const auto dir = std::filesystem::path(path).parent_path(); !dir.empty()) {
    std::error_code ec;
    if (std::filesystem::create_directories(dir, ec)) {
      std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    }
  }
  return model.Save(path);
}

struct ModelArgs {
  std::vector<std::string> inputs;
  std::string db, target = "category";
  std::string out, model, input, output, label_column = "label", group_column = "dup_group", description;
  std::string dictionary;  // the city's place and unit names, one a line
  int level = 0, folds = 5, top = 3;
  double c = 4, abstain_precision = 0.95, abstain_below = -1;
  int min_df = 0;
  bool json = false;
};

// "城乡建设/市政设施/路灯" at level 1 is "城乡建设".
std::string AtLevel(const std::string& label, int level) {
  if (level <= 0) return label;
  size_t pos = 0;
  for (int l = 0; l < level; ++l) {
    pos = label.find_first_of("/>", pos);
    if (pos == std::string::npos) return label;
    if (l + 1 < level) ++pos;
  }
  return Trim(label.substr(0, pos));
}

Result<std::vector<LabelledRow>> ReadLabelled(const std::vector<std::string>& paths, const ModelArgs& a) {
  std::vector<LabelledRow> all;
  size_t bad = 0;
  for (const auto& path : paths) {
    InputOptions io;
    io.label_column = a.label_column;
    io.group_column = a.group_column;
    io.need_label = true;
    ASSIGN_OR_RETURN(auto rows, ReadTextRows(path, io, &bad));
    for (auto& r : rows) {
      // A text a classifier cannot read (punctuation only) is a bad line like any other:
      // reported and skipped, not the end of the run.
      auto norm = NormaliseText(r.text);
      std::string_view s = norm.ok() ? std::string_view(*norm) : std::string_view();
      bool readable = false;
      for (size_t i = 0; i < s.size() && !readable;) readable = IsWordChar(NextCodePoint(s, i));
      if (!readable) {
        ReportBadLine(path, r.line, InvalidArgument("text", "has no letters, digits or ideographs"), &bad);
        continue;
      }
      r.label = AtLevel(r.label, a.level);
      all.push_back(std::move(r));
    }
  }
  ReportSkipped(bad);
  return all;
}

int Train(const ModelArgs& a) {
  if (a.inputs.empty() == a.db.empty()) {
    return Fail(InvalidArgument("input", "give --input FILE (repeatable) or --db FILE to learn from the platform's history"));
  }
  if (!a.db.empty()) {
    auto app = OpenApp(a.db, false);
    if (!app.ok()) return Fail(app.status());
    auto summary = TrainFromHistory(*app->store, a.target, a.out);
    if (!summary.ok()) return Fail(summary.status());
    std::cout << *summary << "\n";
    return 0;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto rows = ReadLabelled(a.inputs, a);
  if (!rows.ok()) return Fail(rows.status());
  std::vector<intel::TrainingExample> examples;
  for (auto& r : *rows) examples.push_back({std::move(r.text), std::move(r.label), std::move(r.group), r.segmented});
  intel::TrainOptions opts;
  if (!a.dictionary.empty()) {
    auto names = ReadFile(a.dictionary);
    if (!names.ok()) return Fail(names.status());
    if (!IsValidUtf8(*names)) return Fail(InvalidArgument("dictionary", a.dictionary + " is not valid UTF-8"));
    for (size_t at = 0; at < names->size();) {
      const size_t nl = std::min(names->find('\n', at), names->size());
      if (std::string name = Trim(names->substr(at, nl - at)); !name.empty()) opts.user_terms.push_back(std::move(name));
      at = nl + 1;
    }
    if (opts.user_terms.size() > 1000000) return Fail(InvalidArgument("dictionary", "at most 1,000,000 names"));
  }
  opts.c = a.c;
  opts.min_df = a.min_df;
  opts.folds = a.folds;
  opts.abstain_precision = a.abstain_precision;
  opts.abstain_below = a.abstain_below;
  opts.description = a.description;
  if (opts.description.empty()) {
    for (const auto& p : a.inputs) opts.description += (opts.description.empty() ? "" : ", ") + p;
    opts.description += " (" + std::to_string(examples.size()) + " rows, label column " + a.label_column +
                        (a.level > 0 ? ", level " + std::to_string(a.level) : "") + ")";
  }
  auto model = intel::Classifier::Train(examples, opts);
  if (!model.ok()) return Fail(model.status());
  if (Status st = SaveModel(*model, a.out); !st.ok()) return Fail(st);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto& info = model->info();
  std::cout << "trained " << a.out << " (version " << info["version"].get<std::string>() << ") on " << examples.size()
            << " examples, " << model->labels().size() << " labels, in " << std::fixed << std::setprecision(1) << secs
            << " s\n";
  // Out-of-fold scores need each label in several folds: with fewer examples than folds a
  // label is scored by a model that never saw it, and the numbers say little.
  if (info["scores"].contains("macro_f1")) {  // (none without --folds)
    std::map<std::string, size_t> per_label;
    for (const auto& e : examples) ++per_label[e.label];
    size_t thin = 0;
    for (const auto& [label, n] : per_label) thin += n < static_cast<size_t>(std::max(2, a.folds)) ? 1 : 0;
    if (thin > 0) {
      std::cout << "warning: " << thin << " of " << per_label.size() << " labels have fewer examples than the "
                << std::max(2, a.folds) << " folds; the out-of-fold scores below are not a fair estimate (add examples)\n";
    }
    std::cout << std::setprecision(3) << "out-of-fold: accuracy " << info["scores"]["accuracy"].get<double>()
              << ", macro-F1 " << info["scores"]["macro_f1"].get<double>() << "; abstains below confidence "
              << model->abstain_below() << " (coverage " << info["scores"]["coverage"].get<double>()
              << ", accuracy when confident " << info["scores"]["accuracy_when_confident"].get<double>() << ")\n";
  }
  return 0;
}

int Predict(const ModelArgs& a) {
  auto model = intel::Classifier::Load(a.model);
  if (!model.ok()) return Fail(InFile(a.model, model.status()));
  std::ifstream in(a.input);
  if (!in) return Fail(NotFound("cannot open " + a.input));
  std::ofstream out(a.output, std::ios::trunc);
  if (!out) return Fail(InvalidArgument("output", "cannot write " + a.output));
  std::string line;
  size_t done = 0, bad = 0;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (Trim(line).empty()) continue;
    auto row = ParseJsonTextLine(line);
    if (!row.ok()) {
      std::cerr << a.input << " line " << n << ": " << row.status().message() << "\n";
      ++bad;
      continue;
    }
    if (row->id.is_null()) row->id = std::to_string(n);  // the line number (a string, as ids are)
    auto p = model->Predict(row->text, static_cast<size_t>(a.top));
    if (!p.ok()) {
      std::cerr << a.input << " line " << n << ": " << p.status().message() << "\n";
      ++bad;
      continue;
    }
    nlohmann::json top = nlohmann::json::array();
    for (const auto& t : p->top) top.push_back({{"label", t.label}, {"confidence", t.confidence}});
    out << nlohmann::json{{"id", row->id}, {"label", p->label}, {"confidence", p->confidence},
                          {"abstain", p->abstain}, {"top", top}}.dump() << "\n";
    ++done;
  }
  out.flush();
  if (!out) return Fail(Internal("writing " + a.output + " failed"));
  std::cerr << "predicted " << done << " lines" << (bad ? ", " + std::to_string(bad) + " bad lines reported above" : "")
            << "\n";
  // Every input line asks for an answer: the good ones are written, and a script still learns
  // that some were not (training, by contrast, may skip a bad example and succeed).
  return bad > 0 ? 1 : 0;
}

int Eval(const ModelArgs& a) {
  auto model = intel::Classifier::Load(a.model);
  if (!model.ok()) return Fail(InFile(a.model, model.status()));
  auto rows = ReadLabelled({a.input}, a);
  if (!rows.ok()) return Fail(rows.status());
  std::vector<std::string> gold;
  std::vector<intel::Prediction> preds;
  for (const auto& r : *rows) {
    auto p = model->Predict(r.text);
    if (!p.ok()) {
      std::cerr << a.input << " line " << r.line << ": " << p.status().message() << "\n";
      continue;
    }
    gold.push_back(r.label);
    preds.push_back(std::move(p).value());
  }
  // Scores over nothing would read as a model that is wrong on everything.
  if (gold.empty()) return Fail(InvalidArgument("input", a.input + " has no labelled rows to evaluate"));
  // Gold labels the model never had (a model trained with --level 1 read against whole paths)
  // would score 0 for a mismatch of forms, not of predictions: said, with what the model knows.
  const auto& known = model->labels();
  if (std::none_of(gold.begin(), gold.end(), [&](const std::string& g) { return std::find(known.begin(), known.end(), g) != known.end(); })) {
    std::cerr << "warning: none of the input's labels is one the model knows (its labels: ";
    for (size_t i = 0; i < known.size() && i < 3; ++i) std::cerr << (i ? ", " : "") << known[i];
    std::cerr << (known.size() > 3 ? ", …" : "") << "; input: " << gold[0]
              << "); was it trained at another --level or on another label column?\n";
  }
  const intel::EvalReport rep = intel::Evaluate(gold, preds);
  if (a.json) {
    std::cout << intel::EvalJson(rep).dump(2) << "\n";
    return 0;
  }
  std::cout << std::fixed << std::setprecision(4) << "examples " << rep.n << "\naccuracy " << rep.accuracy
            << "\nmacro-F1 " << rep.macro_f1 << "\nabstained " << rep.abstained << " (accuracy when confident "
            << rep.accuracy_when_confident << ")\n\n";
  std::cout << std::left << std::setw(24) << "label" << std::right << std::setw(10) << "precision" << std::setw(10)
            << "recall" << std::setw(10) << "F1" << std::setw(9) << "support\n";
  for (const auto& c : rep.classes) {
    const size_t cps = Utf8Length(c.label), width = cps + (c.label.size() - cps) / 2;
    std::cout << c.label << std::string(width < 24 ? 24 - width : 1, ' ')
              << std::setw(10) << c.precision << std::setw(10) << c.recall << std::setw(10) << c.f1 << std::setw(8)
              << c.support << "\n";
  }
  std::cout << "\nconfusion (rows: gold, columns: predicted, in label order above)\n";
  for (size_t i = 0; i < rep.confusion.size(); ++i) {
    for (size_t v : rep.confusion[i]) std::cout << std::setw(7) << v;
    std::cout << "   " << rep.labels[i] << "\n";
  }
  return 0;
}

}  // namespace

Result<std::string> TrainFromHistory(Store& store, const std::string& target, const std::string& out, int limit,
                                     size_t min_rows) {
  if (target != "category" && target != "request_type" && target != "urgency") {
    return InvalidArgument("target", "must be category, request_type or urgency");
  }
  ASSIGN_OR_RETURN(auto rows, store.ClosedTicketTexts(limit));
  std::vector<intel::TrainingExample> examples;
  for (auto& r : rows) {
    std::string label = target == "category" ? r.category_code : target == "request_type" ? r.request_type : r.urgency;
    if (label.empty() || Trim(r.content).empty()) continue;
    examples.push_back({r.title.empty() ? r.content : r.title + "。" + r.content, std::move(label), ""});
  }
  if (examples.size() < min_rows) {
    return Status(Code::kFailedPrecondition, "only " + std::to_string(examples.size()) + " closed tickets carry a " +
                                                 target + "; at least " + std::to_string(min_rows) + " are needed");
  }
  intel::TrainOptions opts;
  // The user dictionary: the city's areas (and the other names addresses give them) and units.
  ASSIGN_OR_RETURN(auto areas, store.ListAreas());
  for (const auto& ar : areas) {
    opts.user_terms.push_back(ar.name);
    opts.user_terms.insert(opts.user_terms.end(), ar.aliases.begin(), ar.aliases.end());
  }
  ASSIGN_OR_RETURN(auto units, store.ListUnits());
  for (const auto& u : units) opts.user_terms.push_back(u.name);
  opts.description = "the platform's history: " + std::to_string(examples.size()) + " closed tickets, label " + target;
  ASSIGN_OR_RETURN(auto model, intel::Classifier::Train(examples, opts));
  RETURN_IF_ERROR(SaveModel(model, out));
  const auto& scores = model.info()["scores"];
  return "trained " + out + " (version " + model.info()["version"].get<std::string>() + ") on " +
         std::to_string(examples.size()) + " closed tickets, " + std::to_string(model.labels().size()) + " labels" +
         (scores.contains("macro_f1") ? ", out-of-fold macro-F1 " + std::to_string(scores["macro_f1"].get<double>()) : "");
}

void AddModelCommands(CLI::App& app, SetAction set_action) {
  auto a = std::make_shared<ModelArgs>();
  auto* model = app.add_subcommand("model", "train, run and evaluate text classifiers (category, type, urgency)");
  model->require_subcommand(1);
  auto* train = model->add_subcommand("train", "train a classifier from CSV or JSONL (text or segmented_text, label)");
  train->add_option("--input", a->inputs, "training file(s); repeat for several")->check(CLI::ExistingFile);
  train->add_option("--db", a->db, "learn from this database's closed tickets instead")->check(CLI::ExistingFile);
  train->add_option("--target", a->target, "with --db: category | request_type | urgency")->capture_default_str();
  train->add_option("--out", a->out, "model file to write")->required();
  train->add_option("--label-column", a->label_column, "column holding the label")->capture_default_str();
  train->add_option("--group-column", a->group_column, "rows sharing it stay on one side of a split")->capture_default_str();
  train->add_option("--level", a->level, "cut path labels (a/b/c) to this taxonomy level (0: as given)");
  train->add_option("--c", a->c, "SVM regularisation")->capture_default_str()->check(CLI::PositiveNumber);
  train->add_option("--min-df", a->min_df, "leave out features found in fewer training texts (0: 2 from 1,000 texts on, else 1)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  train->add_option("--folds", a->folds, "folds for calibration and the stored scores (0: none)")->capture_default_str()->check(CLI::Range(0, 20));
  train->add_option("--abstain-precision", a->abstain_precision, "abstain where out-of-fold accuracy drops below this")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  train->add_option("--abstain-below", a->abstain_below, "fixed abstention threshold instead")->check(CLI::Range(0.0, 1.0));
  train->add_option("--description", a->description, "what the data is (stored in the model)");
  train->add_option("--dictionary", a->dictionary, "the city's place and unit names, one a line, kept whole when raw texts are segmented (with --db: the database's areas and units)")
      ->check(CLI::ExistingFile);
  train->callback([a, set_action] { set_action([a] { return Train(*a); }); });

  auto* predict = model->add_subcommand("predict", "label JSONL lines {id, text}");
  predict->add_option("--model", a->model, "model file")->required()->check(CLI::ExistingFile);
  predict->add_option("--input", a->input, "JSONL of {id, text}")->required()->check(CLI::ExistingFile);
  predict->add_option("--output", a->output, "JSONL of {id, label, confidence, abstain, top}")->required();
  predict->add_option("--top", a->top, "labels in top")->capture_default_str()->check(CLI::Range(1, 50));
  predict->callback([a, set_action] { set_action([a] { return Predict(*a); }); });

  auto* eval = model->add_subcommand("eval", "accuracy, macro-F1, per-class scores and confusion matrix");
  eval->add_option("--model", a->model, "model file")->required()->check(CLI::ExistingFile);
  eval->add_option("--input", a->input, "labelled CSV or JSONL")->required()->check(CLI::ExistingFile);
  eval->add_option("--label-column", a->label_column, "column holding the label")->capture_default_str();
  eval->add_option("--level", a->level, "cut path labels to this taxonomy level");
  eval->add_flag("--json", a->json, "print JSON");
  eval->callback([a, set_action] { set_action([a] { return Eval(*a); }); });
}

}  // namespace hotline::cli
