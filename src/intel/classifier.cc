#include "intel/classifier.h"

#include <fcntl.h>
#include <linear.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <unordered_map>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/text.h"
#include "text/text.h"

namespace hotline::intel {

namespace {

constexpr char kMagic[] = "hotline-classifier/1\n";
constexpr uint32_t kHashBits = 22;
constexpr uint32_t kHashMask = (1u << kHashBits) - 1;
// Bumped whenever Featurise() changes what it extracts: a model trained on other features
// must not be used with these. Version 2 had no title bigrams; such models still load and
// are fed what they learnt from.
constexpr int kFeatureVersion = 3;
constexpr int kFeatureVersionNoTitle = 2;
// A message's title comes first (the subject line of a board post, a mailbox letter, an
// agent's summary): the bigrams among its first characters are counted again as features of
// their own. Raw-row macro-F1 0.9168 → 0.9213 (5-fold) on the dev data, gains on every seed.
constexpr size_t kTitleChars = 24;
constexpr size_t kMaxTextBytes = 48 * 1024;

constexpr uint64_t kFnvOffset = 1469598103934665603ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

uint64_t Fnv(uint64_t h, std::string_view s) {
  for (unsigned char c : s) h = (h ^ c) * kFnvPrime;
  return h;
}
uint64_t FnvStart(char kind) { return (kFnvOffset ^ static_cast<unsigned char>(kind)) * kFnvPrime; }
uint32_t BucketOf(uint64_t h) { return static_cast<uint32_t>((h ^ (h >> 29)) & kHashMask); }
uint32_t Bucket(char kind, std::string_view s) { return BucketOf(Fnv(FnvStart(kind), s)); }

// Words are 2 to 6 characters long; a model keeps at most this many of them.
constexpr size_t kMaxWordChars = 6;
constexpr size_t kMaxLexicon = size_t{1} << 20;

// The letters, digits and ideographs of normalised text, digits folded to 0 (house numbers
// and dates say little about the matter), each character's bytes from start[i] to
// start[i + 1]; run_end[i] is where the run holding character i ends. Punctuation ends a
// run and spaces do not, so segmented text reads like the raw text it came from.
struct Folded {
  std::string bytes;
  std::vector<uint32_t> start;
  std::vector<uint32_t> run_end;
  size_t size() const { return run_end.size(); }
  std::string_view at(size_t i) const { return std::string_view(bytes).substr(start[i], start[i + 1] - start[i]); }
};

void Fold(std::string_view norm, Folded* f) {
  f->bytes.clear();
  f->start.clear();
  f->run_end.clear();
  size_t run_from = 0;
  auto close_run = [&] {
    for (size_t j = run_from; j < f->run_end.size(); ++j) f->run_end[j] = static_cast<uint32_t>(f->run_end.size());
    run_from = f->run_end.size();
  };
  for (size_t i = 0; i < norm.size();) {
    const size_t at = i;
    const char32_t cp = NextCodePoint(norm, i);
    if (!IsWordChar(cp)) {
      if (cp != ' ') close_run();
      continue;
    }
    f->start.push_back(static_cast<uint32_t>(f->bytes.size()));
    f->run_end.push_back(0);
    if (cp >= '0' && cp <= '9') {
      f->bytes.push_back('0');
    } else {
      f->bytes.append(norm.data() + at, i - at);
    }
  }
  close_run();
  f->start.push_back(static_cast<uint32_t>(f->bytes.size()));
}

// The key of a word of normalised text in a lexicon (0: not a word: under 2 or over
// kMaxWordChars characters, or holding anything but letters, digits and ideographs).
uint64_t WordKey(std::string_view word) {
  uint64_t h = FnvStart('w');
  size_t chars = 0;
  for (size_t i = 0; i < word.size();) {
    const size_t at = i;
    const char32_t cp = NextCodePoint(word, i);
    if (!IsWordChar(cp) || ++chars > kMaxWordChars) return 0;
    h = cp >= '0' && cp <= '9' ? Fnv(h, "0") : Fnv(h, word.substr(at, i - at));
  }
  return chars >= 2 && h != 0 ? h : 0;
}

}  // namespace

// The words a model learnt from its training texts (their keys): open addressing, at
// most half full, 0 marking an empty slot.
class Lexicon {
 public:
  void Assign(std::vector<uint64_t> keys) {
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    keys_ = std::move(keys);
    size_t cap = 16;
    while (cap < 2 * keys_.size()) cap <<= 1;
    slots_.assign(cap, 0);
    mask_ = cap - 1;
    for (uint64_t k : keys_) {
      size_t s = Home(k);
      while (slots_[s] != 0) s = (s + 1) & mask_;
      slots_[s] = k;
    }
  }
  bool Contains(uint64_t k) const {
    for (size_t s = Home(k);; s = (s + 1) & mask_) {
      if (slots_[s] == k) return true;
      if (slots_[s] == 0) return false;
    }
  }
  const std::vector<uint64_t>& keys() const { return keys_; }

