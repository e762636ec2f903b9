// bench_classify: prediction throughput of the text classifier on one core, segmentation
// included, beside the cost of each stage measured in the same run (normalisation alone,
// ICU segmentation alone, feature extraction), so a regression shows where it is.
// Trains on the development data first (reporting the training time) unless --model is
// given. The accuracy comparison with scikit-learn lives in bench/classify_baselines.py.
//
//   build/bench/bench_classify [--data ../shared/data/teddy2020c] [--model FILE] [--rounds 10]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/text.h"
#include "intel/classifier.h"
#include "text/text.h"

using namespace hotline;
using Clock_ = std::chrono::steady_clock;

namespace {

double Secs(Clock_::duration d) { return std::chrono::duration<double>(d).count(); }

std::vector<std::vector<std::string>> Csv(const std::string& path) {
  auto data = ReadFile(path);
  if (!data.ok()) return {};
  auto rows = ParseCsv(*data);
  return rows.ok() ? *rows : std::vector<std::vector<std::string>>{};
}

// Rates of one stage, one per round, in texts per second.
struct Stage {
  const char* name;
  std::function<size_t(const std::string&)> run;
  std::vector<double> rates;
};

}  // namespace

int main(int argc, char** argv) {
  std::string data = std::filesystem::path(__FILE__).parent_path().string() + "/../../shared/data/teddy2020c", model_path;
  int rounds = 10;
  CLI::App cli("Classification throughput on one thread, stage by stage (see bench/README.md)");
  cli.add_option("--data", data, "folder of classify_dev_raw.csv")->capture_default_str();
  cli.add_option("--model", model_path, "load this model instead of training one");
  cli.add_option("--rounds", rounds, "rounds of each measurement")->check(CLI::Range(1, 1000))->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  const auto raw = Csv(data + "/classify_dev_raw.csv");
  if (raw.size() < 2) {
    std::printf("skipped: %s/classify_dev_raw.csv not found\n", data.c_str());
    return 0;
  }
  std::vector<std::string> texts;
  for (size_t i = 1; i < raw.size(); ++i) texts.push_back(raw[i][1]);

  Result<intel::Classifier> model = Status::Ok();
  if (!model_path.empty()) {
    model = intel::Classifier::Load(model_path);
  } else {
    std::vector<intel::TrainingExample> ex;
    for (size_t i = 1; i < raw.size(); ++i) ex.push_back({raw[i][1], raw[i][2], raw[i][4]});
    for (const auto& row : Csv(data + "/classify_dev_segmented.csv")) {
      if (row.size() >= 4 && row[0] != "id") ex.push_back({row[1], row[2], row[3], true});
    }
    const auto t0 = Clock_::now();
    model = intel::Classifier::Train(ex, {});
    if (model.ok()) std::printf("training on %zu examples (5-fold calibration included): %.1f s\n", ex.size(), Secs(Clock_::now() - t0));
  }
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().message().c_str());
    return 1;
  }
  size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();
  std::printf("texts: %zu raw messages, mean %.0f bytes, %d rounds, one thread\n", texts.size(),
              static_cast<double>(bytes) / texts.size(), rounds);
  // The stages take turns round by round, so a machine that slows down for a while (this
  // one is shared) slows them alike; each prints its median round and its best.
  std::vector<Stage> stages = {
      {"normalisation only", [](const std::string& t) { return NormaliseText(t)->size(); }, {}},
      {"ICU segmentation only", [](const std::string& t) { return DefaultSegmenter().Words(t).size(); }, {}},
      {"features (all of it)", [&](const std::string& t) { return model->Featurise(t)->tf.size(); }, {}},
      {"predict (end to end)", [&](const std::string& t) { return model->Predict(t)->label.size(); }, {}},
  };
  size_t sink = 0;
  for (int r = 0; r < rounds; ++r) {
    for (auto& stage : stages) {
      const auto t0 = Clock_::now();
      for (const auto& t : texts) sink += stage.run(t);
      stage.rates.push_back(texts.size() / Secs(Clock_::now() - t0));
    }
  }
  for (auto& stage : stages) {
    std::sort(stage.rates.begin(), stage.rates.end());
    std::printf("%-22s median %6.0f, best %6.0f texts/s%s\n", stage.name, stage.rates[stage.rates.size() / 2],
                stage.rates.back(), &stage == &stages.back() ? "   target >= 5,000" : "");
  }
  if (sink == 0) std::printf("(nothing computed)\n");
  return 0;
}
