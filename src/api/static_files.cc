#include "api/static_files.h"

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace hotline {

namespace {

// Types carry a charset or a parameter on purpose: cpp-httplib compresses only responses
// whose type it recognises exactly, and these are compressed already.
std::string MimeOf(const std::filesystem::path& p) {
  const std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "application/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml; charset=utf-8";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

bool Compressible(const std::string& mime) {
  return mime.rfind("text/", 0) == 0 || mime.rfind("application/javascript", 0) == 0 ||
         mime.rfind("application/json", 0) == 0 || mime.rfind("image/svg", 0) == 0;
}

std::string Gzip(const std::string& in) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return "";
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : "";
}

}  // namespace

Status StaticFiles::Load(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return InvalidArgument("web-root", "is not a directory: " + dir);
  std::map<std::string, File> files;
  size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const fs::path rel = fs::relative(it->path(), dir, ec);
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    File f{buf.str(), "", MimeOf(it->path())};
    total += f.body.size();
    if (files.size() >= 2000 || total > (64u << 20)) {
      return InvalidArgument("web-root", "holds more than 2,000 files or 64 MiB: " + dir);
    }
    if (Compressible(f.mime) && f.body.size() > 1024) {
      f.gzip = Gzip(f.body);
      if (f.gzip.size() >= f.body.size()) f.gzip.clear();
    }
    files["/" + rel.generic_string()] = std::move(f);
  }
  if (ec) return InvalidArgument("web-root", "cannot read " + dir + ": " + ec.message());
  if (!files.count("/index.html")) return InvalidArgument("web-root", "has no index.html: " + dir);
  files_ = std::move(files);
  return Status::Ok();
}

const StaticFiles::File* StaticFiles::Find(const std::string& path) const {
  auto it = files_.find(path == "/" ? "/index.html" : path);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace hotline