 private:
  size_t Home(uint64_t k) const { return (k * 0x9E3779B97F4A7C15ull >> 17) & mask_; }
  std::vector<uint64_t> keys_;
  std::vector<uint64_t> slots_ = std::vector<uint64_t>(16, 0);
  size_t mask_ = 15;
};

namespace {

void SilentPrint(const char*) {}

double Softmax(const std::vector<double>& dec, double temperature, std::vector<double>* out) {
  const double mx = *std::max_element(dec.begin(), dec.end());
  double sum = 0;
  out->resize(dec.size());
  for (size_t k = 0; k < dec.size(); ++k) sum += (*out)[k] = std::exp(temperature * (dec[k] - mx));
  for (double& p : *out) p /= sum;
  return sum;
}

// Features of one text: character unigrams and bigrams over its letters, digits and
// ideographs (punctuation and spaces skipped, so raw text and stop-word-stripped segmented
// text look alike), the bigrams within the first `title_chars` of them once more as title
// bigrams, and every run of 2 to 6 characters that is a word of the lexicon
// (overlapping matches included: no segmentation decision, so raw and segmented text give
// the same words, and nothing is segmented at prediction time).
Result<Features> Featurise(std::string_view text, const Lexicon& lexicon, size_t title_chars) {
  // A text longer than kMaxTextBytes is judged by its beginning (which also keeps every
  // count below 65,536).
  std::string beginning;
  if (text.size() > kMaxTextBytes) {
    beginning = Utf8Prefix(text, kMaxTextBytes);
    text = beginning;
  }
  ASSIGN_OR_RETURN(std::string norm, NormaliseText(text));
  thread_local Folded chars;
  Fold(norm, &chars);
  const size_t m = chars.size();
  if (m == 0) return InvalidArgument("text", "has no letters, digits or ideographs");
  std::vector<uint32_t> ids;
  ids.reserve(4 * m);
  for (size_t i = 0; i < m; ++i) {
    ids.push_back(Bucket('c', chars.at(i)));
    if (i == 0) continue;
    const std::string_view bigram = std::string_view(chars.bytes).substr(chars.start[i - 1], chars.start[i + 1] - chars.start[i - 1]);
    ids.push_back(Bucket('b', bigram));
    if (i < title_chars) ids.push_back(Bucket('t', bigram));
  }
  for (size_t a = 0; a < m; ++a) {
    uint64_t h = Fnv(FnvStart('w'), chars.at(a));
    const size_t end = std::min<size_t>(chars.run_end[a], a + kMaxWordChars);
    for (size_t b = a + 1; b < end; ++b) {
      h = Fnv(h, chars.at(b));
      if (lexicon.Contains(h)) ids.push_back(BucketOf(h));
    }
  }
  // Term frequencies: counted in a per-thread table indexed by feature id (no sort; the
  // table is cleared again through the ids touched).
  thread_local std::vector<uint16_t> counts(size_t{1} << kHashBits, 0);
  Features f;
  f.tf.reserve(ids.size());
  for (uint32_t id : ids) {
    if (counts[id]++ == 0) f.tf.emplace_back(id, 0.0f);
  }
  for (auto& [id, tf] : f.tf) {
    tf = static_cast<float>(1.0 + std::log(static_cast<double>(counts[id])));
    counts[id] = 0;
  }
  return f;
}

// The lexicon of a training set: the words of its segmented texts (as segmented) and of its
// raw texts (as ICU segments them, the user dictionary's names kept whole) that occur in at least two texts; at most kMaxLexicon of
// them, the most frequent.
Result<std::vector<uint64_t>> LearnLexicon(const std::vector<TrainingExample>& examples, const Segmenter& seg) {
  std::unordered_map<uint64_t, uint32_t> df;
  std::vector<uint64_t> keys;
  for (size_t i = 0; i < examples.size(); ++i) {
    auto norm = NormaliseText(examples[i].text);
    if (!norm.ok()) return InvalidArgument("text", "example " + std::to_string(i + 1) + ": " + norm.status().message());
    keys.clear();
    auto add = [&](std::string_view w) {
      if (const uint64_t k = WordKey(w)) keys.push_back(k);
    };
    if (examples[i].segmented) {
      for (size_t at = 0; at < norm->size();) {
        const size_t sp = std::min(norm->find(' ', at), norm->size());
        add(std::string_view(*norm).substr(at, sp - at));
        at = sp + 1;
      }
    } else {
      seg.ForEachWord(*norm, add);
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (uint64_t k : keys) ++df[k];
  }
  std::vector<std::pair<uint32_t, uint64_t>> kept;
  for (const auto& [k, n] : df) {
    if (n >= 2) kept.emplace_back(n, k);
  }
  if (kept.size() > kMaxLexicon) {
    std::nth_element(kept.begin(), kept.begin() + kMaxLexicon, kept.end(), std::greater<>());
    kept.resize(kMaxLexicon);
  }
  std::vector<uint64_t> out;
  out.reserve(kept.size());
  for (const auto& [n, k] : kept) out.push_back(k);
  return out;
}

}  // namespace

struct Classifier::Impl {
  std::vector<std::string> labels;
  std::vector<uint32_t> buckets;  // sorted; row r holds bucket buckets[r]
  std::vector<float> idf;      // per row, until packed
  std::vector<float> weights;  // row-major [row][class], until packed
  std::vector<float> bias;     // per class
  Lexicon lexicon;
  double temperature = 1;
  double abstain_below = 0;
  size_t title_chars = kTitleChars;  // 0 for a model of feature version 2
  nlohmann::json info;

