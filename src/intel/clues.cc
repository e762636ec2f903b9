#include "intel/clues.h"

#include "text/text.h"

namespace hotline::intel {

namespace {

struct Domain {
  const char* id;
  const char* label_zh;
  std::vector<const char*> harms;  // any one of these makes a clue
};

// The procuratorate's statutory domains (检察公益诉讼法定领域) and the harms citizens report
// in them, in simplified characters (text is normalised before matching).
const std::vector<Domain>& Domains() {
  static const std::vector<Domain> d = {
      {"ecology", "生态环境和资源保护",
       {"偷排", "违法排污", "超标排放", "排放污水", "排放废水", "污水直排", "渗滤液", "倾倒垃圾", "倾倒废", "非法倾倒", "乱倒", "废水", "废气", "黑烟", "污染河",
        "河道污染", "水体污染", "土壤污染", "危险废物", "危废", "固废", "非法采砂", "盗采", "乱采", "滥伐", "毁林",
        "砍伐树木", "破坏植被", "非法捕捞", "电鱼", "毒鱼", "捕杀野生", "野生动物", "填湖", "填埋垃圾", "焚烧垃圾",
        "露天焚烧", "粉尘污染", "扬尘污染", "水源地", "油烟直排", "直排油烟", "油烟未经净化"}},
      {"food_drug", "食品药品安全",
       {"地沟油", "过期食品", "变质", "无证经营食品", "三无食品", "三无产品", "假药", "劣药", "过期药", "无证行医",
        "黑诊所", "非法行医", "食物中毒", "吃出", "病死猪", "注水肉", "瘦肉精", "农药残留", "添加剂超标", "保健品骗",
        "假疫苗", "卫生许可", "集体中毒", "上吐下泻", "吃坏肚子", "食源性"}},
      {"state_assets", "国有财产保护",
       {"国有资产流失", "国有资产", "侵占公款", "挪用公款", "套取补贴", "骗取补贴", "骗保", "套取资金", "虚报冒领",
        "截留", "私分", "公款"}},
      {"land", "国有土地使用权出让",
       {"违法占地", "非法占地", "占用耕地", "占用基本农田", "土地出让金", "违规出让", "违建别墅", "改变土地用途",
        "闲置土地", "违法用地"}},
      {"heritage", "文物和文化遗产保护",
       {"文物", "古建筑", "历史建筑", "文保单位", "古树名木", "古墓", "遗址被", "拆除老建筑"}},
      {"minors", "未成年人保护",
       {"接纳未成年人", "未成年人进入", "向未成年人", "卖烟给学生", "卖酒给未成年", "校园欺凌", "童工", "雇佣未成年",
        "虐待儿童", "猥亵", "留守儿童", "辍学"}},
      {"safety", "安全生产",
       {"违规储存", "易燃易爆", "非法生产", "无证生产", "危化品", "燃气泄漏", "塌方", "坍塌"}},
      {"personal_info", "个人信息保护",
       {"泄露个人信息", "个人信息泄露", "信息被泄露", "倒卖信息", "骚扰电话", "电话骚扰", "非法收集"}},
      {"heroes", "英雄烈士保护", {"烈士", "英烈", "烈士陵园", "纪念碑"}},
  };
  return d;
}

// Whether the occurrence of a harm at byte `at` is denied: a negator (没有, 未, 不是 …)
// right before it, or at most two characters before it within the clause ("没有人偷排",
// "未发现偷排"). Further away a negator is usually about something else (无良企业偷排).
bool Denied(const std::string& text, size_t at) {
  static constexpr std::string_view kNegators[] = {"没有", "没", "未", "并未", "从未", "不是", "并非", "不存在", "无", "否认"};
  constexpr size_t kCjk = 3;  // bytes of one CJK character in UTF-8
  for (size_t gap = 0; gap <= 2 * kCjk && gap <= at; gap += kCjk) {
    // The characters between the negator and the harm: CJK only (no punctuation or space).
    bool clause = true;
    for (size_t i = at - gap; i < at; ++i) clause = clause && static_cast<unsigned char>(text[i]) >= 0x80;
    if (gap > 0 && text.compare(at - gap, kCjk, "\uff0c") == 0) clause = false;
    if (!clause) break;
    for (std::string_view n : kNegators) {
      if (at >= gap + n.size() && std::string_view(text).substr(at - gap - n.size(), n.size()) == n) return true;
    }
  }
  return false;
}

}  // namespace

std::vector<ClueHit> FindLitigationClues(std::string_view text) {
  auto norm = NormaliseText(text);
  if (!norm.ok()) return {};
  std::vector<ClueHit> out;
  for (const auto& d : Domains()) {
    ClueHit hit{d.id, d.label_zh, {}};
    for (const char* term : d.harms) {
      // A harm counts where one occurrence of it is not denied ("这里没有偷排" is none),
      // except a licence, whose absence is the harm (没有卫生许可证).
      const bool absence_is_harm = std::string_view(term) == "卫生许可";
      for (size_t at = norm->find(term); at != std::string::npos; at = norm->find(term, at + 1)) {
        if (absence_is_harm || !Denied(*norm, at)) {
          hit.evidence.emplace_back(term);
          break;
        }
      }
    }
    if (!hit.evidence.empty()) out.push_back(std::move(hit));
  }
  return out;
}

}  // namespace hotline::intel
