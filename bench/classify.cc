// bench_classify: prediction throughput of the text classifier on one core, segmentation
// included, beside the cost of each stage measured in the same run (normalisation alone,
// ICU segmentation alone, feature extraction), so a regression shows where it is.
// Trains on the development data first (reporting the training time) unless --model is
// given. The accuracy comparison with scikit-learn lives in bench/classify_baselines.py.
//
//   build/bench/bench_classify [--data ../shared/data/teddy2020c] [--model FILE] [--rounds 10]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
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

template <typename F>
double Rate(const std::vector<std::string>& texts, int rounds, F f) {
  const auto t0 = Clock_::now();
  for (int r = 0; r < rounds; ++r) {
    for (const auto& t : texts) f(t);
  }
  return texts.size() * rounds / Secs(Clock_::now() - t0);
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = std::filesystem::path(__FILE__).parent_path().string() + "/../../shared/data/teddy2020c", model_path;
  int rounds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--data")) data = argv[i + 1];
    if (!std::strcmp(argv[i], "--model")) model_path = argv[i + 1];
    if (!std::strcmp(argv[i], "--rounds")) rounds = std::atoi(argv[i + 1]);
  }
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
      if (row.size() >= 4 && row[0] != "id") ex.push_back({row[1], row[2], row[3]});
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
  size_t sink = 0;
  const double norm = Rate(texts, rounds, [&](const std::string& t) { sink += NormaliseText(t)->size(); });
  const double seg = Rate(texts, rounds, [&](const std::string& t) { sink += DefaultSegmenter().Words(t).size(); });
  const double feat = Rate(texts, rounds, [&](const std::string& t) { sink += intel::Featurise(t)->tf.size(); });
  const double pred = Rate(texts, rounds, [&](const std::string& t) { sink += model->Predict(t)->label.size(); });
  std::printf("normalisation only      %9.0f texts/s\n", norm);
  std::printf("ICU segmentation only   %9.0f texts/s\n", seg);
  std::printf("features (all of it)    %9.0f texts/s\n", feat);
  std::printf("predict (end to end)    %9.0f texts/s   target >= 5,000\n", pred);
  if (sink == 0) std::printf("(nothing computed)\n");
  return 0;
}
