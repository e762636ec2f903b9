#include <gtest/gtest.h>

#include "intake/intake.h"
#include "store/store.h"

namespace hotline {
namespace {

TEST(Intake, ParsesAndNormalises) {
  auto in = ParseTicketInput(R"({"channel":"phone","request_type":"complaint","content":"  电梯坏了 ",
    "citizen":{"name":"张三","phone":"+86 138-1234-5678"},"tags":["电梯","电梯"],"address":"幸福小区"})");
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->content, "电梯坏了");
  EXPECT_EQ(in->citizen.phone, "13812345678");
  EXPECT_EQ(in->urgency, "normal");
  EXPECT_EQ(in->tags.size(), 1u);
}

// One caller, one key for caller history: China's own number in any form is the national
// number; another country's keeps its code, so it never folds into a mainland one.
TEST(Intake, PhonesNormaliseToOneFormPerNumber) {
  EXPECT_EQ(NormalisePhone("+86 138-1234-5678"), "13812345678");
  EXPECT_EQ(NormalisePhone("0086 13812345678"), "13812345678");
  EXPECT_EQ(NormalisePhone("8613812345678"), "13812345678");
  EXPECT_EQ(NormalisePhone("(0731) 8888-1234"), "073188881234");
  // A landline in the international form gets its trunk 0 back: one caller with 0571….
  EXPECT_EQ(NormalisePhone("+86 571 8888 1234"), "057188881234");
  EXPECT_EQ(NormalisePhone("0086-10-6512-3456"), "01065123456");
  EXPECT_EQ(NormalisePhone("+86 400 123 4567"), "4001234567");
  EXPECT_EQ(NormalisePhone("+86 12345"), "12345");
  EXPECT_EQ(NormalisePhone("+86 10086"), "10086");
  EXPECT_EQ(NormalisePhone("+1 (415) 555-0100"), "+14155550100");
  EXPECT_EQ(NormalisePhone("001 415 555 0100"), "+14155550100");
  EXPECT_NE(NormalisePhone("+1 415 555 0100"), NormalisePhone("14155550100"));
  EXPECT_EQ(NormalisePhone("+"), "");
  auto in = ParseTicketInput(R"({"channel":"phone","request_type":"help","content":"x","citizen":{"phone":"+44 20 7946 0958"}})");
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->citizen.phone, "+442079460958");
  EXPECT_EQ(MaskPhone(in->citizen.phone), "+44******0958");
  // A Chinese input method's full-width digits are the same number.
  in = ParseTicketInput(R"({"channel":"phone","request_type":"help","content":"x","citizen":{"phone":"１３９００００２２２３"}})");
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->citizen.phone, "13900002223");
  in = ParseTicketInput(R"({"channel":"phone","request_type":"help","content":"x","citizen":{"phone":"（０７３１）８４５６　７８９０"}})");
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->citizen.phone, "073184567890");
}

TEST(Intake, ErrorsNameTheField) {
  auto field = [](const char* body) { return ParseTicketInput(body).status().field(); };
  EXPECT_EQ(field("{not json"), "body");
  EXPECT_EQ(field("[]"), "body");
  EXPECT_EQ(field(R"({"request_type":"complaint","content":"x"})"), "channel");
  EXPECT_EQ(field(R"({"channel":"fax","request_type":"complaint","content":"x"})"), "channel");
  EXPECT_EQ(field(R"({"channel":"web","request_type":"complaint"})"), "content");
  EXPECT_EQ(field(R"({"channel":"web","request_type":"complaint","content":5})"), "content");
  EXPECT_EQ(field(R"({"channel":"web","request_type":"x","content":"a"})"), "request_type");
  EXPECT_EQ(field(R"({"channel":"web","request_type":"help","content":"a","urgency":"panic"})"), "urgency");
  EXPECT_EQ(field(R"({"channel":"phone","request_type":"help","content":"a"})"), "citizen.phone");
  EXPECT_EQ(field(R"({"channel":"sms","request_type":"help","content":"a"})"), "citizen.phone");  // the sender
  EXPECT_EQ(field(R"({"channel":"web","request_type":"help","content":"a","citizen":{"phone":"12"}})"), "citizen.phone");
  EXPECT_EQ(field(R"({"channel":"web","request_type":"help","content":"a","tags":[1]})"), "tags[0]");
  EXPECT_EQ(field(R"({"channel":"web","request_type":"help","content":"a","tags":["\u0001"]})"), "tags[0]");
  EXPECT_EQ(field(R"({"channel":"web","request_type":"help","content":"a","tags":["ok","a\u001bb"]})"), "tags[1]");
  EXPECT_EQ(field(R"({"channel":"web","request_type":"help","content":"a","tags":["a\u009bb"]})"), "tags[0]");
  EXPECT_EQ(field(R"({"channel":"web","request_type":"help","content":"a","citizen":{"kind":"enterprise","org_name":"某公司","credit_code":"bad"}})"), "citizen.credit_code");
  // GB 32100: the alphabet leaves out I, O, S, V and Z, and the last character checks the rest.
  const auto credit = [&](const char* code) {
    const std::string body = std::string(R"({"channel":"web","request_type":"help","content":"a","citizen":{"kind":"enterprise","org_name":"某公司","credit_code":")") +
                             code + "\"}}";
    return field(body.c_str());
  };
  EXPECT_EQ(credit("91350100M000100Y43"), "");
  EXPECT_EQ(credit("91350100M000100Y44"), "citizen.credit_code") << "wrong check character";
  EXPECT_EQ(credit("IIIIIIIIIIIIIIIIII"), "citizen.credit_code") << "letters the code never uses";
  EXPECT_EQ(ParseTicketInput("{\"channel\":\"web\",\"request_type\":\"help\",\"content\":\"\xff\"}").status().field(), "body");
  // A misspelt field is named, not dropped; so is a NUL inside a string.
  EXPECT_EQ(field(R"({"channel":"web","request_type":"help","content":"a","adress":"望江路1号"})"), "adress");
  EXPECT_EQ(field(R"({"channel":"web","request_type":"help","content":"a","citizen":{"phone":"13800138000","mobile":"1"}})"), "citizen.mobile");
  EXPECT_EQ(field(R"({"channel":"web","request_type":"help","content":"a\u0000b"})"), "content");
}

TEST(Intake, Masks) {
  EXPECT_EQ(MaskName("张三"), "张*");
  EXPECT_EQ(MaskName("欧阳娜娜"), "欧***");
  EXPECT_EQ(MaskName("李"), "李*");
  EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
  EXPECT_EQ(MaskPhone("02887654321"), "028****4321");
  EXPECT_EQ(MaskPhone("81234567"), "****4567");  // a landline: half its digits hidden
  EXPECT_EQ(MaskPhone("8123456"), "*****56");
  EXPECT_EQ(MaskPhone("12345"), "***45");
  EXPECT_EQ(MaskIdNumber("110101199001011234"), "1101**********1234");
}

}  // namespace
}  // namespace hotline
