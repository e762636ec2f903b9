#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "core/pii.h"
#include "core/json.h"
#include "core/text.h"

namespace hotline {
namespace {

TEST(Clock, FormatsAndParsesCityTime) {
  auto t = ParseIso("2025-09-30T09:00:00+08:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatIsoCity(*t), "2025-09-30T09:00:00+08:00");
  EXPECT_EQ(FormatIsoUtc(*t), "2025-09-30T01:00:00Z");
  EXPECT_EQ(*ParseIso("2025-09-30T01:00:00Z"), *t);
  EXPECT_EQ(*ParseIso("2025-09-30 09:00"), *t);  // bare times are city time
  EXPECT_EQ(CityDateCompact(*ParseIso("2025-12-31T23:30:00+08:00")), "20251231");
  EXPECT_EQ(CityDateCompact(*ParseIso("2025-12-31T16:30:00Z")), "20260101");
  EXPECT_FALSE(ParseIso("2025-13-01"));
  EXPECT_FALSE(ParseIso("yesterday"));
  EXPECT_FALSE(ParseIso("2025-01-01T10:00:00+0800"));
  // Dates and times that do not exist are refused, not rolled over into the next ones.
  EXPECT_FALSE(ParseIso("2026-09-31"));
  EXPECT_FALSE(ParseIso("2026-02-29"));
  EXPECT_TRUE(ParseIso("2028-02-29"));
  EXPECT_FALSE(ParseIso("2026-04-30T-1:00"));
  EXPECT_FALSE(ParseIso("2026-04-30T24:00"));
  EXPECT_FALSE(ParseIso("2026-04-30T10:00:00+99:00"));
  EXPECT_FALSE(ParseIso("2026-04-30T10:00:00+08:60"));
  EXPECT_FALSE(ParseIso("2026- 4-30"));
  EXPECT_FALSE(ParseIso("2026-04-30T10:00:00."));
  EXPECT_EQ(*ParseIso("2025-09-30T09:00:00.250+08:00"), *t);
}

TEST(Ids, UniqueAndOrderedEvenWhenClockStands) {
  ManualClock clock(1800000000000);
  IdGenerator gen(&clock, 3);
  std::set<Id> seen;
  Id last = 0;
  for (int i = 0; i < 10000; ++i) {
    Id id = gen.Next();
    EXPECT_GT(id, last);
    last = id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000u);
  EXPECT_EQ(ParseId(IdToString(last)), last);
  EXPECT_FALSE(ParseId("12a"));
  EXPECT_FALSE(ParseId("-5"));
  EXPECT_FALSE(ParseId(""));
}

TEST(Text, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("电梯坏了 ok"));
  EXPECT_FALSE(IsValidUtf8("\xff\xfe"));
  EXPECT_FALSE(IsValidUtf8("\xe7\x94"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\x80"));      // overlong, three bytes
  EXPECT_FALSE(IsValidUtf8("\xf0\x80\x80\x80"));  // overlong, four bytes
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));   // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xf5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("abcdefgh\x80ijklmnop"));  // lone continuation after an ASCII run
  EXPECT_TRUE(IsValidUtf8("abcdefghijklmnop\xf0\x9f\x98\x80xyz"));
  EXPECT_FALSE(IsValidUtf8("abcdefghijklmnop\xf0\x9f\x98"));  // truncated at the end
  EXPECT_EQ(Utf8Length("电梯ab"), 4u);
  EXPECT_EQ(Trim("\u3000\t 你好 \n"), "你好");
}

TEST(Text, DigitsOnly) {
  EXPECT_TRUE(IsDigits("0"));
  EXPECT_TRUE(IsDigits("0123456789"));
  EXPECT_FALSE(IsDigits(""));
  EXPECT_FALSE(IsDigits("-1"));
  EXPECT_FALSE(IsDigits("12a"));
  EXPECT_FALSE(IsDigits("１２"));  // full-width digits are not ASCII digits
  EXPECT_TRUE(HasDigit("门牌12号"));
  EXPECT_TRUE(HasDigit("尾号７７７７"));  // as an input method types them
  EXPECT_FALSE(HasDigit("十二号"));
  EXPECT_FALSE(HasDigit("\xEF\xBC"));  // a cut-off full-width character
}

// A search's words: apart at blanks and ideographic spaces, at most `max`.
TEST(Text, SearchWords) {
  EXPECT_EQ(SearchWords("  锦绣花园\u3000噪音\t 夜间 ", 8), (std::vector<std::string>{"锦绣花园", "噪音", "夜间"}));
  EXPECT_EQ(SearchWords("a b c", 2), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(SearchWords(" \u3000 ", 8).empty());
}

// Zero-width characters look like nothing on every screen: alone they are no text, and at the
// ends of text they are trimmed like blanks; inside it they stay.
TEST(Text, InvisibleCharactersAreBlanks) {
  EXPECT_FALSE(HasVisibleText(" \u200b\t\ufeff \u2060"));
  EXPECT_TRUE(HasVisibleText("\u200b好"));
  EXPECT_EQ(TrimInvisible("\u200b \u200c很好\u200d好 \ufeff\n"), "很好\u200d好");
  EXPECT_EQ(TrimInvisible("\u200b \u200b"), "");
}

TEST(Text, ControlCharactersAreDroppedC0AndC1) {
  // ESC and BEL, DEL, and the C1 controls (CSI U+009B) show as nothing or as an escape; tab
  // and line breaks are text, and NEL (U+0085) is a line break.
  EXPECT_EQ(CleanText(" 路灯\x1b\x07\x7f不亮\xc2\x85了\xc2\x9b" "31m\t。\n "), "路灯不亮\n了31m\t。");
  EXPECT_EQ(CleanText("\xc2\xa0" "é\xc2\xa9"), "é\xc2\xa9");  // NBSP trimmed, © and é kept
  EXPECT_EQ(DropC1Controls("a\xc2\x9b" "b\x1b"), "ab\x1b");
  EXPECT_FALSE(HasNonWhitespaceControl("a\tb\n©"));
  // A one-line label holds none, not even a tab, a line break or NEL.
  EXPECT_TRUE(HasControl("a\tb"));
  EXPECT_TRUE(HasControl("停\xc2\x85" "水"));
  EXPECT_FALSE(HasControl("停水 ©é"));
}

TEST(Text, CsvQuotesAndNewlines) {
  auto rows = ParseCsv("\xEF\xBB\xBF" "a,b,c\n\"x,1\",\"he said \"\"hi\"\"\",\"two\nlines\"\r\nlast,,\n");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0][0], "a");
  EXPECT_EQ((*rows)[1][0], "x,1");
  EXPECT_EQ((*rows)[1][1], "he said \"hi\"");
  EXPECT_EQ((*rows)[1][2], "two\nlines");
  EXPECT_EQ((*rows)[2].size(), 3u);
  // A row of empty cells (a spreadsheet's ,,, below its data) is skipped as a blank line is;
  // its line numbers stay those of the file.
  std::vector<size_t> lines;
  auto padded = ParseCsv("a,b,\r\n1,2,\r\n,,\r\n\r\n3,4,\r\n,,", &lines);
  ASSERT_TRUE(padded.ok());
  ASSERT_EQ(padded->size(), 3u);
  EXPECT_EQ((*padded)[2][0], "3");
  EXPECT_EQ(lines, (std::vector<size_t>{1, 2, 5}));
  // Spreadsheet-safe fields: a formula is shown as text, and import gives back what was exported.
  EXPECT_EQ(SpreadsheetField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(SpreadsheetField("电梯"), "\"电梯\"");
  for (const char* v : {"=1+1", "+86", "-x", "@SUM(A1)", "\tx", "'=x", "''x", "'x", "x'", "'"}) {
    const auto back = ParseCsv("a," + SpreadsheetField(v) + "\n");
    ASSERT_TRUE(back.ok() && back->size() == 1 && (*back)[0].size() == 2) << v;
    const std::string cell = (*back)[0][1];
    EXPECT_EQ(SpreadsheetText(cell), v) << v;
    EXPECT_TRUE(cell.empty() || std::string("=+-@\t").find(cell[0]) == std::string::npos) << v;
  }
  auto bad = ParseCsv("a,\"open\nb\n");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 1"), std::string::npos);
  // Text after a closing quote is refused, naming its line; blanks there are allowed.
  auto glued = ParseCsv("a,b\n\"x\" ,y\n\"one\ntwo\"z,w\n");
  ASSERT_FALSE(glued.ok());
  EXPECT_EQ(glued.status().message(), "csv: text after the closing quote on line 4");
  auto spaced = ParseCsv("a,b\n\"x\" \t,\"y\"\t\n");
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ((*spaced)[1][0], "x");
  EXPECT_EQ((*spaced)[1][1], "y");
}

// A key given twice in one object is refused by name at any depth; the same key in two
// different objects, or in an object and its parent, is fine.
TEST(Json, AKeyGivenTwiceInOneObjectIsRefused) {
  auto dup = ParseJsonObject(R"({"status":"closed","content":"x","status":"open"})");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().field(), "status");
  EXPECT_EQ(ParseJsonObject(R"({"a":{"b":1,"b":2}})").status().field(), "a.b");  // named by its path
  EXPECT_EQ(ParseJsonObject(R"({"a":1,"citizen":{"name":"x","phone":"1","phone":"2"}})").status().field(), "citizen.phone");
  EXPECT_EQ(ParseJsonObject(R"({"rules":[{"u":1},{"u":1,"u":2}]})").status().field(), "rules.u");
  EXPECT_TRUE(ParseJsonObject(R"({"a":{"b":1},"c":{"b":2},"b":[{"b":3},{"b":4}]})").ok());
  EXPECT_EQ(ParseJsonObject("[1]").status().message(), "body: must be a JSON object");
  EXPECT_EQ(ParseJsonObject("{", "line").status().message(), "line: is not valid JSON (at character 2)");
  EXPECT_EQ(ParseJsonObject("{\n  \"a\": 1,\n  \"b\" 2\n}", "calendar").status().message(),
            "calendar: is not valid JSON (at line 3, column 7)");
  EXPECT_EQ(ParseJsonObject("{\"a\": \"\xff\"}", "f").status().message(),
            "f: is not valid JSON (at character 8: not UTF-8 text)");
  std::string d;
  EXPECT_TRUE(ParseJsonText(R"([{"k":1},{"k":1}])", &d).is_array());
  EXPECT_TRUE(d.empty());
}

TEST(Crypto, PasswordsAndVault) {
  ASSERT_TRUE(CryptoInit().ok());
  auto h = HashPassword("s3cret-密码");
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(VerifyPassword(*h, "s3cret-密码"));
  EXPECT_FALSE(VerifyPassword(*h, "s3cret"));
  auto v = Vault::FromHex(Vault::NewMasterKeyHex());
  ASSERT_TRUE(v.ok());
  std::string sealed = v->Encrypt("13812345678");
  EXPECT_EQ(sealed.find("1381234"), std::string::npos);
  EXPECT_NE(v->Encrypt("13812345678"), sealed);  // fresh nonce each time
  EXPECT_EQ(*v->Decrypt(sealed), "13812345678");
  EXPECT_EQ(v->KeyedHash("13812345678"), v->KeyedHash("13812345678"));
  auto other = Vault::FromHex(Vault::NewMasterKeyHex());
  EXPECT_FALSE(other->Decrypt(sealed).ok());
  EXPECT_NE(other->KeyedHash("13812345678"), v->KeyedHash("13812345678"));
  EXPECT_FALSE(Vault::FromHex("abc").ok());
}

}  // namespace
}  // namespace hotline

