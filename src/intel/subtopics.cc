#include "intel/subtopics.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "text/text.h"

namespace hotline::intel {

namespace {

size_t CodePoints(const std::string& w) {
  size_t i = 0, n = 0;
  while (i < w.size()) {
    NextCodePoint(w, i);
    ++n;
  }
  return n;
}

// Words every kind of request uses; they never name a sub-topic.
const std::unordered_set<std::string>& Generic() {
  static const std::unordered_set<std::string> kWords = {
      "问题", "请问", "怎么", "怎样", "如何", "什么", "为什么", "市民", "希望", "相关", "部门", "反映", "情况", "现在",
      "没有", "可以", "能否", "是否", "一直", "已经", "谢谢", "您好", "你好", "领导", "政府", "请求", "要求", "解决",
      "处理", "给予", "尽快", "我们", "他们", "你们", "自己", "这个", "那个", "这样", "因为", "所以", "但是", "而且",
      "还是", "就是", "不是", "这些", "那些", "之后", "以后", "以前", "目前", "时候", "一下", "一个", "进行", "非常",
      "咨询", "投诉", "建议", "举报", "求助", "感谢", "麻烦", "帮忙", "帮助", "请求", "关于", "对于", "以及", "或者",
      "大家", "有关", "导致", "造成", "存在", "出现", "发现", "无法", "不能", "需要", "应该", "知道", "告诉",
      "单位", "工作", "人员", "地方", "方面", "有关部门", "相关部门", "工作人员",
  };
  return kWords;
}

}  // namespace

SubTopicReport FindSubTopics(const std::vector<Message>& input, std::optional<TimeMs> pivot, const SubTopicOptions& opts,
                             const std::vector<Message>* background) {
  SubTopicReport report;
  const size_t n = std::min(input.size(), opts.max_messages);
  report.messages = n;
  if (n == 0) return report;

  // The features of each message: its meaningful words and the phrases of two adjacent
  // ones ("个人" + "资料" → "个人资料"), as ids; and in how many messages each occurs.
  Segmenter seg;
  std::unordered_map<std::string, uint32_t> ids;
  std::vector<std::string> names;
  std::vector<bool> phrase;
  std::vector<std::vector<uint32_t>> feats(n);
  auto id_of = [&](const std::string& f, bool is_phrase) {
    auto [it, fresh] = ids.emplace(f, static_cast<uint32_t>(names.size()));
    if (fresh) {
      names.push_back(f);
      phrase.push_back(is_phrase);
    }
    return it->second;
  };
  const auto& generic = Generic();
  for (size_t i = 0; i < n; ++i) {
    auto norm = NormaliseText(input[i].title + " " + input[i].text);
    if (!norm.ok()) continue;
    const auto words = seg.Words(*norm);
    for (size_t k = 0; k < words.size(); ++k) {
      const std::string& w = words[k];
      const size_t len = CodePoints(w);
      const bool usable = len >= 2 && len <= 10 && !generic.count(w);
      if (usable) feats[i].push_back(id_of(w, false));
      if (k + 1 < words.size() && usable) {
        const std::string& v = words[k + 1];
        const size_t vlen = CodePoints(v);
        if (vlen >= 2 && vlen <= 10 && !generic.count(v)) feats[i].push_back(id_of(w + v, true));
      }
    }
    std::sort(feats[i].begin(), feats[i].end());
    feats[i].erase(std::unique(feats[i].begin(), feats[i].end()), feats[i].end());
  }
  std::vector<std::vector<size_t>> docs(names.size());  // feature → messages
  for (size_t i = 0; i < n; ++i) {
    for (uint32_t f : feats[i]) docs[f].push_back(i);
  }
  // Lift over the background: how much more often the input uses a feature.
  std::vector<double> lift(names.size(), 1.0);
  // A background of a few messages says nothing reliable about rates: ignore it.
  const bool use_background = background && background->size() >= 30;
  if (use_background) {
    std::vector<uint32_t> bg_df(names.size(), 0);
    const size_t nb = std::min(background->size(), opts.max_messages);
    for (size_t i = 0; i < nb; ++i) {
      auto norm = NormaliseText((*background)[i].title + " " + (*background)[i].text);
      if (!norm.ok()) continue;
      const auto words = seg.Words(*norm);
      std::vector<uint32_t> seen;
      for (size_t k = 0; k < words.size(); ++k) {
        if (auto it = ids.find(words[k]); it != ids.end()) seen.push_back(it->second);
        if (k + 1 < words.size()) {
          if (auto it = ids.find(words[k] + words[k + 1]); it != ids.end()) seen.push_back(it->second);
        }
      }
      std::sort(seen.begin(), seen.end());
      seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
      for (uint32_t f : seen) ++bg_df[f];
    }
    for (size_t f = 0; f < names.size(); ++f) {
      const double in = static_cast<double>(docs[f].size()) / static_cast<double>(n);
      const double out = (bg_df[f] + 1.0) / (static_cast<double>(nb) + 1.0);
      lift[f] = std::min(10.0, in / out);
    }
  }

  // Greedy cover: the sub-topic is the key word or phrase that the most messages not yet
  // placed contain (times its lift over the background, capped at 10, when there is one;
  // a key the input uses less than 1.5 times as often as the background is no part of it);
  // a phrase wins over its words when it covers at least 80 % as many (it says more).
  // Words in more than 80 % of the messages are what the whole input is about.
  const double universal = 0.8 * static_cast<double>(n);
  std::vector<int> topic_of(n, -1);
  std::vector<size_t> cover(names.size());
  for (size_t f = 0; f < names.size(); ++f) cover[f] = docs[f].size();
  std::vector<uint32_t> picked;
  while (report.topics.size() < opts.top) {
    double best_score = 0;
    uint32_t best = UINT32_MAX;
    for (uint32_t f = 0; f < names.size(); ++f) {
      if (cover[f] < opts.min_size || static_cast<double>(docs[f].size()) > universal) continue;
      if (use_background && lift[f] < 1.5) continue;
      const double score = static_cast<double>(cover[f]) * (phrase[f] ? 1.25 : 1.0) * lift[f];
      // Ties go to the feature used more often overall, then to the smaller id (first seen).
      if (score > best_score || (score == best_score && best != UINT32_MAX && docs[f].size() > docs[best].size())) {
        best_score = score, best = f;
      }
    }
    if (best == UINT32_MAX) break;
    const int t = static_cast<int>(report.topics.size());
    SubTopic topic;
    for (size_t m : docs[best]) {
      if (topic_of[m] != -1) continue;
      topic_of[m] = t;
      topic.members.push_back(m);
      for (uint32_t f : feats[m]) --cover[f];
    }
    // Named by its key, then the words its messages use most beyond it.
    std::unordered_map<uint32_t, size_t> co;
    for (size_t m : topic.members) {
      for (uint32_t f : feats[m]) {
        if (f != best && !phrase[f] && names[best].find(names[f]) == std::string::npos) ++co[f];
      }
    }
    std::vector<std::pair<double, uint32_t>> ranked;
    for (const auto& [f, c] : co) {
      // Frequent in the sub-topic and rarer outside it.
      const double inside = static_cast<double>(c) / static_cast<double>(topic.members.size());
      const double outside = static_cast<double>(docs[f].size() - c) / std::max<double>(1, static_cast<double>(n - topic.members.size()));
      if (inside >= 0.2 && inside > outside) ranked.push_back({-(inside - outside), f});
    }
    std::sort(ranked.begin(), ranked.end());
    topic.terms.push_back(names[best]);
    for (size_t k = 0; k < ranked.size() && topic.terms.size() < 3; ++k) topic.terms.push_back(names[ranked[k].second]);
    picked.push_back(best);
    report.topics.push_back(std::move(topic));
  }

  // Most central first: the messages sharing the most of the sub-topic's naming words.
  for (auto& t : report.topics) {
    std::unordered_set<std::string> key(t.terms.begin(), t.terms.end());
    std::vector<std::pair<int, size_t>> central;
    for (size_t m : t.members) {
      int hits = 0;
      for (uint32_t f : feats[m]) hits += key.count(names[f]) ? 1 : 0;
      central.push_back({-hits, m});
    }
    std::stable_sort(central.begin(), central.end());
    for (size_t k = 0; k < central.size(); ++k) t.members[k] = central[k].second;
    t.share = static_cast<double>(t.members.size()) / static_cast<double>(n);
  }
  std::stable_sort(report.topics.begin(), report.topics.end(),
                   [](const SubTopic& a, const SubTopic& b) { return a.members.size() > b.members.size(); });

  // The before/after windows around the pivot.
  if (pivot) {
    std::optional<TimeMs> first, last;
    for (size_t i = 0; i < n; ++i) {
      if (!input[i].time) continue;
      first = first ? std::min(*first, *input[i].time) : *input[i].time;
      last = last ? std::max(*last, *input[i].time) : *input[i].time;
    }
    if (first && last && *first < *pivot && *last >= *pivot) {
      const TimeMs d = std::min(*pivot - *first, *last - *pivot) + 1;  // both ends inclusive
      report.window_from = *pivot - d, report.pivot = pivot, report.window_to = *pivot + d;
      for (auto& t : report.topics) {
        for (size_t m : t.members) {
          if (!input[m].time) continue;
          const TimeMs at = *input[m].time;
          if (at >= *report.window_from && at < *pivot) ++t.before;
          if (at >= *pivot && at < *report.window_to) ++t.after;
        }
        if (t.before > 0) {
          t.change = (static_cast<double>(t.after) - static_cast<double>(t.before)) / static_cast<double>(t.before);
        }
      }
    }
  }
  size_t placed = 0;
  for (const auto& t : report.topics) placed += t.members.size();
  report.other = n - placed;
  return report;
}

}  // namespace hotline::intel
