// Sub-topics (子话题) inside one category: what part of the "app account" requests is about
// changing personal data? A sub-topic is a key word or phrase (two adjacent words) that
// many of the messages share, picked greedily: the key the most messages not yet placed
// contain, then the next. Each is named by its key and the words its messages use more
// than the others, and counted before and after a date (a product change, a new policy)
// to show what the change did.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "intel/insight.h"

namespace hotline::intel {

struct SubTopicOptions {
  size_t min_size = 3;       // a key fewer new messages share is not a sub-topic
  size_t top = 10;
  size_t max_messages = 200000;
};

struct SubTopic {
  std::vector<std::string> terms;  // its key word or phrase, then the words that go with it
  std::vector<size_t> members;     // indexes into the input, most typical first
  double share = 0;                // of all the input's messages
  // With a pivot: messages in equal windows before and after it, and the relative change
  // ((after − before) / before; null when there was none before).
  size_t before = 0, after = 0;
  std::optional<double> change;
};

struct SubTopicReport {
  std::vector<SubTopic> topics;   // largest first
  size_t messages = 0, other = 0; // input size; messages in no reported sub-topic
  std::optional<TimeMs> window_from, pivot, window_to;  // the before/after windows
};

// Groups the messages (one category's, typically) into sub-topics. With `pivot`, the
// before window is [pivot − d, pivot) and the after window [pivot, pivot + d), d reaching
// just past the nearer end of the messages' time span, so both windows are equally long.
// `background` (e.g. the other categories' messages of the period) tells words typical of
// the category's parts from words every request uses: a key scores by the messages it
// covers times its lift (its rate in `msgs` over its rate in the background).
SubTopicReport FindSubTopics(const std::vector<Message>& msgs, std::optional<TimeMs> pivot,
                             const SubTopicOptions& opts = {}, const std::vector<Message>* background = nullptr);

}  // namespace hotline::intel