  static constexpr uint32_t kNoRow = UINT32_MAX;

  // Bucket → row: open addressing with linear probing, at most half full, 8 bytes a slot
  // (8 MiB for the 388,000 rows of the dev model, where a direct table of 2^22 rows took
  // 16 MiB): prediction reads it, the rows and ICU's dictionary at random, and they must
  // share the cache.
  struct Slot {
    uint32_t bucket;
    uint32_t row;
  };
  std::vector<Slot> slots;
  int slot_shift = 32;
  // What prediction reads of a row, in one place: its idf, then its weight per class.
  std::vector<float> packed;

  uint32_t Home(uint32_t bucket) const { return (bucket * 0x9E3779B1u) >> slot_shift; }

  void Index() {
    size_t cap = 16;
    slot_shift = 28;
    while (cap < 2 * buckets.size()) cap <<= 1, --slot_shift;
    slots.assign(cap, Slot{0, kNoRow});
    for (uint32_t r = 0; r < buckets.size(); ++r) {
      uint32_t s = Home(buckets[r]);
      while (slots[s].row != kNoRow) s = (s + 1) & (cap - 1);
      slots[s] = {buckets[r], r};
    }
  }

  uint32_t RowOf(uint32_t bucket) const {
    const uint32_t mask = static_cast<uint32_t>(slots.size() - 1);
    for (uint32_t s = Home(bucket);; s = (s + 1) & mask) {
      if (slots[s].row == kNoRow || slots[s].bucket == bucket) return slots[s].row;
    }
  }

  // Once idf and weights are known (trained or loaded): they move into `packed`.
  void Pack() {
    const size_t k = labels.size();
    packed.resize(buckets.size() * (k + 1));
    for (size_t r = 0; r < buckets.size(); ++r) {
      packed[r * (k + 1)] = idf[r];
      std::copy_n(&weights[r * k], k, &packed[r * (k + 1) + 1]);
    }
    idf = {};
    weights = {};
  }

  // Decision values of one text.
  std::vector<double> Decide(const Features& f) const {
    const size_t k = labels.size();
    std::vector<double> dec(k, 0.0);
    double norm2 = 0;
    // In batches: the slots of a batch, then its rows, are asked for from memory together
    // (prefetched) before any is used, so the cache misses overlap instead of queueing.
    constexpr size_t kBatch = 16;
    uint32_t rows[kBatch];
    for (size_t at = 0; at < f.tf.size(); at += kBatch) {
      const size_t m = std::min(kBatch, f.tf.size() - at);
      for (size_t j = 0; j < m; ++j) __builtin_prefetch(&slots[Home(f.tf[at + j].first)]);
      for (size_t j = 0; j < m; ++j) {
        rows[j] = RowOf(f.tf[at + j].first);
        if (rows[j] != kNoRow) __builtin_prefetch(&packed[static_cast<size_t>(rows[j]) * (k + 1)]);
      }
      for (size_t j = 0; j < m; ++j) {
        if (rows[j] == kNoRow) continue;
        const float* r = &packed[static_cast<size_t>(rows[j]) * (k + 1)];
        const double v = f.tf[at + j].second * r[0];
        norm2 += v * v;
        for (size_t c = 0; c < k; ++c) dec[c] += v * r[1 + c];
      }
    }
    const double inv = norm2 > 0 ? 1.0 / std::sqrt(norm2) : 0.0;
    for (size_t c = 0; c < k; ++c) dec[c] = dec[c] * inv + bias[c];
    return dec;
  }

