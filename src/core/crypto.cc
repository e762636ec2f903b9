#include "core/crypto.h"

#include <sodium.h>

#include <atomic>
#include <vector>

namespace hotline {

Status CryptoInit() {
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  return Status::Ok();
}

Result<std::string> HashPassword(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  // Interactive limits: ~64 MiB and a few tenths of a second; sessions avoid re-hashing.
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Internal("password hashing ran out of memory");
  }
  return std::string(out);
}

namespace {
std::atomic<uint64_t> password_verifications{0};
}  // namespace

bool VerifyPassword(const std::string& hash, const std::string& password) {
  if (hash.size() >= crypto_pwhash_STRBYTES) return false;
  password_verifications.fetch_add(1, std::memory_order_relaxed);
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

uint64_t PasswordVerifications() { return password_verifications.load(std::memory_order_relaxed); }

namespace {
std::string ToHex(const unsigned char* p, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}
}  // namespace

std::string RandomHex(size_t n_bytes) {
  std::vector<unsigned char> buf(n_bytes);
  randombytes_buf(buf.data(), buf.size());
  return ToHex(buf.data(), buf.size());
}

std::string RandomCode(size_t len) {
  static constexpr char kAlphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
  std::string out;
  for (size_t i = 0; i < len; ++i) out += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  return out;
}

std::string DigestHex(const std::string& data) {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size(), nullptr, 0);
  return ToHex(out, sizeof out);
}

Result<Vault> Vault::FromHex(const std::string& master_key_hex) {
  unsigned char master[kKeyBytes];
  size_t len = 0;
  if (master_key_hex.size() != kKeyBytes * 2 ||
      sodium_hex2bin(master, sizeof master, master_key_hex.data(), master_key_hex.size(), nullptr,
                     &len, nullptr) != 0 ||
      len != kKeyBytes) {
    return InvalidArgument("data_key", "must be 64 hexadecimal characters");
  }
  Vault v;
  crypto_kdf_derive_from_key(v.enc_key_.data(), v.enc_key_.size(), 1, "hotl_enc", master);
  crypto_kdf_derive_from_key(v.hash_key_.data(), v.hash_key_.size(), 2, "hotl_idx", master);
  sodium_memzero(master, sizeof master);
  return v;
}

std::string Vault::NewMasterKeyHex() { return RandomHex(kKeyBytes); }

std::string Vault::Encrypt(const std::string& plaintext) const {
  if (plaintext.empty()) return {};
  std::vector<unsigned char> buf(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plaintext.size() +
                                 crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned char* nonce = buf.data();
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      buf.data() + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), nullptr, 0,
      nullptr, nonce, enc_key_.data());
  const size_t total = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + clen;
  std::string out(sodium_base64_encoded_len(total, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), buf.data(), total, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

Result<std::string> Vault::Decrypt(const std::string& sealed) const {
  if (sealed.empty()) return std::string();
  std::vector<unsigned char> buf(sealed.size());
  size_t len = 0;
  if (sodium_base642bin(buf.data(), buf.size(), sealed.data(), sealed.size(), nullptr, &len,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len < crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return Internal("personal data is not in the sealed format");
  }
  std::string out(len, '\0');
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &mlen, nullptr,
          buf.data() + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
          len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, nullptr, 0, buf.data(),
          enc_key_.data()) != 0) {
    return Internal("personal data failed authentication: wrong data key?");
  }
  out.resize(mlen);
  return out;
}

std::string Vault::KeyedHash(const std::string& value) const {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(value.data()),
                     value.size(), hash_key_.data(), hash_key_.size());
  return ToHex(out, sizeof out);
}

}  // namespace hotline
