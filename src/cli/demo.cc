// `hotline demo`: a fictional city (临江市) with districts, streets, departments and
// utilities, one user per role, two weeks of history and live traffic through the whole
// lifecycle, including returns, relays, extensions, unsatisfied callbacks and reopenings.
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "cli/app.h"
#include "core/crypto.h"
#include "intel/classifier.h"

namespace hotline::cli {

namespace {

constexpr const char* kDemoPassword = "demo-12345";
constexpr const char* kAdminPassword = "admin-12345";

struct AreaSpec { const char* name; const char* kind; const char* parent; std::vector<std::string> aliases; };
const std::vector<AreaSpec> kAreas = {
    {"江南区", "district", "", {}},
    {"江北区", "district", "", {}},
    {"高新区", "district", "", {"高新技术产业开发区"}},
    {"望江街道", "street", "江南区", {"望江路", "锦绣花园", "江景苑", "望江菜市场"}},
    {"滨江街道", "street", "江南区", {"滨江大道", "滨江一号", "阳光小区", "滨江公园"}},
    {"北山街道", "street", "江北区", {"北山路", "幸福小区", "北山农贸市场", "北山中学"}},
    {"新桥街道", "street", "江北区", {"新桥路", "和平新村", "新桥公交站", "金色家园"}},
    {"科创街道", "street", "高新区", {"科创大道", "软件园", "创新公寓", "未来城"}},
};

struct UnitSpec { const char* name; const char* kind; const char* parent; const char* area; const char* handler; };
const std::vector<UnitSpec> kUnits = {
    {"临江市12345热线中心", "city_center", "", "", ""},
    {"江南区12345分中心", "district_center", "临江市12345热线中心", "江南区", "disp_jiangnan"},
    {"江北区12345分中心", "district_center", "临江市12345热线中心", "江北区", "disp_jiangbei"},
    {"高新区12345分中心", "district_center", "临江市12345热线中心", "高新区", "disp_gaoxin"},
    {"市医保12393分中心", "sub_center", "临江市12345热线中心", "", "disp_yibao"},
    {"市住房和城乡建设局", "department", "临江市12345热线中心", "", "h_zhujian"},
    {"市城市管理局", "department", "临江市12345热线中心", "", "h_chengguan"},
    {"市生态环境局", "department", "临江市12345热线中心", "", "h_huanjing"},
    {"市市场监督管理局", "department", "临江市12345热线中心", "", "h_shichang"},
    {"市人力资源和社会保障局", "department", "临江市12345热线中心", "", "h_renshe"},
    {"市教育局", "department", "临江市12345热线中心", "", "h_jiaoyu"},
    {"市卫生健康委员会", "department", "临江市12345热线中心", "", "h_weijian"},
    {"市交通运输局", "department", "临江市12345热线中心", "", "h_jiaotong"},
    {"市公安局", "department", "临江市12345热线中心", "", "h_gongan"},
    {"市医疗保障局", "department", "市医保12393分中心", "", "h_yibao"},
    {"临江水务集团", "utility", "临江市12345热线中心", "", "h_shuiwu"},
    {"国网临江供电公司", "utility", "临江市12345热线中心", "", "h_gongdian"},
    {"临江燃气有限公司", "utility", "临江市12345热线中心", "", "h_ranqi"},
    {"望江街道办事处", "street", "江南区12345分中心", "望江街道", "h_wangjiang"},
    {"滨江街道办事处", "street", "江南区12345分中心", "滨江街道", "h_binjiang"},
    {"北山街道办事处", "street", "江北区12345分中心", "北山街道", "h_beishan"},
    {"新桥街道办事处", "street", "江北区12345分中心", "新桥街道", "h_xinqiao"},
    {"科创街道办事处", "street", "高新区12345分中心", "科创街道", "h_kechuang"},
};

// Dispatch directory by category name: the lead unit ("street" = the street office of the
// ticket's area, "district" = the district centre, relayed level by level).
struct RuleSpec { const char* category; const char* lead; const char* assist; };
const std::vector<RuleSpec> kRules = {
    {"城乡建设", "市住房和城乡建设局", ""},     {"物业管理", "street", ""},
    {"城市管理与市容", "市城市管理局", ""},     {"市政设施", "市城市管理局", ""},
    {"燃气供应", "临江燃气有限公司", ""},       {"供水排水", "临江水务集团", ""},
    {"供电", "国网临江供电公司", ""},           {"电梯安全", "市市场监督管理局", "street"},
    {"老旧小区改造", "district", ""},           {"环境保护", "市生态环境局", ""},
    {"噪声污染", "street", "市生态环境局"},     {"油烟污染", "市生态环境局", "市城市管理局"},
    {"交通运输", "市交通运输局", ""},           {"交通秩序与停车", "市公安局", ""},
    {"劳动和社会保障", "市人力资源和社会保障局", ""}, {"医疗保险", "市医疗保障局", ""},
    {"教育文体", "市教育局", ""},               {"卫生计生", "市卫生健康委员会", ""},
    {"商贸旅游", "市市场监督管理局", ""},       {"公安司法", "市公安局", ""},
    {"", "district", ""},
};

struct Template {
  const char* category;  // leaf or second-level name in the default taxonomy
  const char* type;
  const char* urgency;
  const char* text;      // {place} is replaced by a place in the ticket's street
  const char* reply;
};
const std::vector<Template> kTemplates = {
    {"物业服务", "complaint", "normal", "{place}物业公司长期不打扫楼道，垃圾堆放多日无人清理，业主多次反映无果，请相关部门督促整改。", "经街道社区约谈物业公司，已清理楼道垃圾并建立每日保洁巡查制度，社区将持续跟踪。"},
    {"物业收费", "complaint", "normal", "{place}物业费今年突然上涨三成，没有召开业主大会，也没有公示收费依据，请求核查。", "经核查，物业公司调价未履行公示程序，已责令暂停执行新标准并按规定召开业主大会。"},
    {"电梯安全", "help", "urgent", "{place}3栋电梯坏了三天没人修，老人上下楼很困难，请尽快处理。", "已督促维保单位更换故障部件，电梯已于今日修复并通过安全检测，恢复运行。"},
    {"施工噪声", "complaint", "normal", "{place}附近工地每天晚上十一点以后还在施工，噪音很大，严重影响休息，请管一管。", "执法人员夜间现场检查，已责令施工单位停止夜间施工，并对其违规行为立案处理。"},
    {"社会生活噪声", "complaint", "normal", "{place}楼下商铺天天用大音响放音乐招揽顾客，从早到晚吵得无法正常生活。", "社区与执法队上门劝导，商户已撤除室外音响并承诺控制音量。"},
    {"路灯", "report", "normal", "{place}门前路灯不亮已经一周多了，晚上出行很不安全，请尽快维修。", "已安排路灯维护班组更换损坏灯具，路灯恢复正常照明。"},
    {"井盖", "report", "urgent", "{place}人行道上一个井盖缺失，旁边就是学校，很危险，请马上处理。", "接报后维修人员一小时内到场设置围挡，并已安装新的防坠井盖。"},
    {"下水道堵塞", "help", "normal", "{place}小区下水道堵塞，污水漫到路面，气味很大，请派人疏通。", "水务集团已派人疏通管道并清理路面污水，后续将定期巡检。"},
    {"停水", "consultation", "normal", "请问{place}今天为什么停水？什么时候能恢复供水？", "因主干管道抢修临时停水，预计今晚八点前恢复供水，给您带来不便敬请谅解。"},
    {"供电", "help", "urgent", "{place}整栋楼停电已经五个小时，家里有老人需要用制氧机，请尽快恢复供电。", "供电公司抢修人员已更换故障变压器，供电已恢复，并对该线路加强巡视。"},
    {"燃气供应", "report", "emergency", "{place}楼道里有很浓的煤气味，怀疑燃气泄漏，请马上派人来！", "燃气公司抢险队已到场关阀检修，泄漏点已封堵，经检测安全后恢复供气。"},
    {"油烟污染", "complaint", "normal", "{place}一楼饭店油烟直排，没有安装净化设备，楼上住户窗户都不敢开。", "执法人员现场检查，责令该饭店限期安装油烟净化设施，已完成安装并复查合格。"},
    {"城市管理与市容", "complaint", "normal", "{place}人行道上流动摊贩占道经营，行人只能走机动车道，很不安全。", "城管执法队已对占道经营进行整治，并在高峰时段安排人员值守。"},
    {"交通秩序与停车", "complaint", "normal", "{place}门口经常有车辆乱停乱放堵住消防通道，请加强管理。", "交警部门已加强巡查并对违停车辆依法处理，增设禁停标志。"},
    {"公共交通", "suggestion", "normal", "建议在{place}增设一条公交线路或延长末班车时间，附近居民晚上下班很难回家。", "交通运输局已将该建议纳入线网优化方案，拟于下月起延长末班车时间至22:30。"},
    {"拖欠工资", "help", "urgent", "我在{place}附近的工地干活，老板拖欠我们十几个人三个月工资，一直不给，请帮帮我们。", "劳动保障监察大队已约谈施工单位，督促其一次性支付拖欠工资，工人已全部领到工资。"},
    {"社会保险", "consultation", "normal", "请问灵活就业人员在临江市怎么缴纳养老保险？需要带什么材料？", "灵活就业人员可持身份证到社保经办窗口或通过线上平台办理参保登记，按月或按季缴费。"},
    {"医疗保险", "consultation", "normal", "异地就医备案怎么办理？在外地住院能直接报销吗？", "可通过国家医保服务平台或本市医保公众号办理异地就医备案，备案后在定点医院可直接结算。"},
    {"招生入学", "consultation", "normal", "孩子今年上小学，我们住在{place}，请问对口学校是哪所？什么时候报名？", "根据学区划分，该地址对口学校为望江小学，报名时间为6月15日至6月30日，可网上报名。"},
    {"校外培训", "complaint", "normal", "{place}一家培训机构收了一年学费后突然关门，老板联系不上，请求帮助退费。", "教育局已会同市场监管部门立案调查，督促机构退还预收费用，已为家长办理退费登记。"},
    {"医疗服务", "complaint", "normal", "在市第一医院看病排队三个小时，挂号系统经常出问题，希望改进。", "医院已优化挂号系统并增开窗口，高峰时段增派导诊人员。"},
    {"食品安全", "report", "urgent", "{place}一家小餐馆卫生条件很差，吃完后全家腹泻，怀疑食物不干净。", "市场监管局已对该餐馆进行检查并抽样送检，责令停业整改，已依法立案。"},
    {"消费维权", "complaint", "normal", "在{place}一家手机店买的手机三天就坏了，商家拒绝退换，请帮忙维权。", "经调解，商家同意为消费者更换新机。"},
    {"预付卡消费", "complaint", "normal", "{place}健身房突然停业，我办的年卡还有十个月没用，怎么退钱？", "市场监管局已登记消费者诉求，督促经营者制定退费方案，已协调退还剩余费用。"},
    {"治安管理", "report", "normal", "{place}晚上经常有人聚集喝酒闹事，居民很担心安全问题。", "派出所已加强夜间巡逻，并对相关人员进行教育训诫。"},
    {"老旧小区改造", "suggestion", "normal", "{place}是九十年代的老小区，没有电梯，管道老化，希望纳入老旧小区改造计划。", "该小区已列入明年老旧小区改造计划，将同步实施管网改造和加装电梯可行性评估。"},
    {"办事指南咨询", "consultation", "normal", "请问新生儿落户需要哪些材料？可以在网上办理吗？", "可通过政务服务网“出生一件事”办理，需出生医学证明、父母户口簿和身份证。"},
    {"表扬与感谢", "praise", "normal", "感谢{place}社区工作人员帮助我家老人办理了高龄补贴，服务很热情。", "感谢您的肯定，已将表扬转达该社区。"},
};

const std::vector<std::string> kSurnames = {"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"};
const std::vector<std::string> kGiven = {"伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "军", "杰", "娟", "涛", "明", "超", "霞"};

class CityBuilder {
 public:
  explicit CityBuilder(App& app) : app_(app) {}

  Status Build() {
    Store& s = *app_.store;
    std::map<std::string, Id> areas;
    std::vector<Area> area_rows;
    for (const auto& spec : kAreas) {
      Area a;
      a.id = s.NewId();
      a.name = spec.name;
      a.kind = *ParseAreaKind(spec.kind);
      a.parent_id = *spec.parent ? areas.at(spec.parent) : 0;
      a.aliases = spec.aliases;
      areas[a.name] = a.id;
      area_rows.push_back(a);
    }
    std::map<std::string, Id> units;
    std::vector<Unit> unit_rows;
    for (const auto& spec : kUnits) {
      Unit u;
      u.id = s.NewId();
      u.name = spec.name;
      u.kind = *ParseUnitKind(spec.kind);
      u.parent_id = *spec.parent ? units.at(spec.parent) : 0;
      u.area_id = *spec.area ? areas.at(spec.area) : 0;
      units[u.name] = u.id;
      unit_rows.push_back(u);
    }
    ASSIGN_OR_RETURN(int version, s.CurrentTaxonomyVersion());
    ASSIGN_OR_RETURN(auto cats, s.ListCategories(version));
    auto code_of = [&](const std::string& name) {
      for (const auto& c : cats) if (c.name == name) return c.code;
      return std::string("?");
    };
    std::vector<DispatchRule> rules;
    auto street_unit = [&](const std::string& street_area) {
      for (const auto& spec : kUnits) if (std::string(spec.area) == street_area && std::string(spec.kind) == "street") return units.at(spec.name);
      return Id{0};
    };
    for (const auto& spec : kRules) {
      const std::string prefix = *spec.category ? code_of(spec.category) : "";
      auto add = [&](Id lead, Id area, Id assist) {
        DispatchRule r;
        r.id = s.NewId();
        r.category_prefix = prefix;
        r.area_id = area;
        r.lead_unit_id = lead;
        if (assist) r.assisting_unit_ids.push_back(assist);
        rules.push_back(r);
      };
      const std::string lead = spec.lead, assist = spec.assist;
      for (const auto& a : kAreas) {
        // Per-area rules where the lead or the assistant depends on the place.
        const bool street = std::string(a.kind) == "street", district = std::string(a.kind) == "district";
        if (lead == "street" && street) add(street_unit(a.name), areas.at(a.name), assist.empty() ? 0 : units.at(assist));
        if (lead == "district" && district) add(units.at(std::string(a.name) + "12345分中心"), areas.at(a.name), 0);
        if (assist == "street" && lead != "street" && street) add(units.at(lead), areas.at(a.name), street_unit(a.name));
      }
      if (lead != "street" && lead != "district") add(units.at(lead), 0, assist.empty() || assist == "street" ? 0 : units.at(assist));
      if (lead == "district" && prefix.empty()) add(units.at("临江市12345热线中心"), 0, 0);  // never unmatched
    }
    RETURN_IF_ERROR(s.ImportOrg(area_rows, unit_rows, rules));
    ASSIGN_OR_RETURN(const Id supervisor, CreateUsers(units));
    return CreateKnowledge(code_of, supervisor);
  }

 private:
  // Returns supervisor1's id (the knowledge editor of the demo).
  Result<Id> CreateUsers(const std::map<std::string, Id>& units) {
    const Id hub = units.at("临江市12345热线中心");
    ASSIGN_OR_RETURN(std::string hash, HashPassword(kDemoPassword));
    struct U { std::string name; Role role; Id unit; std::string display; };
    std::vector<U> users = {
        {"agent1", Role::kAgent, hub, "话务员 李娜"},       {"agent2", Role::kAgent, hub, "话务员 陈静"},
        {"dispatcher1", Role::kDispatcher, hub, "派单员 王强"}, {"reviewer1", Role::kReviewer, hub, "审核员 赵敏"},
        {"callback1", Role::kCallbackAgent, hub, "回访员 刘芳"}, {"supervisor1", Role::kSupervisor, hub, "督办员 孙涛"},
        {"qa1", Role::kQaInspector, hub, "质检员 周艳"},     {"analyst1", Role::kAnalyst, hub, "分析员 吴杰"},
        {"admin1", Role::kAdmin, hub, "管理员 郭明"},
    };
    for (const auto& spec : kUnits) {
      if (!*spec.handler) continue;
      const bool centre = std::string(spec.kind).find("center") != std::string::npos;
      users.push_back({spec.handler, centre ? Role::kDispatcher : Role::kUnitHandler, units.at(spec.name),
                       std::string(spec.name) + (centre ? " 派单员" : " 承办人")});
      // A district centre answers its district's own line too (agent_jiangnan, ...).
      if (std::string(spec.kind) == "district_center") {
        users.push_back({"agent_" + std::string(spec.handler).substr(5), Role::kAgent, units.at(spec.name),
                         std::string(spec.name) + " 话务员"});
      }
    }
    Id supervisor = 0;
    for (const auto& u : users) {
      User row;
      row.username = u.name;
      row.password_hash = hash;
      row.role = u.role;
      row.unit_id = u.unit;
      row.display_name = u.display;
      ASSIGN_OR_RETURN(const User made, app_.store->CreateUser(row));
      if (u.name == "supervisor1") supervisor = made.id;
    }
    return supervisor;
  }

  // A small knowledge base: the centre's standard answers, public where citizens may read them.
  // One published entry has an edit waiting in review (待审修订) by `editor`, as a knowledge
  // base always has: next year's enrolment dates, proposed before they are confirmed.
  template <typename CodeOf>
  Status CreateKnowledge(const CodeOf& code_of, Id editor) {
    struct K { const char* title; const char* category; const char* body; bool pub; };
    const K kEntries[] = {
        {"停水原因及恢复供水时间查询", "停水", "计划停水会提前24小时在小区公告栏和临江水务公众号公布；突发停水可拨打水务集团热线查询抢修进度，一般抢修在8小时内恢复供水。", true},
        {"灵活就业人员参加养老保险", "社会保险", "灵活就业人员可持身份证到社保经办窗口或通过线上平台办理参保登记，按月或按季缴费，缴费基数可在全省平均工资的60%至300%之间选择。", true},
        {"异地就医备案办理", "医疗保险", "可通过国家医保服务平台或本市医保公众号办理异地就医备案，备案后在就医地定点医疗机构可直接结算住院费用。", true},
        {"小学入学报名", "招生入学", "适龄儿童按学区划分对口入学，报名时间为每年6月15日至6月30日，需提供户口簿、房产证明和出生证明，可网上报名。", true},
        {"新生儿落户办理", "办事指南咨询", "可通过政务服务网“出生一件事”办理新生儿落户，需出生医学证明、父母户口簿和身份证，全程网办。", true},
        {"电梯故障处理流程", "电梯安全", "住宅电梯故障先联系物业和维保单位；困人时拨打电梯内应急电话或96333；物业推诿的，由市场监管部门依法督促。", false},
        {"夜间施工噪声管理规定", "施工噪声", "22时至次日6时禁止产生噪声的建筑施工作业，因生产工艺必须连续作业的须持有夜间施工许可证并公告附近居民。", true},
        {"燃气泄漏应急处置", "燃气供应", "发现燃气泄漏应立即关闭总阀、开窗通风、严禁开关电器和使用明火，撤离后拨打燃气抢险电话或119。", true},
    };
    std::vector<KbEntry> entries;
    for (const auto& k : kEntries) {
      KbEntry e;
      e.title = k.title;
      e.body = k.body;
      e.category_code = code_of(k.category);
      e.is_public = k.pub;
      entries.push_back(std::move(e));
    }
    KbService kb(app_.store.get(), SystemClock::Default());
    ASSIGN_OR_RETURN(auto saved, kb.Save(std::move(entries), 0));
    for (const KbEntry& e : saved) {
      if (e.title != std::string("小学入学报名")) continue;
      KbEntry edit = e;
      edit.body = "适龄儿童按学区划分对口入学，报名时间调整为每年6月10日至6月25日，需提供户口簿、房产证明和出生证明，"
                  "可通过“临江教育”公众号网上报名，材料不全的可在7月5日前补交。";
      RETURN_IF_ERROR(kb.Edit(std::move(edit), false, editor).status());
    }
    // The synonyms a centre's editors keep first: the words citizens say beside the words
    // the answers are written in (煤气 for 燃气, 上户口 for 落户).
    const std::vector<std::vector<std::string>> kSynonyms = {
        {"燃气", "煤气", "天然气"}, {"泄漏", "漏气"},       {"医保", "医疗保险"},   {"噪声", "噪音"},
        {"落户", "上户口"}, {"公积金", "住房公积金"}, {"社保", "社会保险"}, {"停水", "没水", "断水"},
    };
    for (const auto& group : kSynonyms) RETURN_IF_ERROR(kb.AddSynonyms(group).status());
    return Status::Ok();
  }

  App& app_;
};

// Drives tickets through the lifecycle as the people of the centre would.
class Traffic {
 public:
  Traffic(Service* svc, uint32_t seed, double pace) : svc_(svc), rng_(seed), pace_(pace) {}

  // Picks up the tickets already open; their next steps fall due from `now` on.
  Status Load(TimeMs now) {
    ASSIGN_OR_RETURN(auto users, svc_->store()->ListUsers());
    auto org = svc_->Org();
    for (const auto& u : users) {
      Actor a{u.id, u.role, u.unit_id, u.username};
      if (u.role == Role::kUnitHandler || (u.role == Role::kDispatcher && u.username != "dispatcher1")) {
        by_unit_[u.unit_id] = a;
      } else if (u.role == Role::kAgent && u.username.rfind("agent_", 0) == 0) {
        if (const Unit* unit = org->FindUnit(u.unit_id); unit && unit->area_id) district_agents_[unit->area_id] = a;
      } else if (u.username == "agent1" || u.username == "dispatcher1" || u.username == "reviewer1" ||
                 u.username == "callback1" || u.username == "supervisor1") {
        by_role_[u.role] = a;
      }
    }
    ASSIGN_OR_RETURN(int v, svc_->store()->CurrentTaxonomyVersion());
    ASSIGN_OR_RETURN(cats_, svc_->store()->ListCategories(v));
    for (const auto& a : org->areas()) if (a.kind == AreaKind::kStreet) streets_.push_back(a);
    TicketQuery q;
    q.page_size = 100;
    for (auto st : {TicketStatus::kReceived, TicketStatus::kDispatched, TicketStatus::kInProgress, TicketStatus::kSuspended,
                    TicketStatus::kReturned, TicketStatus::kReplied, TicketStatus::kAwaitingCallback}) {
      q.status = st;
      q.cursor = 0;
      do {  // every page: a demo database kept between runs holds hundreds of open orders
        ASSIGN_OR_RETURN(auto page, svc_->ListTickets(by_role_.at(Role::kDispatcher), q, ""));
        for (const auto& t : page.items) open_.push_back({t.id, now + DelayFor(t)});
        q.cursor = page.next_cursor;
      } while (q.cursor != 0);
    }
    return Status::Ok();
  }

  // One moment of the centre's day: maybe a new call, and the tickets whose next step is due
  // move on. The centre answers 7x24 (受理 and 派单 at any hour); units, reviewers and callback
  // agents work office hours, so a night or a weekend leaves a backlog, as in a real city.
  void Step(TimeMs now, double intake_probability, bool office_hours) {
    if (Chance(intake_probability)) NewTicket(now);
    int budget = 40;  // moves per step, so a long pause does not become one burst
    for (size_t k = 0; k < open_.size() && budget > 0;) {
      auto& [id, due] = open_[k];
      if (due > now) {
        ++k;
        continue;
      }
      auto t = svc_->store()->GetTicket(id);
      if (t.ok() && !office_hours && t->Status() != TicketStatus::kReceived) {
        ++k;  // waits for the morning
        continue;
      }
      --budget;
      bool open = t.ok() && Advance(*t);
      if (open) {
        t = svc_->store()->GetTicket(id);
        open = t.ok() && IsOpenStatus(t->Status());
      }
      if (open) {
        due = now + DelayFor(*t);
        ++k;
      } else {
        open_[k] = open_.back();
        open_.pop_back();
      }
    }
  }

  size_t open_count() const { return open_.size(); }

 private:
  // How long until someone takes the ticket's next step, scaled by the pace (1 for the
  // backfilled history, much faster for live traffic so a visitor sees tickets move).
  TimeMs DelayFor(const Ticket& t) {
    auto between = [&](double lo_hours, double hi_hours) {
      return static_cast<TimeMs>(std::uniform_real_distribution<double>(lo_hours, hi_hours)(rng_) * kHourMs * pace_);
    };
    const Assignment* lead = t.ActiveLead();
    switch (t.Status()) {
      case TicketStatus::kReceived: return t.urgency == "emergency" ? between(0.02, 0.1) : between(0.1, 1.5);
      case TicketStatus::kDispatched: return between(1, 10);
      case TicketStatus::kReturned: return between(1, 6);
      case TicketStatus::kInProgress:
        return lead && (lead->extension_days_requested > 0 || lead->suspend_requested) ? between(2, 24) : between(4, 96);
      case TicketStatus::kSuspended: return between(24, 72);
      case TicketStatus::kReplied: return between(0.5, 8);
      case TicketStatus::kAwaitingCallback: return between(1, 24);
      default: return between(1, 24);
    }
  }

  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  template <typename T>
  const T& PickFrom(const std::vector<T>& v) { return v[Pick(v.size())]; }

  std::string CodeOf(const std::string& name) const {
    for (const auto& c : cats_) if (c.name == name) return c.code;
    return "";
  }

  void NewTicket(TimeMs now) {
    const Template& tpl = PickFrom(kTemplates);
    const Area& street = PickFrom(streets_);
    const std::string place = street.aliases.empty() ? street.name : PickFrom(street.aliases);
    // Agents write down what callers say, each in their own words around the same request.
    static const std::vector<std::string> kOpeners = {"", "", "", "来电人反映：", "市民来电称，", "您好，", "我想反映一下，"};
    static const std::vector<std::string> kClosers = {"", "", "", "谢谢。", "希望尽快答复。", "盼复。", "麻烦尽快处理。"};
    std::string text = PickFrom(kOpeners) + tpl.text + PickFrom(kClosers);
    if (auto p = text.find("{place}"); p != std::string::npos) text.replace(p, 7, place);
    TicketInput in;
    in.channel = PickFrom(std::vector<std::string>{"phone", "phone", "phone", "phone", "app", "wechat", "web", "mailbox", "sms"});
    in.request_type = tpl.type;
    in.urgency = tpl.urgency;
    in.content = text;
    in.address = street.name + place + std::to_string(1 + Pick(30)) + "号";
    in.category_code = CodeOf(tpl.category);
    in.citizen.name = PickFrom(kSurnames) + PickFrom(kGiven) + (Chance(0.5) ? PickFrom(kGiven) : "");
    char phone[32];
    std::snprintf(phone, sizeof phone, "13%d%08d", 5 + static_cast<int>(Pick(5)), static_cast<int>(Pick(100000000)));
    in.citizen.phone = phone;
    // A third of a district's callers dial its own line, answered by the district centre.
    auto local = district_agents_.find(street.parent_id);
    const Actor& intake = local != district_agents_.end() && Chance(1.0 / 3) ? local->second : by_role_.at(Role::kAgent);
    auto created = svc_->CreateTicket(intake, in, "");
    if (created.ok()) {
      open_.push_back({created->ticket.id, now + DelayFor(created->ticket)});
      replies_[created->ticket.id] = tpl.reply;
    }
  }

  bool Act(const Ticket& t, const Actor& a, Command c) {
    auto r = svc_->Act(a, t.id, c);
    if (!r.ok()) spdlog::debug("demo: {} on {}: {}", CommandName(c.type), t.number, r.status().message());
    return r.ok();
  }

  std::string ReplyFor(const Ticket& t) {
    auto it = replies_.find(t.id);
    if (it != replies_.end()) return it->second;
    return "经核查，已按相关规定处理完毕，并已电话告知诉求人办理结果。";
  }

  Id StreetUnitFor(const OrgSnapshot& org, const Ticket& t, Id centre) {
    for (const auto& u : org.units()) {
      if (u.kind == UnitKind::kStreet && u.parent_id == centre && u.area_id && org.AreaInSubtree(t.area_id, u.area_id)) return u.id;
    }
    for (const auto& u : org.units()) if (u.kind == UnitKind::kStreet && u.parent_id == centre) return u.id;
    return 0;
  }

  // Returns false when the ticket has left the open set.
  bool Advance(const Ticket& t) {
    auto org = svc_->Org();
    const Actor& disp = by_role_.at(Role::kDispatcher);
    const Assignment* lead = t.ActiveLead();
    Command c;
    switch (t.Status()) {
      case TicketStatus::kReceived: {
        if (t.urgency == "emergency") {
          c.type = CommandType::kDispatch;  // 燃气泄漏: straight to the utility's emergency crew
        } else if (t.request_type == "consultation" && Chance(0.5)) {
          c.type = CommandType::kAnswerDirectly;
          c.content = ReplyFor(t);
          // The agent answers from the knowledge base when it has the answer.
          KbQuery kq;
          kq.limit = 1;
          if (auto hits = svc_->Kb().Search(t.content, kq); hits.ok() && !hits->empty() && hits->front().score > 8) {
            c.content = hits->front().entry.body;
            c.kb_entry_ids = {hits->front().entry.id};
          }
          return !Act(t, by_role_.at(Role::kAgent), c);
        }
        auto rule = org->MatchRule(t.category_code, t.area_id);
        if (!rule) return false;
        const Unit* u = org->FindUnit(rule->lead_unit_id);
        c.type = CommandType::kDispatch;
        c.unit_id = rule->lead_unit_id;
        c.assisting_unit_ids = rule->assisting_unit_ids;
        c.mode = u && IsCentre(u->kind) ? "relay" : "direct";
        Act(t, disp, c);
        return true;
      }
      case TicketStatus::kDispatched: {
        const Unit* u = org->FindUnit(lead->unit_id);
        auto handler = by_unit_.find(lead->unit_id);
        if (handler == by_unit_.end()) return true;
        if (u && IsCentre(u->kind)) {  // a district centre passes it down to the street
          c.type = CommandType::kDispatch;
          c.unit_id = StreetUnitFor(*org, t, u->id);
          if (c.unit_id == 0 && u->kind == UnitKind::kSubCenter) {
            for (const auto& x : org->units()) if (x.parent_id == u->id && !IsCentre(x.kind)) c.unit_id = x.id;
          }
          Act(t, handler->second, c);
          return true;
        }
        if (Chance(0.07) && t.return_count == 0) {
          c.type = CommandType::kReturn;
          c.reason = "经核实，该诉求不属于我单位职责范围，建议改派属地街道。";
        } else {
          c.type = CommandType::kAccept;
        }
        Act(t, handler->second, c);
        return true;
      }
      case TicketStatus::kReturned: {
        // Back at the centre that dispatched it: send it to the street of the place.
        Id target = 0;
        for (const auto& u : org->units()) {
          if (u.kind == UnitKind::kStreet && u.area_id && org->AreaInSubtree(t.area_id, u.area_id)) target = u.id;
        }
        if (target == lead->unit_id) target = 0;
        Actor who = disp;
        if (lead->dispatched_by_unit_id != org->units().front().id) {
          auto it = by_unit_.find(lead->dispatched_by_unit_id);
          if (it != by_unit_.end()) who = it->second;
        }
        if (target == 0) {
          c.type = CommandType::kCoordinate;
          c.note = "经协调，由原承办单位继续办理。";
          c.unit_id = 0;
          for (const auto& u : org->units()) if (u.kind == UnitKind::kDepartment && u.id != lead->unit_id) { c.unit_id = u.id; break; }
          Act(t, by_role_.at(Role::kSupervisor), c);
        } else {
          c.type = CommandType::kRedispatch;
          c.unit_id = target;
          c.note = "按属地原则改派。";
          Act(t, who, c);
        }
        return true;
      }
      case TicketStatus::kInProgress: {
        auto handler = by_unit_.find(lead->unit_id);
        if (handler == by_unit_.end()) return true;
        if (lead->extension_days_requested > 0) {
          c.type = CommandType::kDecideExtension;
          c.approve = Chance(0.8);
          c.comment = *c.approve ? "同意延期，请按期办结。" : "不同意延期，请加快办理。";
          Act(t, by_role_.at(Role::kSupervisor), c);
          return true;
        }
        if (lead->suspend_requested) {
          c.type = CommandType::kDecideSuspension;
          c.approve = Chance(0.7);
          c.comment = *c.approve ? "同意挂起，条件具备后及时恢复办理。" : "不同意挂起，请先行处置并告知市民进度。";
          Act(t, by_role_.at(Role::kSupervisor), c);
          return true;
        }
        if (Chance(0.08) && t.urge_count == 0) {
          c.type = CommandType::kUrge;
          c.note = "市民来电催办，请加快办理进度。";
          Act(t, by_role_.at(Role::kSupervisor), c);
          return true;
        }
        if (Chance(0.1) && lead->extension_reason.empty()) {
          c.type = CommandType::kRequestExtension;
          c.days = 5;
          c.reason = "需协调多个部门现场勘查，申请延期5个工作日。";
        } else if (Chance(0.04)) {
          c.type = CommandType::kSuspend;
          c.reason = "涉及司法诉讼程序，待法院裁定后再行处理，申请挂起。";
        } else {
          c.type = CommandType::kReply;
          c.content = ReplyFor(t);
        }
        Act(t, handler->second, c);
        return true;
      }
      case TicketStatus::kSuspended: {
        c.type = CommandType::kResume;
        Act(t, by_role_.at(Role::kSupervisor), c);
        return true;
      }
      case TicketStatus::kReplied: {
        c.type = CommandType::kReview;
        c.decision = Chance(0.9) ? "approve" : "reject";
        if (c.decision == "reject") c.comment = "答复内容过于简单，请补充具体处理措施和时间。";
        Act(t, by_role_.at(Role::kReviewer), c);
        return true;
      }
      case TicketStatus::kAwaitingCallback: {
        c.type = CommandType::kCallback;
        if (Chance(0.08)) {
          c.outcome = "unreachable";
        } else {
          c.outcome = "reached";
          const double r = std::uniform_real_distribution<double>(0, 1)(rng_);
          c.rating = r < 0.42 ? "very_satisfied" : r < 0.77 ? "satisfied" : r < 0.88 ? "basically_satisfied"
                   : r < 0.96 ? "dissatisfied" : "very_dissatisfied";
          if (!IsSatisfiedRating(c.rating)) c.comment = "问题没有真正解决，希望重新处理。";
        }
        Act(t, by_role_.at(Role::kCallbackAgent), c);
        auto after = svc_->store()->GetTicket(t.id);
        if (after.ok() && after->closing_kind == "unsatisfied" && after->reopen_count < 2 && Chance(0.7)) {
          Command re;
          re.type = CommandType::kReopen;
          re.reason = "回访不满意：" + c.comment;
          Act(*after, by_role_.at(Role::kCallbackAgent), re);
          return true;
        }
        return after.ok() && IsOpenStatus(after->Status());
      }
      default:
        return false;
    }
  }

  Service* svc_;
  std::mt19937 rng_;
  std::map<Id, Actor> by_unit_;
  std::map<Id, Actor> district_agents_;  // by the district (area) whose line they answer
  std::map<Role, Actor> by_role_;
  std::vector<Category> cats_;
  std::vector<Area> streets_;
  double pace_;
  std::vector<std::pair<Id, TimeMs>> open_;  // open tickets and when their next step is due
  std::map<Id, std::string> replies_;
};

// Two weeks of history, run on a clock that moves through office hours.
Status Backfill(const std::string& db, int days) {
  const TimeMs now = SystemClock::Default()->NowMs();
  ManualClock clock(now - days * kDayMs);
  ASSIGN_OR_RETURN(App app, OpenApp(db, false, &clock));
  Traffic traffic(app.service.get(), 20261128, 1.0);
  RETURN_IF_ERROR(traffic.Load(clock.NowMs()));
  while (clock.NowMs() < now - kHourMs) {
    const TimeMs local = clock.NowMs() + kCityOffsetMs;
    const int hour = static_cast<int>((local % kDayMs) / kHourMs);
    const int weekday = static_cast<int>((local / kDayMs + 4) % 7);  // 1970-01-01 was a Thursday; 0 = Sunday
    const bool office = hour >= 8 && hour < 20;
    traffic.Step(clock.NowMs(), office ? 0.55 : 0.08, office && weekday != 0 && weekday != 6);
    (void)app.service->RunSlaTick(500);  // the timer ran through those days too
    clock.AdvanceMs(office ? 12 * kMinuteMs : 40 * kMinuteMs);
  }
  return Status::Ok();
}

void PrintWelcome(const std::string& url) {
  std::cout << "\n临江市 12345 热线平台演示 (Hotline 12345 demo city)\n"
            << "  URL:            " << url << "   (工作台 web UI; 市民服务 citizen portal: " << url << "/#/portal)\n"
            << "  API:            " << url << "/api/v1   health: " << url << "/healthz\n"
            << "  administrator:  admin / " << kAdminPassword << "\n"
            << "  every other user has the password " << kDemoPassword << ":\n"
            << "    agent1 (话务员)  dispatcher1 (派单员)  reviewer1 (审核员)  callback1 (回访员)\n"
            << "    supervisor1 (督办员)  qa1 (质检员)  analyst1 (分析员)  admin1 (管理员)\n"
            << "    unit handlers (承办单位): h_zhujian h_chengguan h_huanjing h_shichang h_renshe h_jiaoyu\n"
            << "      h_weijian h_jiaotong h_gongan h_yibao h_shuiwu h_gongdian h_ranqi\n"
            << "      h_wangjiang h_binjiang h_beishan h_xinqiao h_kechuang\n"
            << "    district dispatchers: disp_jiangnan disp_jiangbei disp_gaoxin disp_yibao\n"
            << "    district agents (区分中心话务员): agent_jiangnan agent_jiangbei agent_gaoxin\n"
            << "  try: curl -s " << url << "/api/v1/auth/login -d '{\"username\":\"agent1\",\"password\":\""
            << kDemoPassword << "\"}'\n"
            << "Press Ctrl-C to stop.\n"
            << std::endl;
}

}  // namespace

int RunDemo(const std::string& db, const std::string& listen, bool fresh, bool traffic, int interval_ms,
            double auto_dispatch) {
  ServerOptions opts;
  if (Status st = ParseListen(listen, &opts.host, &opts.port); !st.ok()) return Fail(st);
  opts.web_root = DefaultWebRoot();
  if (fresh) {
    for (const char* suffix : {"", "-wal", "-shm", ".key"}) std::filesystem::remove(db + suffix);
    std::filesystem::remove_all(db + ".models");
  }
  const bool exists = std::filesystem::exists(db);
  {
    auto app = OpenApp(db, true);
    if (!app.ok()) return Fail(app.status());
    if (Status st = InitDatabase(*app, "admin", kAdminPassword); !st.ok()) return Fail(st);
    if (!exists) {
      std::cout << "building the demo city in " << db << " ..." << std::endl;
      if (Status st = CityBuilder(*app).Build(); !st.ok()) return Fail(st);
    }
  }
  if (!exists) {
    if (Status st = Backfill(db, 14); !st.ok()) return Fail(st);
  }
  BlockStopSignals();
  auto app = OpenApp(db, false);
  if (!app.ok()) return Fail(app.status());
  // The city learns to classify from its own two weeks of history (智能分类): the category,
  // the request type and the urgency.
  for (const char* target : {"category", "request_type", "urgency"}) {
    const std::string model = db + ".models/" + target + ".model";
    // Kept unless it no longer loads (e.g. made by a build with other features): retrained.
    if (std::filesystem::exists(model) && intel::Classifier::Load(model).ok()) continue;
    auto trained = TrainFromHistory(*app->store, target, model);
    if (trained.ok()) {
      spdlog::info("{}", *trained);
    } else {
      spdlog::warn("no {} model for the demo: {}", target, trained.status().message());
    }
  }
  if (Status st = LoadModels(*app, db, ""); !st.ok()) return Fail(st);
  app->service->SetAutoDispatch(auto_dispatch);
  std::atomic<bool> stop{false};
  std::thread generator;
  if (traffic) {
    generator = std::thread([&] {
      // Live traffic runs some 400 times faster than the city's day: a call every few seconds,
      // a reply within minutes.
      Traffic live(app->service.get(), static_cast<uint32_t>(SystemClock::Default()->NowMs()), 1.0 / 400);
      if (Status st = live.Load(SystemClock::Default()->NowMs()); !st.ok()) {
        spdlog::error("demo traffic: {}", st.message());
        return;
      }
      while (!stop) {
        live.Step(SystemClock::Default()->NowMs(), 0.5, true);
        for (int waited = 0; waited < interval_ms && !stop; waited += 50) {
          std::this_thread::sleep_for(std::chrono::milliseconds(std::min(50, interval_ms)));
        }
      }
    });
  }
  Status st = ServeUntilSignal(*app, opts, [&](int port) {
    PrintWelcome("http://" + opts.host + ":" + std::to_string(port));
  });
  stop = true;
  if (generator.joinable()) generator.join();
  return st.ok() ? 0 : Fail(st);
}

}  // namespace hotline::cli