  std::string Payload() const {
    std::string out;
    auto put = [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); };
    const uint32_t k = static_cast<uint32_t>(labels.size()), rows = static_cast<uint32_t>(buckets.size());
    put(&k, 4);
    put(&rows, 4);
    put(buckets.data(), rows * 4);
    for (size_t r = 0; r < rows; ++r) put(&packed[r * (k + 1)], 4);
    for (size_t r = 0; r < rows; ++r) put(&packed[r * (k + 1) + 1], k * 4);
    put(bias.data(), k * 4);
    const uint32_t words = static_cast<uint32_t>(lexicon.keys().size());
    put(&words, 4);
    put(lexicon.keys().data(), static_cast<size_t>(words) * 8);
    return out;
  }
};

Classifier::Classifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Classifier::~Classifier() = default;
Classifier::Classifier(Classifier&&) noexcept = default;
Classifier& Classifier::operator=(Classifier&&) noexcept = default;

const std::vector<std::string>& Classifier::labels() const { return impl_->labels; }
double Classifier::abstain_below() const { return impl_->abstain_below; }
const nlohmann::json& Classifier::info() const { return impl_->info; }

Prediction Classifier::PredictFeatures(const Features& f, size_t k) const {
  std::vector<double> probs;
  Softmax(impl_->Decide(f), impl_->temperature, &probs);
  std::vector<size_t> order(probs.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return probs[a] > probs[b]; });
  Prediction p;
  p.label = impl_->labels[order[0]];
  p.confidence = probs[order[0]];
  p.abstain = p.confidence < impl_->abstain_below;
  for (size_t i = 0; i < std::min(k, order.size()); ++i) p.top.push_back({impl_->labels[order[i]], probs[order[i]]});
  return p;
}

Result<Features> Classifier::Featurise(std::string_view text) const { return intel::Featurise(text, impl_->lexicon, impl_->title_chars); }

Result<Prediction> Classifier::Predict(std::string_view text, size_t k) const {
  ASSIGN_OR_RETURN(Features f, Featurise(text));
  return PredictFeatures(f, k);
}

