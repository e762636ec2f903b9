// Text classifier (智能分类): TF-IDF over words and character n-grams of normalised
// Chinese text, a linear SVM per class (liblinear, in-process), and a softmax over its
// decision values whose temperature is fitted on out-of-fold predictions, so the
// confidence is calibrated. Below a threshold chosen from the same out-of-fold
// predictions the classifier abstains ("needs a person") but still names its best label.
//
// One model serves any label set: the category at any level of the taxonomy, the request
// type or the urgency. The model file carries its labels, training date, data description
// and the scores measured while it was trained, and is versioned by a digest of its
// content.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace hotline::intel {

struct TrainingExample {
  std::string text;  // raw text, or already-segmented text (space-separated words)
  std::string label;
  std::string group;  // examples sharing a group stay on one side of a split ("" = by text)
  bool segmented = false;  // text is space-separated words: its words go into the lexicon as they are
};

inline constexpr size_t kAutoMinDfExamples = 1000;

struct TrainOptions {
  double c = 4;                // SVM regularisation
  // Features found in fewer training texts than this are left out of the model; 0 (auto):
  // 2 from kAutoMinDfExamples training texts on (a feature only one text has can teach the
  // model nothing beyond that text; on the development data 40 % of the rows go, at the
  // same macro-F1), else 1 (on little data every feature counts).
  int min_df = 0;
  int folds = 5;               // out-of-fold runs for calibration and the stored scores (0: none)
  double abstain_precision = 0.95;  // abstain where out-of-fold accuracy falls below this
  double abstain_below = -1;   // or a fixed confidence threshold (>= 0 overrides the above)
  std::string description;     // what data it was trained on
  uint64_t seed = 20261128;
  // The city's place and unit names (user dictionary): raw training texts are segmented
  // with them kept whole, so a name ICU would cut up becomes a word of the lexicon.
  std::vector<std::string> user_terms;
};

struct LabelScore {
  std::string label;
  double confidence = 0;
};

struct Prediction {
  std::string label;  // always the best guess
  double confidence = 0;
  bool abstain = false;
  std::vector<LabelScore> top;
};

// Sparse TF-IDF features of one text (hashed feature ids), before weighting.
struct Features {
  std::vector<std::pair<uint32_t, float>> tf;  // distinct ids, sublinear term frequency
};

class Lexicon;

class Classifier {
 public:
  ~Classifier();
  Classifier(Classifier&&) noexcept;
  Classifier& operator=(Classifier&&) noexcept;

  static Result<Classifier> Train(const std::vector<TrainingExample>& examples, const TrainOptions& opts);
  static Result<Classifier> Load(const std::string& path);
  static Result<Classifier> Parse(std::string_view bytes);
  Status Save(const std::string& path) const;  // atomically (temp file + rename)

  // Character 1-2-grams and the words of the model's lexicon (learnt from the training
  // texts: segmented ones as segmented, raw ones as ICU segments them) found in the text.
  // Fails (field "text") on invalid UTF-8 or text without any letter, digit or ideograph.
  Result<Features> Featurise(std::string_view text) const;
  Result<Prediction> Predict(std::string_view text, size_t k = 3) const;
  Prediction PredictFeatures(const Features& f, size_t k = 3) const;

  const std::vector<std::string>& labels() const;
  double abstain_below() const;
  // labels, trained_at, data, options, scores (out-of-fold), version, …
  const nlohmann::json& info() const;

 private:
  struct Impl;
  explicit Classifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Scores of predictions against gold labels.
struct EvalReport {
  size_t n = 0;
  double accuracy = 0;
  double macro_f1 = 0;
  struct PerClass {
    std::string label;
    double precision = 0, recall = 0, f1 = 0;
    size_t support = 0;
  };
  std::vector<PerClass> classes;
  std::vector<std::string> labels;          // row/column order of the confusion matrix
  std::vector<std::vector<size_t>> confusion;  // [gold][predicted]
  size_t abstained = 0;
  double accuracy_when_confident = 0;  // among predictions that did not abstain
};
EvalReport Evaluate(const std::vector<std::string>& gold, const std::vector<Prediction>& predicted);
nlohmann::json EvalJson(const EvalReport& r);

}  // namespace hotline::intel
