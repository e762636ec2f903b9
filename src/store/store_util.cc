#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "core/crypto.h"
#include "core/text.h"
#include "store/store.h"

namespace hotline {

Result<std::string> ResolveDataKey(const std::string& db_path, bool create) {
  if (const char* env = std::getenv("HOTLINE_DATA_KEY"); env && *env) return Trim(env);
  const std::string key_path = db_path + ".key";
  auto existing = ReadFile(key_path, 1024);
  if (existing.ok()) return Trim(*existing);
  if (!create) {
    return Status(Code::kFailedPrecondition,
                  "no data key: set HOTLINE_DATA_KEY or keep " + key_path + " beside the database");
  }
  RETURN_IF_ERROR(CryptoInit());
  const std::string key = Vault::NewMasterKeyHex();
  {
    std::ofstream out(key_path, std::ios::trunc);
    if (!out) return Internal("cannot write " + key_path);
    out << key << "\n";
  }
  ::chmod(key_path.c_str(), 0600);
  return key;
}

std::string NormalisePhone(const std::string& phone) {
  std::string digits;
  for (char c : phone) {
    if (c >= '0' && c <= '9') digits += c;
    else if (c == '+' && digits.empty()) continue;
  }
  if (digits.rfind("0086", 0) == 0) digits = digits.substr(4);
  else if (digits.size() == 13 && digits.rfind("86", 0) == 0) digits = digits.substr(2);
  return digits;
}

}  // namespace hotline
