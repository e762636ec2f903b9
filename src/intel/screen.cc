// Emergency screening (紧急事项甄别): see screen.h for the rules. The lexicon below is the
// whole of the domain knowledge; the code only compiles it and applies rule 3 and 4.
#include "intel/screen.h"

#include <hs/hs.h>

#include <algorithm>
#include <climits>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "text/text.h"

namespace hotline::intel {
namespace {

// The tables read best one family of wordings to a line.
// clang-format off
// A gap inside a trigger: a few characters, never a negation (没, 无, 未, 不) nor a sentence break.
#define GAP(n) "[^没无未不.!?;:、。]{0," #n "}"

// Trigger lexicon (触发词表): kind, service, regex. One row per family of wordings.
const std::vector<EmergencyPattern>& Triggers() {
  static const std::vector<EmergencyPattern> kRows = {
      {"fire", "119", "起火|失火|(着|著)了?大?火|(着|著)起来|火灾|火情|火光|火海|起了?大火|火焰|冒火|烧起来|烧着了|火势|自燃|浓烟|"
                      "火苗(窜|蹿)|(窜|蹿|冒)出?火苗|火(很|好|挺|特别|越来越)大|(很大|好大|挺大)的火|全是火|一片火|"
                      "火往" GAP(4) "(窜|烧|蔓延)|烟(很|好|特别)浓|(烧|燃)得(很|特别|好)?(厉害|旺)|点着了|引燃|燃起来|"
                      "(被子|衣服|窗帘|沙发|床|车|房子|屋子|电线|插座|电视|冰箱|空调|油锅)" GAP(3) "(着|著)了|"
                      "(屋|房间|楼道|窗|厨房|家里|楼里|车|店里|仓库|厂房)" GAP(6) "(冒烟|冒浓烟|冒黑烟|全是烟|都是烟)"},
      {"gas", "119", "(煤气|燃气|天然气|液化气|瓦斯|沼气)" GAP(8) "(泄漏|泄露|漏|外泄|喷|往外冒|冒气|裂了|破了|断了|挖破|挖断|撞断)|"
                     "(煤气|燃气|天然气|液化气|瓦斯)的?(味道|味儿|味)|闻到" GAP(6) "(煤气|燃气|天然气|液化气|瓦斯)|臭鸡蛋味|嘶嘶|"
                     "(钢瓶|气瓶|气罐|阀门|软管)" GAP(6) "(呲气|漏气|跑气|冒气|泄漏|漏了)|(燃气|煤气|可燃气体)(泄漏)?报警器" GAP(4) "(响|叫)"},
      {"explosion", "119", "巨响|轰(的|了)一声|爆炸|爆燃|炸了|炸开|(锅炉|钢瓶|气罐|煤气罐|液化气罐|高压锅|热水器|电瓶|电池)" GAP(3) "爆"},
      {"violence", "110", "砍人|捅人|杀人|行凶|持刀|拿刀|举着刀|打架|斗殴|群殴|互殴|围殴|打群架|群架|抢劫|抢包|绑架|劫持|家暴|"
                          "殴打|暴打|打人|打我|打伤|打起来|动手了|动起手|围着打|追着(打|砍|捅)|追打|被" GAP(3) "打|被砍|被捅|"
                          "捅伤|砍伤|刺伤|(弄|打|砍|捅|掐|杀)死|要杀|杀了我|动刀|强奸|猥亵|撬" GAP(4) "门|撬锁|闯进|入室|"
                          "乱砸|打砸|砸门|砸了|砸东西|闹事|跟踪|尾随|一直跟着我|抵着|持枪|拿着枪|开枪|枪声|"
                          "(拿着?|拿出|举着)" GAP(3) "(刀|棍|酒瓶|砖头|铁锹|锤子|斧头|扳手|枪)|"
                          "抢了?" GAP(6) "(包|手机|项链|金链子|小孩|孩子)|(堵|围)" GAP(6) "(要钱|抢)|砸" GAP(2) "(路人|行人)|"
                          "(打|砍|捅|踢)(了|伤)" GAP(2) "(人|员|老人|孩子|保安|司机|医生|护士|老师|学生|老婆|老公|妻子|丈夫)"},
      {"suicide", "110", "自杀|自我了断|(吊|勒)死自己|轻生|寻短见|跳楼|跳河|跳江|跳湖|跳桥|跳崖|跳下去|割腕|上吊|卧轨|不想活|寻死|一了百了|想死|"
                         "结束(自己的)?生命|活着没(什么)?意思|遗书|遗言|告别的?(短信|信息|消息)|"
                         "站在" GAP(8) "(楼顶|天台|窗台|窗户外|桥上|栏杆外|楼边|阳台外|楼沿)|(窗台|栏杆|护栏|阳台)外|"
                         "(铁轨|轨道)上" GAP(4) "(躺|坐|站)"},
      {"drowning", "119", "落水|落海|溺水|没浮上来|浮不上来|淹死|沉下去|在水里挣扎|人在水里|一沉一浮|时沉时浮|掉下船|翻船|船翻了|"
                          "(掉|跌|摔|滑|冲|卷)(进|到|入)" GAP(2) "(河|江|湖|水|池|塘|海|水库)|冰窟窿|冰面(裂|塌)|(趴|浮|漂)在水(面|上|里)|被(洪水|大水|河水|水|浪|海浪)?(冲|卷)走|"
                          "(河|江|湖|水库|塘|海|池)边?" GAP(6) "(滑|掉|摔|跌|栽)(下去|进去|下水)|漂着" GAP(3) "人|"
                          "游泳" GAP(8) "(救命|抽筋|沉|不见了|没上来)"},
      {"collapse", "119", "埋了|(天棚|顶棚|玻璃|吊顶|招牌|广告牌)" GAP(4) "掉下来|倒塌|坍塌|塌方|垮塌|塌下来|塌下去|被埋|埋在下面|埋住|压在下面|压住了|砸伤|山体滑坡|泥石流|地震|"
                          "砸(到|中|伤|死|倒)" GAP(6) "(人|行人|路人|孩子|老人|学生|工人)|(房子|墙|楼)" GAP(4) "(裂开|掉了一大块)|"
                          "(房子|房屋|危房|房|墙|楼|屋顶|天花板|吊顶|阳台|桥|脚手架|棚|山体|土方|隧道|厂房|仓库|塔吊)" GAP(4)
                          "(塌|垮|倒下|倒了)"},
      {"electric", "120", "(碰|摸)到" GAP(2) "电线|雷(劈|击)|被雷|劈了|触电|被电(到|了|倒|击|伤|晕)|电到|电着了|电死|电击"},
      {"electric", "119", "高压线" GAP(4) "(断|掉|落|垂到地)|(电线|电缆)" GAP(4) "(断落|掉(在|到)地|冒火|打火|火花|冒烟)|"
                          "冒火花|打火花|火花四溅|爬(到|上)" GAP(4) "(变压器|电线杆|高压线|电塔|铁塔)"},
      {"trapped", "119", "被困|困在|困住|困人|(关|卡)在电梯|电梯" GAP(6) "(出不来|卡住|被关|困)|电梯" GAP(4) "(下坠|急坠|坠落|冲顶|蹲底)|"
                         "(卡在|夹在|卡住|夹住)" GAP(8) "(栏杆|防盗网|护栏|窗户|缝|电梯|扶梯|井)|(透水|冒顶|矿难|井下)" GAP(8) "(没上来|被困|出不来)|"
                         "(堵|封)在" GAP(4) "(山洞|洞里|井里|隧道|矿井)|"
                         "(扶梯|电梯|车门|卷帘门|自动门|机器)" GAP(6) "(夹住|卡住|夹到|卷进)|"
                         "(锁在|关在)" GAP(4) "(车里|车内|屋里|房间|家里|地下室|厕所|卫生间|仓库|冷库|柜子)|"
                         "(关|锁|困|卡)在" GAP(6) "出不来|(人|孩子|小孩|老人)[^没无未不车.!?;:、。]{0,4}出不(来|去)|"
                         "(冰箱|柜子|箱子|车里|车内|井里|屋里)" GAP(6) "(打不开|出不来|出不去)|"
                         "(掉|跌|摔)(进|到|下)" GAP(6) "(井|深坑|坑里|下水道|化粪池)|(洪水|大水|水)" GAP(4) "围(了|住|困)|"
                         "水" GAP(4) "(淹|没过|漫过|没到)" GAP(2) "(车窗|车顶|胸口|脖子|腰|屋顶|二楼|头顶)"},
      {"poisoning", "120", "中毒|误食|误服|烧炭|"
                           "(喝|吃|吞)了?" GAP(3) "(农药|敌敌畏|百草枯|老鼠药|耗子药|毒鼠强|消毒液|安眠药|毒蘑菇|野蘑菇|整瓶药|一瓶药|很多药)|"
                           "(农药|消毒液|84|洗洁精|洗衣液|洗衣粉|老鼠药|安眠药|敌敌畏|百草枯|酒精|汽油|煤油|杀虫剂|除草剂)" GAP(6) "(喝|吃|吞)|"
                           "(蘑菇|菌子)" GAP(8) "(吐|幻觉|晕|中毒)|(吃|吞|喝)了" GAP(6) "(片|颗|粒|瓶|盒)" GAP(4) "药|"
                           "(吃|饭|午饭|晚饭|食堂|外卖)" GAP(8) "(呕吐|上吐下泻|都吐了|晕过去|晕倒|抽搐|昏迷)"},
      {"medical", "120", "昏迷|晕倒|昏倒|晕过去|昏过去|倒地不起|突然倒下|倒下了|不省人事|没有?呼吸|没了呼吸|没气了|心跳(停|没)|"
                         "心脏骤停|心肺复苏|人工呼吸|抽搐|口吐白沫|大出血|流了?(很多|好多|一地)血|血流不止|流血不止|满身是血|"
                         "全是血|一身血|呼吸困难|喘不(上|过|了)气|上不来气|噎着|憋得|(嘴唇|脸|脸色)" GAP(2) "(发紫|紫了|发青)|大量出血|"
                         "大面积" GAP(2) "(烫|烧|起泡)|(开水|热油|沸水)烫|(好几天|几天|两天|三天)没(出门|开门|动静)|休克|失去意识|无意识|没有?意识|叫不醒|起不来了|一动不动|"
                         "躺着不动|撑不住了|快不行了|(心口|胸口|心脏)" GAP(4) "(痛|疼)|说不出话|口齿不清|嘴歪|抬不起来|"
                         "半边身子|被(货车|汽车|轿车|摩托车?|公交车?|大车|电动车|车子|出租车|渣土车)?撞|撞倒|(出|发生)了?车祸|"
                         "(叫|派|来|要|需要|打)" GAP(2) "救护车|救护车" GAP(2) "(快|还没来|赶紧)|(需要|快|赶紧)" GAP(2) "(急救|抢救)|"
                         "坠楼|高空坠落|(楼|阳台|窗户|梯子|脚手架|树|屋顶)上?(摔|掉|坠|跌)(下来|下去)|要生了|羊水破了|(突发|突然)" GAP(2) "(脑溢血|中风|心梗|心脏病)|中风了|心梗了|"
                         "救命|噎住|卡住喉咙|异物卡喉|"
                         "(敲门|喊他|喊她|叫他|叫她|摇他|摇她|里面|屋里)" GAP(4) "没有?(反应|动静|回应)|"
                         "(人|老人|大爷|大妈|阿姨|孩子|小孩|男子|女子|男的|女的|他|她|工人)" GAP(6) "(倒在地上|躺在地上不动)"},
  };
  return kRows;
}

// Cancelling contexts (否定与非紧急语境): regex, before, after (characters; -1 = off).
const std::vector<CancelContext>& Contexts() {
  static const std::vector<CancelContext> kRows = {
      // Plain negation just before the hit (没有着火, 不是火灾, 并未发生爆炸, 无人被困).
      {"没有|不是|并未|并没|没发生|未发生|不存在|不会|不用|不可能", 3, -1},
      {"没|无|未|不", 1, -1},
      {"防", 0, -1},  // 防火, 防溺水, 防爆炸, 防触电
      // Prevention, hypotheticals, inspection, consultation, fiction: talking about it.
      {"防止|预防|防范|以防|如果|万一|一旦|一但|随时|假如|要是|治理|焚烧|烟囱|烟窗|如何|怎么预防|怎样预防|担心|咨询|检查|排查|演练|演习|培训|宣传|"
       "新闻|电视剧|电影|小说|游戏|梦见|梦到|排放|排出|请问", 8, -1},
      {"宣传|演练|演习|培训|讲座|知识|教育|科普|检查|排查|检测|整改|咨询|规定|标准|政策|收费|缴费|费用|账单|保险|理赔|"
       "赔偿|报销|医保|住院|康复|后遗症|应急预案|疏散|逃生|注意事项|隐患|风险|危险|报警器|保护器|多少钱|怎么收", -1, 6},
      {"电话|通道|鸣笛|噪音|扰民|乱停|停在|停放|占用|游戏", -1, 3},
      {"简直|就像|等于", 6, -1},  // figurative: 简直是逼人跳楼
      {"一样|似的", -1, 3},       // a simile: 油烟呛得像着火了一样
      {"容易|可能会|会不会|存在", 2, -1},
      {"差点|差一点|险些|导致|造成|引起|让人|使人", 2, -1},  // near misses, narrated causes
      {"怕", 1, -1},
      {"事件|事故|案件|工程|现象|时有发生|频发", -1, 2},  // a reported event or a project                        // near misses
      {"的话", 2, 2},                                     // 发生火灾的话: conditional
      {"每天|天天|经常|总是|老是|常常|每晚|每次|整天|常年|长期|多次|屡次", 8, 4},  // a chronic nuisance, not an incident
      // Past events (去年着过火, 着火过两次): not in progress.
      {"[0-9]{2,4}年|[0-9]{1,2}月[0-9]{1,2}(日|号)|昨天|昨晚|前天|当时|事后|后来|那天|当天|去年|前年|上个月|上月|上周|上星期|前几天|前些天|几年前|几个月前|当年|小时候|那年|上次|那次", 10, -1},
      {"以前|之前|曾经|曾|发生过", 4, -1},
      {"过[一两三几好]*次|过一回", -1, 1},
      // Figurative or non-urgent compounds around a trigger (overlap only).
      {"自杀式|跳楼价|跳楼甩卖|跳楼大甩卖|气炸|炸锅|炸了锅|爆炸头|爆炸性|信息爆炸|火爆|落水管|被困扰|救命钱|救命药|"
       "想死的心|急救包|急救箱|急救知识|急救站|急救中心|地震局|地震台|搞砸|办砸|充电到|通电到|来电到|火灾险|中毒性|大火收汁|自燃性|打不着|点不着|打着火|天塌下来|动手术|"
       "[一二两三四五六七八九十几多数]起火(灾|情)|(被)?困在(作业|工作|生活|回忆|情绪|问题)|打击|打回|打入|打乱|打招呼|打了?下来|互相打架|相互打架|绑架消费|道德绑架|"
       "打死我?(都|也)|通过电|吊下|吊着|吊起|吊车|吊装|吊篮|吊顶|吊灯|"
       "鱼.{0,3}电死|电死.{0,2}鱼|打我电话|打我手机|打我的电话|打电话|打扰|打折|打卡|打车|打针|打疫苗|打分|打印|"
       "打包|打工|打扫|打听|打游戏|打麻将|打牌|打球|打款|打钱",
       -1, -1},
  };
  return kRows;
}
#undef GAP
// clang-format on

struct Match {
  unsigned id;
  size_t from, to;
};

constexpr size_t kMaxMatches = size_t{1} << 20;  // bounds memory on huge texts

int OnMatch(unsigned id, unsigned long long from, unsigned long long to, unsigned, void* ctx) {
  auto* out = static_cast<std::vector<Match>*>(ctx);
  out->push_back({id, static_cast<size_t>(from), static_cast<size_t>(to)});
  return out->size() >= kMaxMatches ? 1 : 0;  // non-zero stops the scan
}

// Characters (UTF-8 lead bytes) in s[from, to).
size_t CharsBetween(std::string_view s, size_t from, size_t to) {
  size_t n = 0;
  for (size_t i = from; i < to && i < s.size(); ++i)
    n += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
  return n;
}

bool HasClauseBreak(std::string_view s, size_t from, size_t to) {
  if (from >= to) return false;
  std::string_view gap = s.substr(from, to - from);
  return gap.find_first_of(",.!?;\n") != std::string_view::npos ||
         gap.find("。") != std::string_view::npos;
}

// Rule 3 of screen.h: does context c cancel hit h?
bool Cancels(std::string_view s, const Match& c, const CancelContext& rule, const Match& h) {
  if (c.from < h.to && c.to > h.from) return c.from < h.from || c.to > h.to;  // overlap
  if (c.to <= h.from)
    return rule.before >= 0 && !HasClauseBreak(s, c.to, h.from) &&
           CharsBetween(s, c.to, h.from) <= static_cast<size_t>(rule.before);
  return rule.after >= 0 && !HasClauseBreak(s, h.to, c.from) &&
         CharsBetween(s, h.to, c.from) <= static_cast<size_t>(rule.after);
}

// Replaces every invalid UTF-8 sequence (bad lead, truncation, overlong, surrogate,
// > U+10FFFF) by U+FFFD, so that the rest of the text can still be screened.
std::string RepairUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    size_t len = c < 0x80                   ? 1
                 : (c >= 0xC2 && c <= 0xDF) ? 2
                 : (c >= 0xE0 && c <= 0xEF) ? 3
                 : (c >= 0xF0 && c <= 0xF4) ? 4
                                            : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (b(i + k) & 0xC0) == 0x80;
    if (ok && len >= 3) {  // second-byte ranges that exclude overlongs and surrogates
      unsigned char c1 = b(i + 1);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 > 0x9F) && !(c == 0xF0 && c1 < 0x90) &&
           !(c == 0xF4 && c1 > 0x8F);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

constexpr int kMaxWindow = 64;  // characters

bool ValidService(const std::string& s) { return s == "110" || s == "119" || s == "120"; }

}  // namespace

int TransferUrgency(std::string_view service) {
  return service == "119" ? 3 : service == "110" ? 2 : service == "120" ? 1 : 0;
}

struct EmergencyScreen::Impl {
  std::vector<EmergencyPattern> triggers;  // ids [0, triggers.size())
  std::vector<CancelContext> contexts;     // ids [triggers.size(), …)
  size_t max_before = 0, max_after = 0;    // widest windows, in characters
  hs_database_t* db = nullptr;
  hs_scratch_t* prototype = nullptr;
  mutable std::mutex mu;                    // guards pool
  mutable std::vector<hs_scratch_t*> pool;  // idle scratch spaces, one per concurrent scan