namespace hotline {
TEST(Pii, NumbersWrittenIntoTextAreMasked) {
  EXPECT_EQ(MaskPersonalNumbers("我叫林小明，电话13977778888，身份证110105198001011238，请联系我"),
            "我叫林小明，电话139****8888，身份证1101**********1238，请联系我");
  EXPECT_EQ(MaskPersonalNumbers("ID 11010519800101123X."), "ID 1101**********123X.");
  EXPECT_EQ(MaskPersonalNumbers("座机0731-84567890或073184567890，+8613977778888"),
            "座机****-****7890或********7890，+86139****8888");
  // Written in groups, full width, after a word or a country code, a first-generation ID.
  EXPECT_EQ(MaskPersonalNumbers("139-7777-8888、139 7777 8888"), "139-****-8888、139 **** 8888");
  EXPECT_EQ(MaskPersonalNumbers("电话１３９７７７７８８８８"), "电话１３９****８８８８");
  EXPECT_EQ(MaskPersonalNumbers("Tel13977778888 008613977778888"), "Tel139****8888 0086139****8888");
  EXPECT_EQ(MaskPersonalNumbers("老身份证110105800101123"), "老身份证1101*******1123");
  EXPECT_EQ(MaskPersonalNumbers("021 1234 5678、0731-8456-7890、(0731)84567890"),
            "*** **** 5678、****-****-7890、(****)****7890");
  EXPECT_EQ(MaskPersonalNumbers("139　7777　8888 １３９－７７７７－８８８８"), "139　****　8888 １３９－****－８８８８");
  // Ticket numbers, dates, amounts, order numbers and longer runs are not personal numbers.
  for (std::string_view kept : {"工单202611290000014已办结", "2026年11月29日", "2026-11-29", "罚款12345678901元",
                                "罚款金额0123456789元", "订单号123456789012345678", "139777788881", "1397777888",
                                "13977778888123"}) {
    EXPECT_EQ(MaskPersonalNumbers(kept), kept) << kept;
    EXPECT_FALSE(HasPersonalNumber(kept)) << kept;
  }
  // Only what is asked for.
  EXPECT_EQ(MaskPersonalNumbers("13977778888 110105198001011238", {.phones = false, .ids = true}),
            "13977778888 1101**********1238");
  EXPECT_TRUE(HasPersonalNumber("电话：13977778888"));
  EXPECT_FALSE(HasPersonalNumber("13977778888", {.phones = false, .ids = true}));
}

TEST(Pii, NumbersWrittenIntoTextAreListedAsOneWouldDialThem) {
  std::vector<std::pair<bool, std::string>> got;
  for (const auto& n : PersonalNumbersIn("白天139-7777-8888，晚上(0731)84567890，也可+8613977778888，"
                                         "证件11010519800101123X，手机１５８００００１１１１")) {
    got.emplace_back(n.id, n.digits);
  }
  EXPECT_EQ(got, (std::vector<std::pair<bool, std::string>>{{false, "13977778888"},
                                                            {false, "073184567890"},
                                                            {true, "11010519800101123X"},
                                                            {false, "15800001111"}}))
      << "each once, digits only, the +86 dropped, the check character kept";
  EXPECT_TRUE(PersonalNumbersIn("工单202611290000014，2026-11-29，罚款12345678901元").empty());
  EXPECT_EQ(PersonalNumbersIn("13977778888 110105198001011238", {.phones = false, .ids = true}).size(), 1u);
}

TEST(Pii, SearchingForAPieceOfANumberIsACallerLookUp) {
  // A birth date of 2000 or later looks like a ticket's date: only a whole ticket number is spared.
  for (std::string_view q : {"13977778888", "3977778888", "1397777", "139-7777-8888", "11010519800101123", "８８８８１２３",
                             "200501011234", "20261129"}) {
    EXPECT_TRUE(SearchesForPersonalNumber(q)) << q;
  }
  for (std::string_view q : {"202611290000014", "电梯", "123456", "12345 热线", "A7县", "4200001234202611281234",
                             "2026-12-01", "2026 1 9"}) {
    EXPECT_FALSE(SearchesForPersonalNumber(q)) << q;
  }
  EXPECT_EQ(MaskDigits("13977778888"), "*******8888");
  EXPECT_EQ(MaskDigits("电话１３９７７７７８８８８"), "电话*******８８８８");
  EXPECT_TRUE(IsMainlandPhone("13800138000"));
  EXPECT_TRUE(IsMainlandPhone("073184567890"));
  EXPECT_TRUE(IsMainlandPhone("01012345678"));
  for (std::string_view bad : {"000000000000", "01234567890", "23800138000", "12345678901", "1380013800", "138001380001"}) {
    EXPECT_FALSE(IsMainlandPhone(bad)) << bad;
  }
}
}  // namespace hotline
