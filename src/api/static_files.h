// The built web UI, served from memory: every file of the directory is read once at start
// and compressed once (gzip, level 9), so a browser gets hashed assets compressed without
// the server compressing them again on each request.
#pragma once

#include <map>
#include <string>

#include "core/status.h"

namespace hotline {

class StaticFiles {
 public:
  struct File {
    std::string body, gzip, mime;
  };
  // Reads `dir` recursively (at most 2,000 files and 64 MiB in all).
  Status Load(const std::string& dir);
  // The file at a URL path ("/" is index.html), or nullptr.
  const File* Find(const std::string& path) const;
  bool empty() const { return files_.empty(); }

 private:
  std::map<std::string, File> files_;  // "/assets/x.js" -> file
};

}  // namespace hotline