namespace {

// One linear SVM per class over the given rows of x, NB-SVM style (Wang & Manning 2012): for
// class c each feature is scaled by its log-count ratio r = log((p / |p|) / (q / |q|)), p and
// q counting the class's texts and the other texts that hold it (add-one smoothed), a binary
// SVM learns on the scaled rows, and r is folded back into its weights, so prediction reads
// the plain [feature][class] table. On the development data this took raw-row macro-F1
// from 0.909 to 0.919 (grouped 5-fold, mean of three seeds). Classes absent from the rows
// get a bias that never wins.
struct Linear {
  std::vector<float> w;
  std::vector<float> b;
};

Linear TrainLinear(const std::vector<std::vector<feature_node>>& x, const std::vector<int>& y,
                   const std::vector<size_t>& rows, int n_features, int n_classes, double c) {
  Linear out;
  out.w.assign(static_cast<size_t>(n_features) * n_classes, 0.0f);
  out.b.assign(n_classes, -1e6f);
  // How many texts hold each feature: all of them counted once, then each class's own, so
  // the other texts' count is the difference.
  std::vector<double> in_all(n_features, 0.0), in_class(n_features), ratio(n_features);
  for (size_t r : rows) {
    for (const feature_node& node : x[r]) {
      if (node.index > 0 && node.index <= n_features) in_all[node.index - 1] += 1;
    }
  }
  const double sum_all = std::accumulate(in_all.begin(), in_all.end(), 0.0);
  std::vector<std::vector<feature_node>> scaled(rows.size());
  std::vector<feature_node*> xs(rows.size());
  std::vector<double> ys(rows.size());
  set_print_string_function(&SilentPrint);
  for (int cls = 0; cls < n_classes; ++cls) {
    std::fill(in_class.begin(), in_class.end(), 0.0);
    size_t members = 0;
    for (size_t r : rows) {
      if (y[r] != cls) continue;
      ++members;
      for (const feature_node& node : x[r]) {
        if (node.index > 0 && node.index <= n_features) in_class[node.index - 1] += 1;
      }
    }
    if (members == 0) continue;
    if (members == rows.size()) {  // one class only: it always wins
      out.b[cls] = 0;
      continue;
    }
    // Add-one smoothed on both sides.
    const double sum_in = std::accumulate(in_class.begin(), in_class.end(), 0.0);
    const double sum_out = sum_all - sum_in + n_features;
    for (int f = 0; f < n_features; ++f) {
      ratio[f] = std::log(((in_class[f] + 1) / (sum_in + n_features)) / ((in_all[f] - in_class[f] + 1) / sum_out));
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      scaled[i] = x[rows[i]];
      for (feature_node& node : scaled[i]) {
        if (node.index > 0 && node.index <= n_features) node.value *= ratio[node.index - 1];
      }
      ys[i] = y[rows[i]] == cls ? 1 : -1;
      xs[i] = scaled[i].data();
    }
    problem prob{};
    prob.l = static_cast<int>(rows.size());
    prob.n = n_features + 1;
    prob.y = ys.data();
    prob.x = xs.data();
    prob.bias = 1.0;
    parameter param{};
    param.solver_type = L2R_L2LOSS_SVC_DUAL;
    param.eps = 0.1;
    param.C = c;
    param.p = 0.1;
    std::srand(1);  // liblinear shuffles with rand(): the same data gives the same model
    model* m = train(&prob, &param);
    // A binary model holds one weight vector, for the first label it saw.
    int labels[2] = {0, 0};
    get_labels(m, labels);
    const double sign = labels[0] == 1 ? 1.0 : -1.0;
    for (int f = 1; f <= n_features; ++f) {
      out.w[static_cast<size_t>(f - 1) * n_classes + cls] = static_cast<float>(sign * get_decfun_coef(m, f, 0) * ratio[f - 1]);
    }
    out.b[cls] = static_cast<float>(sign * get_decfun_bias(m, 0));
    free_and_destroy_model(&m);
  }
  return out;
}

std::vector<double> Decision(const Linear& lin, const std::vector<feature_node>& x, int n_classes) {
  std::vector<double> dec(lin.b.begin(), lin.b.end());
  for (const feature_node& node : x) {
    if (node.index < 0) break;
    if (static_cast<size_t>(node.index) > lin.w.size() / n_classes) continue;  // the bias node
    const float* w = &lin.w[static_cast<size_t>(node.index - 1) * n_classes];
    for (int c = 0; c < n_classes; ++c) dec[c] += node.value * w[c];
  }
  return dec;
}

constexpr double kNeverTrustedBelow = 0.5;

double MeanNll(const std::vector<std::vector<double>>& dec, const std::vector<int>& y, double t) {
  double nll = 0;
  std::vector<double> p;
  for (size_t i = 0; i < dec.size(); ++i) {
    Softmax(dec[i], t, &p);
    nll -= std::log(std::max(p[y[i]], 1e-12));
  }
  return nll / std::max<size_t>(dec.size(), 1);
}

// The temperature minimising the out-of-fold negative log-likelihood (golden section
// over log T).
double FitNllTemperature(const std::vector<std::vector<double>>& dec, const std::vector<int>& y) {
  double lo = std::log(0.05), hi = std::log(200.0);
  const double g = (std::sqrt(5.0) - 1) / 2;
  double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
  double fa = MeanNll(dec, y, std::exp(a)), fb = MeanNll(dec, y, std::exp(b));
  for (int it = 0; it < 40; ++it) {
    if (fa < fb) {
      hi = b, b = a, fb = fa, a = hi - g * (hi - lo), fa = MeanNll(dec, y, std::exp(a));
    } else {
      lo = a, a = b, fa = fb, b = lo + g * (hi - lo), fb = MeanNll(dec, y, std::exp(b));
    }
  }
  return std::exp((lo + hi) / 2);
}

// The mean confidence (the best class's probability) of out-of-fold predictions at t.
double MeanConfidence(const std::vector<std::vector<double>>& dec, double t) {
  double sum = 0;
  std::vector<double> p;
  for (const auto& d : dec) sum += 1.0 / Softmax(d, t, &p);  // the best class's exp is 1
  return sum / std::max<size_t>(dec.size(), 1);
}

// That temperature, but never so high that the mean confidence passes the held-out accuracy,
// add-one smoothed ((right + 1) / (n + 2)). Where every held-out prediction is right the
// likelihood grows without end as T does, and T at its bound made every confidence 1.0: a
// sentence in words the model barely knows, its scores a hair apart, was sure of the wrong
// category (the demo city's model, trained on a few hundred similar tickets, sent a lamp in
// a stairwell to the gas company at 100 %).
double FitTemperature(const std::vector<std::vector<double>>& dec, const std::vector<int>& y) {
  const double fitted = FitNllTemperature(dec, y);
  size_t right = 0;
  for (size_t i = 0; i < dec.size(); ++i) {
    right += static_cast<size_t>(std::max_element(dec[i].begin(), dec[i].end()) - dec[i].begin()) == static_cast<size_t>(y[i]);
  }
  const double most = (static_cast<double>(right) + 1) / (static_cast<double>(dec.size()) + 2);
  if (MeanConfidence(dec, fitted) <= most) return fitted;
  double lo = std::log(0.05), hi = std::log(fitted);  // mean confidence rises with T
  for (int it = 0; it < 50; ++it) {
    const double mid = (lo + hi) / 2;
    (MeanConfidence(dec, std::exp(mid)) > most ? hi : lo) = mid;
  }
  return std::exp(lo);
}

}  // namespace

