// Emergency screening (紧急事项甄别): requests that put life or property at risk right now —
// fire, gas leak, explosion, violence, suicide, drowning, collapse, electrocution, people
// trapped, poisoning, a medical emergency — are flagged at intake so that the agent
// transfers the caller at once to 110 (police), 119 (fire & rescue) or 120 (medical)
// instead of opening an ordinary 12345 ticket.
//
// How a text is screened (all rules are data: the tables in screen.cc):
//  1. The text is normalised with NormaliseText (traditional → simplified, full-width →
//     ASCII, lower case, whitespace collapsed), so 煤氣洩漏 and 着火 / 著火 match. Invalid
//     UTF-8 is first repaired (bad bytes → U+FFFD) rather than rejected: a garbled message
//     that still says 着火了 must be flagged.
//  2. One Hyperscan pass (one compiled database) finds every match of
//     - the trigger lexicon: rows of {kind, service, regex}; literal phrases (起火, 煤气
//       泄漏, 跳楼, 被困 …) and patterns with a short gap (闻到…煤气, 电梯…出不来,
//       (锁在|关在)…车里); a gap holds at most a few characters and never 没/无/未/不
//       nor a sentence break (. ! ? ; : 、 。), so 电池不会爆 is not a hit;
//     - the cancelling contexts: rows of {regex, before, after}.
//  3. A trigger match (a "hit") is cancelled by a context match when
//     - the context overlaps the hit and reaches outside it (自杀式 over 自杀, 火灾隐患
//       over 火灾, 落水管 over 落水, 被困扰 over 被困): a figurative or non-urgent compound;
//       a context lying wholly inside the hit is part of the phrase (没有呼吸 is a hit);
//     - or the context ends at most `before` characters before the hit starts
//       (没有着火, 不是火灾, 并未发生爆炸, 预防溺水, 消防演练…起火, 去年…着火, 万一…爆炸);
//     - or it starts at most `after` characters after the hit ends (溺水宣传, 火灾隐患
//       排查, 救护车收费, 倒塌危险);
//     and no clause break (, . ! ? ; 。) lies between the two: 家里没人,厨房着火了 stays a hit.
//  4. Surviving hits of one kind that overlap are merged (the earliest, then the longest,
//     is kept). The text is an emergency when any hit survives; `transfer` is the most
//     urgent service among the hits: 119 (a spreading hazard: fire, gas, explosion,
//     collapse, rescue) before 110 (violence, suicide) before 120 (medical), since 119 and
//     110 bring 120 along when people are hurt.
// Deliberately simple: the screen errs towards flagging (a person confirms the transfer);
// it does not resolve who or when beyond the cancelling contexts.
//
// Measured (screen_test.cc): on tests/data/emergency_cases.tsv (481 texts written for this
// purpose, 239 emergencies) recall 0.99 and false-positive rate 0.00 — in-sample, the
// lexicon was tuned on it. Held out: three batches of about 41 emergencies and 43
// non-emergencies, each written and scored before the lexicon saw it, gave recall 0.49,
// 0.43 and 0.34 (false-positive rate ≤ 0.05): wordings outside the lexicon are missed, so
// the screen is a safety net beside the agent's judgement, not a replacement for it. On
// 1,548 real 问政 board messages (../shared/data, none a live emergency) 4.9% are flagged,
// mostly petitions narrating past fires, fights or accidents.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace hotline::intel {

struct EmergencyHit {
  // fire, gas, explosion, violence, suicide, drowning, collapse, electric, trapped,
  // poisoning, medical (or the kind of an extra pattern)
  std::string kind;
  std::string transfer;  // "110" | "119" | "120"
  std::string phrase;    // the matched text (normalised)
  size_t offset = 0;     // byte offset of phrase in Screening::normalised
};

struct Screening {
  bool emergency = false;
  std::vector<EmergencyHit> hits;  // in text order
  std::string transfer;            // the most urgent service among the hits, "" when none
  std::string normalised;          // the text that was screened (offsets refer to it)
};

// A trigger row: Hyperscan regex syntax, matched (UTF-8) against normalised text, i.e.
// simplified characters, lower-case ASCII letters and ASCII punctuation.
struct EmergencyPattern {
  std::string kind;
  std::string transfer;  // "110" | "119" | "120"
  std::string regex;
};

// A cancelling context row (see rule 3 above). A negative window switches that side off;
// overlap always applies.
struct CancelContext {
  std::string regex;
  int before = -1;  // characters allowed between the context's end and the hit's start
  int after = -1;   // characters allowed between the hit's end and the context's start
};

// Rank of a service for Screening::transfer: 119 > 110 > 120 > anything else (0).
int TransferUrgency(std::string_view service);

class EmergencyScreen {
 public:
  // The built-in curated lexicon.
  static Result<EmergencyScreen> Create();
  // The built-in lexicon plus extra rows (e.g. local place names of reservoirs or chemical
  // plants). Fails with kInvalidArgument naming "patterns[i]" / "contexts[i]" when a row
  // is incomplete, its service is not 110/119/120, or its regex does not compile.
  static Result<EmergencyScreen> Create(const std::vector<EmergencyPattern>& extra,
                                        const std::vector<CancelContext>& extra_contexts = {});

  ~EmergencyScreen();
  EmergencyScreen(EmergencyScreen&&) noexcept;
  EmergencyScreen& operator=(EmergencyScreen&&) noexcept;
  EmergencyScreen(const EmergencyScreen&) = delete;
  EmergencyScreen& operator=(const EmergencyScreen&) = delete;

  // Thread-safe; never fails (empty or unusable text is simply not an emergency).
  Screening Screen(std::string_view text) const;

  static const std::vector<EmergencyPattern>& BuiltinPatterns();
  static const std::vector<CancelContext>& BuiltinContexts();

 private:
  struct Impl;
  explicit EmergencyScreen(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hotline::intel
