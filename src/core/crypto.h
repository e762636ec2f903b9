// Secrets at rest, on libsodium: password hashing (argon2id), random tokens, and the
// personal-data vault (XChaCha20-Poly1305 encryption and a keyed BLAKE2b hash of the phone
// for caller-history look-ups). Call CryptoInit() once before anything else here.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/status.h"

namespace hotline {

Status CryptoInit();

// argon2id in libsodium's self-describing string format.
Result<std::string> HashPassword(const std::string& password);
// Whether `password` matches `hash`, by an argon2id check (a malformed hash: false at once).
bool VerifyPassword(const std::string& hash, const std::string& password);
// How many argon2id checks VerifyPassword has run in this process: lets a test see that a
// login for an unknown account costs the same check as one for a known account.
uint64_t PasswordVerifications();

// n random bytes, hex-encoded.
std::string RandomHex(size_t n_bytes);
// A random code of `len` characters from an alphabet without look-alikes (no 0/O, 1/I/L).
std::string RandomCode(size_t len);
// Hex SHA-256-class digest (BLAKE2b-256) of a string, unkeyed: for token look-up.
std::string DigestHex(const std::string& data);

// The vault holds the master key of one installation. Encrypt/Decrypt are thread-safe.
class Vault {
 public:
  static constexpr size_t kKeyBytes = 32;
  // `master_key_hex` is 64 hex characters.
  static Result<Vault> FromHex(const std::string& master_key_hex);
  static std::string NewMasterKeyHex();

  // Returns base64 of nonce || ciphertext. Empty plaintext encrypts to an empty string.
  std::string Encrypt(const std::string& plaintext) const;
  Result<std::string> Decrypt(const std::string& sealed) const;
  // Keyed hash for look-ups by equality (e.g. the normalised phone), hex.
  std::string KeyedHash(const std::string& value) const;

 private:
  std::array<unsigned char, 32> enc_key_{};
  std::array<unsigned char, 32> hash_key_{};
};

}  // namespace hotline