Result<Classifier> Classifier::Train(const std::vector<TrainingExample>& examples, const TrainOptions& opts) {
  if (examples.size() < 2) return InvalidArgument("input", "needs at least 2 labelled examples");
  if (opts.c <= 0) return InvalidArgument("c", "must be positive");
  if (opts.min_df < 0) return InvalidArgument("min_df", "must not be negative");
  auto impl = std::make_unique<Impl>();
  const size_t n = examples.size();
  std::vector<Features> feats(n);
  std::map<std::string, int> label_index;
  std::vector<std::string> user_terms;
  for (const auto& t : opts.user_terms) {
    if (auto n = NormaliseText(t); n.ok() && !n->empty()) user_terms.push_back(*n);
  }
  const Segmenter city(std::move(user_terms));
  ASSIGN_OR_RETURN(std::vector<uint64_t> words, LearnLexicon(examples, city));
  impl->lexicon.Assign(std::move(words));
  for (size_t i = 0; i < n; ++i) {
    auto f = intel::Featurise(examples[i].text, impl->lexicon, impl->title_chars);
    if (!f.ok()) return InvalidArgument("text", "example " + std::to_string(i + 1) + ": " + f.status().message());
    feats[i] = std::move(f).value();
    if (examples[i].label.empty()) return InvalidArgument("label", "example " + std::to_string(i + 1) + " has none");
    label_index.emplace(examples[i].label, 0);
  }
  if (label_index.size() < 2) return InvalidArgument("label", "needs at least 2 distinct labels");
  for (auto& [label, idx] : label_index) {
    idx = static_cast<int>(impl->labels.size());
    impl->labels.push_back(label);
  }
  const int k = static_cast<int>(impl->labels.size());
  std::vector<int> y(n);
  for (size_t i = 0; i < n; ++i) y[i] = label_index[examples[i].label];

  // Vocabulary (hashed) and smoothed idf, as scikit-learn's TfidfVectorizer computes it.
  std::unordered_map<uint32_t, uint32_t> df;
  for (const auto& f : feats) {
    for (const auto& [id, tf] : f.tf) ++df[id];
  }
  const int min_df = opts.min_df > 0 ? opts.min_df : n >= kAutoMinDfExamples ? 2 : 1;
  impl->buckets.reserve(df.size());
  for (const auto& [id, count] : df) {
    if (count >= static_cast<uint32_t>(min_df)) impl->buckets.push_back(id);
  }
  std::sort(impl->buckets.begin(), impl->buckets.end());
  impl->Index();
  impl->idf.resize(impl->buckets.size());
  for (size_t r = 0; r < impl->buckets.size(); ++r) {
    impl->idf[r] = static_cast<float>(std::log((1.0 + n) / (1.0 + df[impl->buckets[r]])) + 1.0);
  }
  const int n_features = static_cast<int>(impl->buckets.size());
  std::vector<std::vector<feature_node>> x(n);
  for (size_t i = 0; i < n; ++i) {
    double norm2 = 0;
    for (const auto& [id, tf] : feats[i].tf) {
      const uint32_t r = impl->RowOf(id);
      if (r == Impl::kNoRow) continue;  // rarer than min_df
      const double v = tf * impl->idf[r];
      x[i].push_back({static_cast<int>(r) + 1, v});
      norm2 += v * v;
    }
    const double inv = norm2 > 0 ? 1.0 / std::sqrt(norm2) : 0.0;
    for (auto& node : x[i]) node.value *= inv;
    x[i].push_back({n_features + 1, 1.0});
    x[i].push_back({-1, 0.0});
  }

  // Out-of-fold decision values: groups (the given one, else the normalised text, so
  // duplicates never straddle a split) are dealt to folds at random.
  nlohmann::json scores = nlohmann::json::object();
  impl->temperature = 1;
  impl->abstain_below = std::max(0.0, opts.abstain_below);
  if (opts.folds >= 2) {
    std::map<std::string, int> fold_of_group;
    std::vector<std::string> group_names;
    std::vector<std::string> groups(n);
    for (size_t i = 0; i < n; ++i) {
      groups[i] = !examples[i].group.empty() ? "g:" + examples[i].group : "t:" + *NormaliseText(examples[i].text);
      if (fold_of_group.emplace(groups[i], 0).second) group_names.push_back(groups[i]);
    }
    std::mt19937_64 rng(opts.seed);
    std::shuffle(group_names.begin(), group_names.end(), rng);
    for (size_t g = 0; g < group_names.size(); ++g) fold_of_group[group_names[g]] = static_cast<int>(g % opts.folds);
    std::vector<std::vector<double>> oof(n);
    for (int fold = 0; fold < opts.folds; ++fold) {
      std::vector<size_t> train_rows, test_rows;
      for (size_t i = 0; i < n; ++i) (fold_of_group[groups[i]] == fold ? test_rows : train_rows).push_back(i);
      if (train_rows.empty() || test_rows.empty()) continue;
      Linear lin = TrainLinear(x, y, train_rows, n_features, k, opts.c);
      for (size_t i : test_rows) oof[i] = Decision(lin, x[i], k);
    }
    std::vector<std::vector<double>> dec;
    std::vector<int> gold;
    for (size_t i = 0; i < n; ++i) {
      if (!oof[i].empty()) dec.push_back(oof[i]), gold.push_back(y[i]);
    }
    if (!dec.empty()) {
      impl->temperature = FitTemperature(dec, gold);
      // Out-of-fold predictions with calibrated confidences: the stored scores, and the
      // abstention threshold that keeps the confident ones at the wanted accuracy.
      std::vector<Prediction> preds;
      std::vector<std::string> gold_labels;
      std::vector<double> p;
      for (size_t i = 0; i < dec.size(); ++i) {
        Softmax(dec[i], impl->temperature, &p);
        const size_t best = std::max_element(p.begin(), p.end()) - p.begin();
        preds.push_back({impl->labels[best], p[best], false, {}});
        gold_labels.push_back(impl->labels[gold[i]]);
      }
      if (opts.abstain_below < 0) {
        std::vector<size_t> order(preds.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return preds[a].confidence > preds[b].confidence; });
        size_t right = 0;
        double threshold = 1.0;
        for (size_t j = 0; j < order.size(); ++j) {
          right += preds[order[j]].label == gold_labels[order[j]];
          if (static_cast<double>(right) / (j + 1) < opts.abstain_precision) continue;
          // Accurate enough down to here; and when that holds for every prediction, at any
          // confidence (else a text scored a hair below the lowest out-of-fold confidence,
          // say 0.9999999999999996 where all were 1.0, would need a person).
          threshold = j + 1 == order.size() ? 0.0 : preds[order[j]].confidence;
        }
        // And never below an even chance: a calibrated confidence under one half says the
        // model itself expects to be wrong (a 7 % guess of a model whose held-out record was
        // perfect on texts unlike this one).
        impl->abstain_below = std::max(threshold, kNeverTrustedBelow);
      }
      for (auto& pr : preds) pr.abstain = pr.confidence < impl->abstain_below;
      const EvalReport rep = Evaluate(gold_labels, preds);
      scores = EvalJson(rep);
      scores["method"] = std::to_string(opts.folds) + "-fold cross-validation, grouped by " +
                         (examples[0].group.empty() ? "normalised text" : "the given group");
      scores["coverage"] = rep.n ? 1.0 - static_cast<double>(rep.abstained) / rep.n : 0.0;
      scores.erase("confusion");
    }
  }

  std::vector<size_t> all(n);
  std::iota(all.begin(), all.end(), 0);
  Linear lin = TrainLinear(x, y, all, n_features, k, opts.c);
  impl->weights = std::move(lin.w);
  impl->bias = std::move(lin.b);
  impl->Pack();

  std::map<std::string, size_t> counts;
  for (const auto& e : examples) ++counts[e.label];
  impl->info = {
      {"kind", "text-classifier"},
      {"format", 1},
      {"features", {{"version", kFeatureVersion},
                    {"hash_bits", kHashBits},
                    {"description", "TF-IDF (sublinear tf, smoothed idf, L2) over character 1-2-grams, the bigrams of the first " +
                                        std::to_string(kTitleChars) +
                                        " characters again as title bigrams, and the lexicon's words found in the text"},
                    {"lexicon_words", impl->lexicon.keys().size()},
                    {"rows", impl->buckets.size()}}},
      {"algorithm", "one-vs-rest NB-SVM: linear SVMs (liblinear L2-regularised L2-loss, dual) over features scaled by their per-class log-count ratio, softmax-calibrated"},
      {"c", opts.c},
      {"min_df", min_df},
      {"temperature", impl->temperature},
      {"abstain_below", impl->abstain_below},
      {"labels", impl->labels},
      {"label_counts", counts},
      {"examples", n},
      {"trained_at", FormatIsoCity(SystemClock::Default()->NowMs())},
      {"data", opts.description},
      {"scores", scores},
  };
  return Classifier(std::move(impl));
}

