// Escalating anger detection (情绪识别): how upset a citizen's message is, so the platform
// notices a caller moving from calm to dissatisfied to angry to desperate. A curated lexicon
// (negative-emotion and anger words, complaint markers such as 踢皮球 / 石沉大海 / 拖了三个月,
// gratitude words, intensifiers, negators) is matched on normalised text (traditional →
// simplified, full width → half width); a negator flips a positive word ("不满意") and
// cancels a negative one ("没有不满") within a short window of the same clause. Escalation
// markers — threats to oneself (活不下去, 以死相逼), of extreme action (拉横幅, 堵路, 同归于尽)
// or of going outside the channel (上访, 找媒体曝光) — set the extreme level.
//
// The level is explainable from the evidence alone: 3 iff an escalation ("!") entry is
// present, otherwise 2 iff the anger sum of the "+" entries reaches the angry threshold,
// otherwise 1 iff the net negativity of "+" and "-" entries reaches the dissatisfied
// threshold.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotline::intel {

struct SentimentScore {
  double anger = 0;       // 0..1, saturating in the summed anger weight; never lowered by praise
  double negativity = 0;  // 0..1, negative weight net of gratitude / praise
  // 0 calm 平静, 1 dissatisfied 不满, 2 angry 愤怒, 3 desperate / extreme 绝望/极端.
  int level = 0;
  // The phrases that counted, in text order, each with its sign:
  //   "+气愤", "+非常不满", "+拖了三个月", "+!!"  raise anger / negativity
  //   "+不(否定)满意"                            a negated positive word, counted as negative
  //   "-感谢"                                   lowers negativity (not anger)
  //   "~没有(否定)不满"                          a negated negative word, counted as nothing
  //   "!上访", "!活不下去"                        escalation: sets level 3
  std::vector<std::string> evidence;
};

// Scores one message. Thread-safe, no I/O (OpenCC's dictionaries are loaded once by the
// text module). Invalid UTF-8 or text without any sentiment phrase scores zero.
SentimentScore ScoreSentiment(std::string_view text);

// "calm", "dissatisfied", "angry", "extreme" (anything else: "calm").
const char* SentimentLevelName(int level);

}  // namespace hotline::intel
