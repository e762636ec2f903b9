#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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
  // Owner-only from the first byte (not chmod after the write, when others could have read it).
  const int fd = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot create " + key_path + ": " + std::strerror(errno));
  const std::string line = key + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  if (::fsync(fd) != 0 || ::close(fd) != 0 || !written) return Internal("cannot write " + key_path);
  return key;
}

std::string NormalisePhone(const std::string& phone) {
  std::string digits;
  bool plus = false;
  for (char c : phone) {
    if (c >= '0' && c <= '9') digits += c;
    else if (c == '+' && digits.empty()) plus = true;
  }
  // The international form, +CC… or 00CC… (dialled from China): China's own is the national
  // number; another country's keeps its +CC, so +1 415 555 0100 is never the mainland
  // mobile 14155550100.
  bool international = plus;
  if (!plus && digits.rfind("00", 0) == 0) {
    international = true;
    digits = digits.substr(2);
  }
  if (international) {
    if (digits.rfind("86", 0) == 0) {
      // A mainland landline drops its trunk 0 in the international form (+86 571 8888 1234):
      // given back, it is the number as dialled at home (0571…) and one caller with it.
      std::string national = digits.substr(2);
      // An area code and a local number are 9 to 11 digits (10 is Beijing's code); a mobile
      // is 11 from 13…, a service number (12345, 10086, 400…, 800…) is dialled as it is.
      const bool mobile = national.size() == 11 && national[0] == '1' && national[1] >= '3';
      const bool landline = national.size() >= 9 && national.size() <= 11 && national[0] != '0' && !mobile &&
                            national.rfind("400", 0) != 0 && national.rfind("800", 0) != 0;
      return landline ? "0" + national : national;
    }
    return digits.empty() ? "" : "+" + digits;
  }
  if (digits.size() == 13 && digits.rfind("86", 0) == 0) digits = digits.substr(2);
  return digits;
}

}  // namespace hotline