  ~Impl() {
    for (hs_scratch_t* s : pool) hs_free_scratch(s);
    if (prototype) hs_free_scratch(prototype);
    if (db) hs_free_database(db);
  }

  // Hyperscan scratch may not be shared by concurrent scans: take one from the pool or
  // clone the prototype, and give it back afterwards.
  hs_scratch_t* Acquire() const {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!pool.empty()) {
        hs_scratch_t* s = pool.back();
        pool.pop_back();
        return s;
      }
    }
    hs_scratch_t* s = nullptr;
    return hs_clone_scratch(prototype, &s) == HS_SUCCESS ? s : nullptr;
  }
  void Release(hs_scratch_t* s) const {
    std::lock_guard<std::mutex> lock(mu);
    pool.push_back(s);
  }
};

EmergencyScreen::EmergencyScreen(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EmergencyScreen::~EmergencyScreen() = default;
EmergencyScreen::EmergencyScreen(EmergencyScreen&&) noexcept = default;
EmergencyScreen& EmergencyScreen::operator=(EmergencyScreen&&) noexcept = default;

const std::vector<EmergencyPattern>& EmergencyScreen::BuiltinPatterns() { return Triggers(); }
const std::vector<CancelContext>& EmergencyScreen::BuiltinContexts() { return Contexts(); }

Result<EmergencyScreen> EmergencyScreen::Create() { return Create({}, {}); }

Result<EmergencyScreen> EmergencyScreen::Create(const std::vector<EmergencyPattern>& extra,
                                                const std::vector<CancelContext>& extra_contexts) {
  for (size_t i = 0; i < extra.size(); ++i) {
    const std::string field = "patterns[" + std::to_string(i) + "]";
    if (extra[i].kind.empty() || extra[i].regex.empty())
      return InvalidArgument(field, "kind and regex are required");
    if (!ValidService(extra[i].transfer))
      return InvalidArgument(field, "transfer must be 110, 119 or 120");
  }
  for (size_t i = 0; i < extra_contexts.size(); ++i) {
    const CancelContext& c = extra_contexts[i];
    if (c.regex.empty() || c.before > kMaxWindow || c.after > kMaxWindow) {
      return InvalidArgument("contexts[" + std::to_string(i) + "]",
                             "regex is required and windows are at most 64");
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->triggers = Triggers();
  impl->triggers.insert(impl->triggers.end(), extra.begin(), extra.end());
  impl->contexts = Contexts();
  impl->contexts.insert(impl->contexts.end(), extra_contexts.begin(), extra_contexts.end());
  for (const CancelContext& c : impl->contexts) {
    impl->max_before = std::max<size_t>(impl->max_before, std::max(c.before, 0));
    impl->max_after = std::max<size_t>(impl->max_after, std::max(c.after, 0));
  }

  std::vector<const char*> exprs;
  for (const auto& p : impl->triggers) exprs.push_back(p.regex.c_str());
  for (const auto& c : impl->contexts) exprs.push_back(c.regex.c_str());
  std::vector<unsigned> ids(exprs.size()), flags(exprs.size(), HS_FLAG_UTF8 | HS_FLAG_SOM_LEFTMOST);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<unsigned>(i);

  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                       HS_MODE_BLOCK, nullptr, &impl->db, &err) != HS_SUCCESS) {
    std::string msg = err && err->message ? err->message : "cannot compile the lexicon";
    int at = err ? err->expression : -1;
    hs_free_compile_error(err);
    const size_t nt = impl->triggers.size(), nb = Triggers().size(), nc = Contexts().size();
    if (at >= 0 && static_cast<size_t>(at) >= nb && static_cast<size_t>(at) < nt) {
      return InvalidArgument("patterns[" + std::to_string(at - nb) + "]", msg);
    }
    if (at >= 0 && static_cast<size_t>(at) >= nt + nc) {
      return InvalidArgument("contexts[" + std::to_string(at - nt - nc) + "]", msg);
    }
    return Internal("emergency lexicon, expression " + std::to_string(at) + ": " + msg);
  }
  if (hs_alloc_scratch(impl->db, &impl->prototype) != HS_SUCCESS)
    return Internal("hs_alloc_scratch failed");
  return EmergencyScreen(std::move(impl));
}

Screening EmergencyScreen::Screen(std::string_view text) const {
  Screening out;
  if (!impl_) return out;
  auto norm = NormaliseText(text);
  if (!norm.ok()) norm = NormaliseText(RepairUtf8(text));
  if (!norm.ok()) return out;
  out.normalised = std::move(norm).value();
  const std::string& s = out.normalised;
  if (s.empty() || s.size() > UINT_MAX) return out;

  std::vector<Match> matches;
  hs_scratch_t* scratch = impl_->Acquire();
  if (!scratch) return out;
  hs_error_t rc =
      hs_scan(impl_->db, s.data(), static_cast<unsigned>(s.size()), 0, scratch, OnMatch, &matches);
  impl_->Release(scratch);
  if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) return out;

  // Rule 3. Contexts sorted by end: only those ending within the widest before-window
  // (at most 4 bytes a character) of a hit can cancel it, and once even the longest
  // context would start past the widest after-window, none further can.
  const size_t nt = impl_->triggers.size();
  std::vector<Match> hits, ctx;
  size_t longest = 0;
  for (const Match& m : matches) {
    (m.id < nt ? hits : ctx).push_back(m);
    if (m.id >= nt) longest = std::max(longest, m.to - m.from);
  }
  std::sort(ctx.begin(), ctx.end(), [](const Match& a, const Match& b) { return a.to < b.to; });
  const size_t reach_before = 4 * (impl_->max_before + 1),
               reach_after = 4 * (impl_->max_after + 1) + longest;
  std::erase_if(hits, [&](const Match& h) {
    auto it =
        std::lower_bound(ctx.begin(), ctx.end(), h.from > reach_before ? h.from - reach_before : 0,
                         [](const Match& c, size_t v) { return c.to < v; });
    for (; it != ctx.end() && it->to <= h.to + reach_after; ++it) {
      if (Cancels(s, *it, impl_->contexts[it->id - nt], h)) return true;
    }
    return false;
  });
  // Rule 4: earliest, then longest first; drop a hit overlapping a kept one of its kind
  // (kept hits of a kind never overlap, so the last one's end is the furthest).
  std::sort(hits.begin(), hits.end(), [](const Match& a, const Match& b) {
    return a.from != b.from ? a.from < b.from : a.to > b.to;
  });
  std::unordered_map<std::string_view, size_t> kind_end;
  for (const Match& h : hits) {
    const EmergencyPattern& p = impl_->triggers[h.id];
    auto [end, fresh] = kind_end.try_emplace(p.kind, 0);
    if (!fresh && h.from < end->second) continue;
    end->second = h.to;
    out.hits.push_back({p.kind, p.transfer, s.substr(h.from, h.to - h.from), h.from});
    if (TransferUrgency(p.transfer) > TransferUrgency(out.transfer)) out.transfer = p.transfer;
  }
  out.emergency = !out.hits.empty();
  return out;
}

}  // namespace hotline::intel