Status Classifier::Save(const std::string& path) const {
  const std::string payload = impl_->Payload();
  nlohmann::json meta = impl_->info;
  meta["payload_bytes"] = payload.size();
  meta["payload_digest"] = DigestHex(payload);
  meta["version"] = meta["trained_at"].get<std::string>() + "/" + DigestHex(payload).substr(0, 12);
  impl_->info = meta;
  const std::string tmp = path + ".tmp";
  {
    // Its owner's only from its creation: the word list is the citizens' words.
    std::filesystem::remove(tmp);
    if (const int fd = ::open(tmp.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600); fd >= 0) ::close(fd);
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return InvalidArgument("out", "cannot write " + tmp);
    out << kMagic << meta.dump() << "\n";
    out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
    out.flush();
    if (!out) return Internal("writing " + tmp + " failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Internal("renaming " + tmp + ": " + ec.message());
  return Status::Ok();
}

Result<Classifier> Classifier::Load(const std::string& path) {
  auto bytes = ReadFile(path, 1u << 30);
  if (!bytes.ok()) return InvalidArgument("model", bytes.status().message());
  return Parse(*bytes);
}

Result<Classifier> Classifier::Parse(std::string_view bytes) {
  const std::string_view magic(kMagic);
  if (bytes.substr(0, magic.size()) != magic) return InvalidArgument("model", "is not a hotline classifier model");
  bytes.remove_prefix(magic.size());
  const size_t eol = bytes.find('\n');
  if (eol == std::string_view::npos) return InvalidArgument("model", "is truncated (no header)");
  auto impl = std::make_unique<Impl>();
  try {
    impl->info = nlohmann::json::parse(bytes.substr(0, eol));
    const std::string_view payload = bytes.substr(eol + 1);
    if (payload.size() != impl->info.at("payload_bytes").get<size_t>() ||
        DigestHex(std::string(payload)) != impl->info.at("payload_digest").get<std::string>()) {
      return InvalidArgument("model", "is damaged (its content does not match its digest)");
    }
    const int version = impl->info.at("features").at("version").get<int>();
    if (version != kFeatureVersion && version != kFeatureVersionNoTitle) {
      return InvalidArgument("model", "was trained on features of another version; retrain it");
    }
    impl->title_chars = version == kFeatureVersion ? kTitleChars : 0;
    impl->labels = impl->info.at("labels").get<std::vector<std::string>>();
    impl->temperature = impl->info.at("temperature").get<double>();
    impl->abstain_below = impl->info.at("abstain_below").get<double>();
    uint32_t k = 0, rows = 0;
    std::memcpy(&k, payload.data(), 4);
    std::memcpy(&rows, payload.data() + 4, 4);
    const size_t want = 8 + static_cast<size_t>(rows) * 8 + static_cast<size_t>(rows) * k * 4 + k * 4 + 4;
    uint32_t words = 0;
    if (payload.size() >= want) std::memcpy(&words, payload.data() + want - 4, 4);
    if (k != impl->labels.size() || payload.size() != want + static_cast<size_t>(words) * 8) {
      return InvalidArgument("model", "has an inconsistent size");
    }
    const char* p = payload.data() + 8;
    impl->buckets.resize(rows);
    impl->idf.resize(rows);
    impl->weights.resize(static_cast<size_t>(rows) * k);
    impl->bias.resize(k);
    std::memcpy(impl->buckets.data(), p, rows * 4), p += rows * 4;
    std::memcpy(impl->idf.data(), p, rows * 4), p += rows * 4;
    std::memcpy(impl->weights.data(), p, static_cast<size_t>(rows) * k * 4), p += static_cast<size_t>(rows) * k * 4;
    std::memcpy(impl->bias.data(), p, k * 4), p += k * 4 + 4;
    std::vector<uint64_t> lexicon(words);
    std::memcpy(lexicon.data(), p, static_cast<size_t>(words) * 8);
    impl->lexicon.Assign(std::move(lexicon));
  } catch (const std::exception& e) {
    return InvalidArgument("model", std::string("has a bad header: ") + e.what());
  }
  impl->Index();
  impl->Pack();
  return Classifier(std::move(impl));
}

EvalReport Evaluate(const std::vector<std::string>& gold, const std::vector<Prediction>& predicted) {
  EvalReport r;
  std::map<std::string, size_t> index;
  for (const auto& g : gold) index.emplace(g, 0);
  for (const auto& p : predicted) index.emplace(p.label, 0);
  for (auto& [label, i] : index) {
    i = r.labels.size();
    r.labels.push_back(label);
  }
  const size_t k = r.labels.size();
  r.confusion.assign(k, std::vector<size_t>(k, 0));
  size_t right = 0, confident = 0, confident_right = 0;
  r.n = std::min(gold.size(), predicted.size());
  for (size_t i = 0; i < r.n; ++i) {
    ++r.confusion[index[gold[i]]][index[predicted[i].label]];
    const bool ok = gold[i] == predicted[i].label;
    right += ok;
    if (predicted[i].abstain) {
      ++r.abstained;
    } else {
      ++confident;
      confident_right += ok;
    }
  }
  r.accuracy = r.n ? static_cast<double>(right) / r.n : 0;
  r.accuracy_when_confident = confident ? static_cast<double>(confident_right) / confident : 0;
  double f1_sum = 0;
  size_t with_support = 0;
  for (size_t c = 0; c < k; ++c) {
    size_t tp = r.confusion[c][c], gold_n = 0, pred_n = 0;
    for (size_t j = 0; j < k; ++j) gold_n += r.confusion[c][j], pred_n += r.confusion[j][c];
    EvalReport::PerClass pc;
    pc.label = r.labels[c];
    pc.support = gold_n;
    pc.precision = pred_n ? static_cast<double>(tp) / pred_n : 0;
    pc.recall = gold_n ? static_cast<double>(tp) / gold_n : 0;
    pc.f1 = pc.precision + pc.recall > 0 ? 2 * pc.precision * pc.recall / (pc.precision + pc.recall) : 0;
    if (gold_n > 0) f1_sum += pc.f1, ++with_support;
    r.classes.push_back(pc);
  }
  r.macro_f1 = with_support ? f1_sum / with_support : 0;
  return r;
}

nlohmann::json EvalJson(const EvalReport& r) {
  nlohmann::json per = nlohmann::json::object();
  for (const auto& c : r.classes) {
    per[c.label] = {{"precision", c.precision}, {"recall", c.recall}, {"f1", c.f1}, {"support", c.support}};
  }
  return {{"n", r.n},
          {"accuracy", r.accuracy},
          {"macro_f1", r.macro_f1},
          {"per_class", per},
          {"abstained", r.abstained},
          {"accuracy_when_confident", r.accuracy_when_confident},
          {"confusion", {{"labels", r.labels}, {"matrix", r.confusion}}}};
}

}  // namespace hotline::intel
