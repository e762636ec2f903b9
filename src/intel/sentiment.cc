#include "intel/sentiment.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <unordered_map>

#include "text/text.h"

namespace hotline::intel {

namespace {

// What a lexicon entry does.
enum Kind : char {
  A = 'A',  // anger word 愤怒类: its weight counts fully to anger and to negativity
  N = 'N',  // negative emotion / complaint marker 不满类: fully to negativity, kNegShare to anger
  E = 'E',  // escalation 升级 (threat to self, extreme action, going outside the channel): level 3
  P = 'P',  // gratitude / praise 感谢类: lowers negativity, never anger
  I = 'I',  // intensifier 程度词: weight is the factor (below 1 a softener such as 有点)
  X = 'X',  // negator 否定词: weight 1 cancels a negative word; 0 (别, 不要) only flips a positive
  Z = 'Z',  // neutral phrase hiding a sentiment word (麻烦您, 不满足条件, 满意度)
};

struct Entry {
  std::string_view term;
  Kind kind;
  double weight;
};

// Entries of one kind and weight, separated by spaces.
struct Group {
  Kind kind;
  double weight;
  std::string_view terms;
};

constexpr double kNegShare = 0.45;     // share of a complaint marker's weight that is anger
constexpr double kPosOffset = 0.6;     // how much praise offsets negativity
constexpr double kAngry = 1.0;         // anger sum for level 2
constexpr double kDissatisfied = 0.3;  // net negativity for level 1
constexpr int kWindow = 3;             // code points a negator / intensifier reaches across

// Simplified characters only: text is normalised before matching. Where two entries start
// at the same place the longer one wins (太过分 over 太, 不作为 over 不).
constexpr Group kLexicon[] = {
    // Anger 愤怒, contempt, and accusations of the authorities 推诿·敷衍·不作为.
    {A, 1.2, "忍无可忍"},
    {A, 1.1, "欺人太甚 草菅人命 怒不可遏 丧尽天良"},
    {A, 1.0, "愤怒 气死 气炸 气疯 岂有此理 无法无天 投诉无门 太恶心 火冒三丈 义愤填膺 令人发指 "
             "不把老百姓当人"},
    {A, 0.9, "气愤 怒火 太过分 忍不下去 受够了 王法 天理 求助无门 踢皮球 一而再再而三 气坏 愤慨 "
             "一肚子火 投诉到底 态度恶劣 态度蛮横 无耻 当猴耍 睁眼说瞎话 强烈谴责 没有天理 没天理 "
             "没有王法 没王法 没有说理的地方 没有讲理的地方 逼疯"},
    {A, 0.8, "生气 火大 窝火 欺负人 推诿 推来推去 踢来踢去 一个推一个 一推了之 不作为 毫无作为 "
             "懒政 不负责任 什么态度 逼急 刁难 死活 骗谁 气得 气哭 气不过 抓狂 太离谱 不可理喻 "
             "装聋作哑 欺压 强盗 土匪 黑社会 吃拿卡要 蛮不讲理 不把老百姓 往外推 好欺负 想骂人 "
             "骂娘 聋了 瞎了 眼瞎"},
    {A, 0.7, "恼火 气人 互相推 敷衍 糊弄 应付 乱作为 渎职 不闻不问 不理不睬 不予理睬 置之不理 "
             "充耳不闻 视而不见 不管不顾 去哪告 可恶 缺德 流氓 耍无赖 黑心 嚣张 拖到什么时候 搪塞 "
             "推三阻四 撒谎 说谎 骗人 耍我 耍人 忍不了 不能忍 没法忍 荒唐 荒谬 冒火 出尔反尔 "
             "说话不算数 一问三不知 猖狂 装没看见 装看不见"},
    {A, 0.6, "不像话 推脱 转来转去 扯皮 忽悠 官僚 失职 蛮横 什么服务 凭什么 三番五次 逼得 逼我 "
             "讨个说法 讨说法 给个说法 讨个公道 恶劣 无赖 不讲理 坑人 骗子 不当回事 形同虚设 "
             "一拖再拖 一伙 算不算数 欺负 离谱 给谁办事 霸道 团团转 打官腔 官腔 爱答不理 爱理不理 "
             "冷言冷语 走过场 形式主义 没见过这么 说理的地方 讲理的地方 欺骗 不想管 不愿意管 "
             "不愿管 谁来负责 什么道理 摆设"},
    {A, 0.5, "过分 要个说法 追究 问责 管还是不管 强烈要求 找借口 走形式 做样子 发火 冷漠 出人命 "
             "谁负责 到这一步 这个地步 有什么用 套话 评评理"},
    {A, 0.4, "管不管 骂人 有本事 又是这样 谁管"},
    // Negative emotion 负面情绪 and complaint markers 投诉特征 (delay, silence, repetition).
    {N, 0.8, "苦不堪言 石沉大海"},
    {N, 0.7, "心寒 寒心 忍受不了 无法忍受 不堪其扰 杳无音信 烦透了 极差"},
    {N, 0.6, "不满 受不了 烦死 吵死 憋屈 差评 谁都不管 没人管 没有人管 无人管 没人理 无人问津 "
             "没有下文 没下文 寒了心 不了了之 没人负责 跑断腿 要崩溃 快崩溃 我崩溃"},
    {N, 0.55, "失望 太差 态度差 没人过问 没有人过问 无人过问"},
    {N, 0.5, "无语 委屈 冤枉 急死 意见很大 效率太低 一直拖 毫无进展 不办事 不管了 没人处理 "
             "没有回音 多次反映 反复反映 多次投诉 反复投诉 无数次 被骗 心累 不接受 不服 被坑 "
             "哑巴亏 毫无改善 担惊受怕 提心吊胆 忍气吞声 没有任何办法"},
    {N, 0.45, "很差 态度不 不公平 不公正 不认可 不认同 拖拖拉拉 不解决 没有得到解决 得不到解决 "
              "也不管 不归 没人来 没有人来 没人联系 没有人联系 大半年 白跑一趟 该找谁 动静都没 "
              "卡人 没人修"},
    {N, 0.4, "无奈 郁闷 伤心 心烦 烦人 闹心 苦恼 不耐烦 抱怨 有意见 更差 效率低 拖延 迟迟 三天两头 "
             "屡次 没人接 没有回复 没回复 没消息 没有消息 什么都没 太麻烦 失落 折腾 白跑 来回跑 "
             "头疼 想不通 质疑 太吵 没有动静 没动静 没改善 没有改善 越来越严重 不见好转 找谁都 "
             "没办法了 吃亏 莫名其妙 匪夷所思 恶心 反悔 血汗钱 太大声"},
    {N, 0.35, "焦急 难受 困扰 严重影响 睡不着 太慢 太久 拖着 没用 不管用 没效果 没解决 没有解决 "
              "没有结果 没个准话 一再 好多次 很多次 多少次 多少遍 一次次 很吵 吵得 不理解 有异议 "
              "耽误事 没变 没有变化 吵到 没人问 不如以前"},
    {N, 0.3, "不合理 影响休息 影响生活 太复杂 说不清 太难 拖得 老样子 老问题 未解决 没有任何 "
             "到现在还 到现在也 还是没 依然没 仍然没 难道 借口 还是一样 照旧 搞不懂 声音很大 "
             "声音大 噪音大 噪音很大 吵闹 每次都说 不在岗 对不上 含糊"},
    {N, 0.25, "着急 不方便 不便 多次 反复 到底 依旧 担心"},
    {N, 0.2, "很久"},
    // Escalation 升级: despair, threats to self or of extreme action, petitions, the media.
    {E, 1.5, "以死相逼 一死了之 遗书 同归于尽 浇汽油 泼汽油"},
    {E, 1.4, "活不下去 不想活 活不成 活着还有什么意思 活着没意思 死给 想死 自杀 喝农药 集体上访 "
             "一了百了 寻短见 上吊 割腕"},
    {E, 1.3, "不活了 没有活路 没活路 没法活 跳楼 跳河 跳江 跳下去 轻生 寻死 鱼死网破 死路一条 "
             "你死我活 放火 安眠药 活着没 活着有什么意思 命搭上 豁出命"},
    {E, 1.2, "上访 集体去 走投无路 绝望 绝路 拼了 拼命 爬塔吊 做得出来 一把火 活路"},
    {E, 1.1, "横幅 条幅 堵路 撑不下去 撑不住 豁出去 报复"},
    {E, 1.0, "去信访 到信访 进京 就去北京 去北京告 曝光 找媒体 向媒体 联系媒体 找电视台 给电视台 "
             "上电视 堵门 堵政府 静坐 围堵 后果自负 后果你们 出了事你们负责 出了事谁负责 流落街头 "
             "没法过 谁也别想 闹事 到市政府去 一起到市政府 一起去市政府 去市政府讨 到市政府讨 "
             "省政府讨 门口不走 门口坐着 门口打地铺 往上告 拦车 门口躺"},
    {E, 0.9, "发到网上 网上发 发抖音 发到抖音 发微博 发到微博 让全市都知道 全国人民 全网 热搜 登报 "
             "揭不开锅 闹大 闹到 告到 巡视组 政府门口 市委门口 自媒体 去省里 找省里 找记者 "
             "联系记者 联系了记者 请记者 叫记者 找报社 联系报社 向报社"},
    {E, 0.8, "直播 发帖 论坛"},
    // Gratitude and praise 感谢·表扬.
    {P, 0.7, "满意 点赞"},
    {P, 0.6, "感谢 辛苦了 表扬 好评 锦旗 感激"},
    {P, 0.5, "给力 解决了 圆满 不错 态度不错 态度很好 暖心 感恩 帮了大忙"},
    {P, 0.4, "认同 认可 多谢 及时 辛苦 热情 耐心 高效 已解决 修好了 周到 放心 合理 服务好 贴心 "
             "尽职 尽责 效率高"},
    {P, 0.35, "谢谢"},
    {P, 0.3, "负责 迅速 恢复了 认真 用心 专业 很快就 谢了"},
    // Intensifiers 程度词 and softeners.
    {I, 1.6, "极其 极度 彻底"},
    {I, 1.5, "非常 特别 极为 太 实在 简直 完全 根本 强烈"},
    {I, 1.4, "十分 严重"},
    {I, 1.3, "真的 真是 相当 故意 越来越 这么 如此 多么 一点都 一点也"},
    {I, 1.2, "真 很 那么 总是 老是"},
    {I, 1.1, "挺"},
    {I, 0.7, "有点 有些 稍微"},
    // Negators 否定词: 1 cancels a negative word; 0 (imperatives) only flips a positive one.
    {X, 1, "不 没 没有 未 无 并不 毫不 不是 并没有 并没 从未 从没 不太 不怎么 没怎么 不用 不会 "
           "不想 不打算 不至于 谈不上 算不上"},
    {X, 0, "别 不要"},
    // Neutral phrases and rhetorical questions (这不是踢皮球是什么, 是不是一伙的).
    {Z, 0, "麻烦 不满足 满意度 信访接待 上访接待 应付款 应付账款 不公开 没用过 是不是 这不是 "
           "系统崩溃 不知道 大不了 不好意思 不就是 曝光过"},
};

using Index = std::unordered_map<std::string_view, std::vector<const Entry*>>;

// Entries by their first code point, longest first.
const Index& Lexicon() {
  static const Index index = [] {
    Index ix;
    static std::vector<Entry> entries;  // filled once, before any lookup
    for (const Group& g : kLexicon) {
      for (size_t b = 0, e; b < g.terms.size(); b = e + 1) {
        e = std::min(g.terms.find(' ', b), g.terms.size());
        if (e > b) entries.push_back({g.terms.substr(b, e - b), g.kind, g.weight});
      }
    }
    for (const Entry& e : entries) {
      size_t n = 0;
      NextCodePoint(e.term, n);
      ix[e.term.substr(0, n)].push_back(&e);
    }
    auto longer = [](const Entry* a, const Entry* b) { return a->term.size() > b->term.size(); };
    for (auto& [first, v] : ix) std::stable_sort(v.begin(), v.end(), longer);
    return ix;
  }();
  return index;
}

// The longest entry starting at s[i] whose kind is one of `kinds`.
const Entry* Match(std::string_view s, size_t i, std::string_view kinds) {
  if (i >= s.size()) return nullptr;
  size_t n = i;
  NextCodePoint(s, n);
  auto it = Lexicon().find(s.substr(i, n - i));
  if (it == Lexicon().end()) return nullptr;
  for (const Entry* e : it->second) {
    if (kinds.find(e->kind) != std::string_view::npos && s.substr(i).starts_with(e->term)) return e;
  }
  return nullptr;
}

// Value of a numeral character: -1 none, -2 a modifier (好几, 整整, 一年多, 大半), else its value
// (几 "several" = 3; the largest character of a run stands for the run: 三十 ≥ 10 is enough).
double NumeralValue(char32_t cp) {
  static constexpr std::u32string_view kDigits = U"零一二三四五六七八九", kOther = U"两十百几半",
                                        kModifiers = U"好整足多大不下近上来余";
  static constexpr double kOtherValues[] = {2, 10, 100, 3, 0.5};
  if (cp >= '0' && cp <= '9') return cp - '0';
  if (auto k = kDigits.find(cp); k != std::u32string_view::npos) return double(k);
  if (auto k = kOther.find(cp); k != std::u32string_view::npos) return kOtherValues[k];
  return kModifiers.find(cp) != std::u32string_view::npos ? -2 : -1;
}

struct Span {
  size_t end;
  double weight;
};

// Durations and repetitions that show a request has dragged on: 拖了三个月, 等了一年多,
// 打了十几次, 第五次, 好几个星期了. Without a leading verb the span must be followed by 了 / 还 /
// 都 / 也 ("两周了还没消息"), so dates and quantities ("2023年", "三天两头") do not count.
std::optional<Span> Duration(std::string_view s, size_t i) {
  static constexpr std::string_view kPrefixes[] = {
      "一拖就是", "拖了", "等了", "拖", "都", "快", "已经", "长达", "反映了", "投诉了", "举报了",
      "打了", "跑了", "找了", "催了", "第"};
  struct Unit { std::string_view text; double weight; bool count; };
  static constexpr Unit kUnits[] = {
      {"个多月", 0.4, false}, {"个半月", 0.4, false}, {"个月", 0.35, false},
      {"年", 0.5, false},     {"个多星期", 0.25, false}, {"个星期", 0.2, false},
      {"星期", 0.2, false},   {"个礼拜", 0.2, false},  {"周", 0.2, false},
      {"天", 0.1, false},     {"次", 0.3, true},       {"趟", 0.3, true},
      {"遍", 0.3, true},      {"回", 0.3, true}};
  std::string_view prefix;
  for (std::string_view p : kPrefixes) {
    if (s.substr(i).starts_with(p)) {
      prefix = p;
      break;
    }
  }
  if (prefix.empty() && i > 0) {  // a bare number must start its numeral run
    size_t k = i - 1;
    while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
    if (NumeralValue(NextCodePoint(s, k)) != -1) return std::nullopt;
  }
  size_t j = i + prefix.size();
  double value = -1, digits = 0;
  bool has_digits = false;
  while (j < s.size()) {
    size_t k = j;
    const char32_t cp = NextCodePoint(s, k);
    const double v = NumeralValue(cp);
    if (v == -1) break;
    if (cp >= '0' && cp <= '9') {
      digits = digits * 10 + v;
      has_digits = true;
    } else {
      value = std::max(value, v);
    }
    j = k;
  }
  if (has_digits) value = std::max(value, digits);
  if (value < 0) return std::nullopt;
  for (const Unit& u : kUnits) {
    if (!s.substr(j).starts_with(u.text)) continue;
    size_t end = j + u.text.size();
    if (s.substr(end).starts_with("多")) end += std::string_view("多").size();
    if (u.count ? value < 3 : (prefix == "第" || value > 50)) return std::nullopt;
    if (u.text == "天" && value < 3) return std::nullopt;
    if (prefix.empty()) {
      size_t k = end;
      const char32_t next = end < s.size() ? NextCodePoint(s, k) : 0;
      if (next != U'了' && next != U'还' && next != U'都' && next != U'也') return std::nullopt;
    }
    return Span{end, prefix == "第" ? 0.4 : u.weight};
  }
  return std::nullopt;
}

}  // namespace

const char* SentimentLevelName(int level) {
  switch (level) {
    case 1: return "dissatisfied";
    case 2: return "angry";
    case 3: return "extreme";
    default: return "calm";
  }
}

SentimentScore ScoreSentiment(std::string_view text) {
  SentimentScore out;
  auto norm = NormaliseText(text);
  if (!norm.ok()) return out;
  const std::string_view s = *norm;
  double anger = 0, negative = 0, positive = 0;
  bool escalated = false;

  // A phrase said again counts far less each time (1, 1/4, 1/9 …: at most 1.65 times in
  // all): a message pasted twelve times over is not twelve times as angry, and its evidence
  // lists the phrase once.
  std::unordered_map<std::string, int> said;
  auto count = [&](Kind kind, double w, std::string_view phrase) {
    std::string shown = (kind == P ? "-" : kind == E ? "!" : "+") + std::string(phrase);
    const int times = ++said[shown];
    w /= static_cast<double>(times) * times;
    anger += kind == A || kind == E ? w : kind == N ? kNegShare * w : 0;
    (kind == P ? positive : negative) += w;
    escalated = escalated || kind == E;
    if (times == 1) out.evidence.push_back(std::move(shown));
  };

  // The pending modifiers of the clause: negators and intensifiers before a sentiment word.
  constexpr size_t npos = std::string_view::npos;
  size_t chain = npos, neg_end = npos;
  int negators = 0, gap = 0;
  bool cancels = true, int_after_neg = false;
  double factor = 1;
  auto reset = [&] {
    chain = neg_end = npos;
    negators = gap = 0;
    cancels = true;
    int_after_neg = false;
    factor = 1;
  };

  for (size_t i = 0; i < s.size();) {
    if (s[i] == '!' || s[i] == '?') {  // "!!", "??", "?!": shouting
      size_t j = i;
      while (j < s.size() && (s[j] == '!' || s[j] == '?')) ++j;
      const std::string_view run = s.substr(i, j - i);
      const bool bang = run.find('!') != npos;
      if (run.size() >= 2) count(bang ? A : N, bang ? 0.4 : 0.3, run.substr(0, 3));
      reset();
      i = j;
      continue;
    }
    if (auto d = Duration(s, i)) {
      count(N, d->weight, s.substr(i, d->end - i));
      reset();
      i = d->end;
      continue;
    }
    const Entry* e = Match(s, i, "AENPIXZ");
    if (const Entry* x = Match(s, i, "X"); x && e != x) {
      // 不满意 is 不 + 满意, not 不满 + 意: take the negator if the word after it reaches further.
      const Entry* next = Match(s, i + x->term.size(), "AENP");
      if (next && x->term.size() + next->term.size() > e->term.size()) e = x;
    }
    if (!e) {
      size_t j = i;
      if (!IsWordChar(NextCodePoint(s, j)) || (chain != npos && ++gap > kWindow)) reset();
      i = j;
      continue;
    }
    const size_t j = i + e->term.size();
    switch (e->kind) {
      case Z:
        reset();
        break;
      case X:
        if (chain == npos) chain = i;
        ++negators;
        neg_end = j;
        cancels = cancels && e->weight > 0;
        gap = 0;
        break;
      case I:
        if (chain == npos) chain = i;
        factor = std::clamp(factor * e->weight, 0.5, 2.0);
        int_after_neg = int_after_neg || negators > 0;
        gap = 0;
        break;
      default: {
        size_t k = j;
        if (e->term == "不满" && j < s.size() && NumeralValue(NextCodePoint(s, k)) >= 0) {
          reset();  // 不满18周岁, 不满一年: "less than"
          break;
        }
        const bool odd = negators % 2 == 1, even = negators > 0 && !odd;
        const bool flipped = odd && e->kind == P;
        const bool cancelled = (odd && cancels && e->kind != P) || (even && e->kind == P);
        const size_t from = chain == npos ? i : chain;
        std::string phrase(s.substr(from, j - from));
        if ((flipped || cancelled) && neg_end != npos) {
          phrase = std::string(s.substr(from, neg_end - from)) + "(否定)" +
                   std::string(s.substr(neg_end, j - neg_end));
        }
        const double f = negators > 0 && int_after_neg ? 0.8 : factor;  // 不是很满意 is milder
        if (cancelled) {
          if (++said["~" + phrase] == 1) out.evidence.push_back("~" + phrase);  // counts nothing, however often said
        } else if (flipped) {
          count(N, 0.8 * e->weight * f, phrase);
        } else {
          count(e->kind, e->weight * f, phrase);
        }
        reset();
      }
    }
    i = j;
  }

  const double net = std::max(0.0, negative - kPosOffset * positive);
  out.anger = 1 - std::exp(-anger);
  out.negativity = 1 - std::exp(-net);
  out.level = escalated ? 3 : anger >= kAngry ? 2 : net >= kDissatisfied ? 1 : 0;
  return out;
}

}  // namespace hotline::intel
