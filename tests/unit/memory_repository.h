// A Repository held in memory, so the split writer and image layout code can be tested
// without touching the disk. It implements the same contract as the real backends.
#pragma once

#include "core/error.h"
#include "storage/repository.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <set>

namespace kura::test {

class MemoryRepository : public Repository {
public:
    std::map<std::string, std::string> files;
    std::set<std::string> dirs{""};

    std::string describe() const override { return "memory:"; }
    bool exists(const std::string& p) const override { return files.count(p) || dirs.count(p); }
    bool is_directory(const std::string& p) const override { return dirs.count(p) > 0; }
    std::vector<std::string> list(const std::string& dir) const override {
        std::vector<std::string> out;
        std::string prefix = dir.empty() ? "" : dir + "/";
        for (const auto& [path, data] : files)
            if (path.rfind(prefix, 0) == 0 && path.find('/', prefix.size()) == std::string::npos)
                out.push_back(path.substr(prefix.size()));
        // Subdirectories too, as a real directory listing has them.
        for (const auto& d : dirs)
            if (d.size() > prefix.size() && d.rfind(prefix, 0) == 0 && d.find('/', prefix.size()) == std::string::npos)
                out.push_back(d.substr(prefix.size()));
        std::sort(out.begin(), out.end());
        return out;
    }
    std::uint64_t file_size(const std::string& p) const override { return files.at(p).size(); }
    EntryInfo entry_info(const std::string& p) const override {
        if (auto it = files.find(p); it != files.end()) return {FileKind::regular, it->second.size()};
        return {dirs.count(p) ? FileKind::directory : FileKind::missing, 0};
    }
    std::uint64_t free_bytes() const override { return 1ull << 40; }
    void make_directory(const std::string& p) override {
        if (exists(p)) throw AlreadyExists(p + " exists");
        dirs.insert(p);
    }
    std::unique_ptr<WritableFile> create_file(const std::string& p) override {
        if (exists(p)) throw AlreadyExists(p + " exists");
        files[p];
        return std::make_unique<Sink>(files[p]);
    }
    std::unique_ptr<WritableFile> reopen_file(const std::string& p, std::uint64_t keep_bytes) override {
        auto it = files.find(p);
        if (it == files.end()) throw Error(ExitCode::image_not_found, p);
        if (it->second.size() < keep_bytes) throw Error(ExitCode::image_corrupt, p + " is too short");
        it->second.resize(keep_bytes);
        return std::make_unique<Sink>(it->second);
    }
    std::unique_ptr<ByteSource> open_file(const std::string& p) const override {
        auto it = files.find(p);
        if (it == files.end()) throw Error(ExitCode::image_not_found, p);
        return std::make_unique<Source>(it->second);
    }
    void rename(const std::string& from, const std::string& to) override {
        if (exists(to)) throw Error(ExitCode::io_error, to + " exists");
        if (dirs.count(from)) {
            // A directory moves with everything in it.
            std::map<std::string, std::string> moved;
            for (auto it = files.begin(); it != files.end();) {
                if (it->first.rfind(from + "/", 0) == 0) {
                    moved[to + it->first.substr(from.size())] = std::move(it->second);
                    it = files.erase(it);
                } else {
                    ++it;
                }
            }
            files.merge(moved);
            dirs.erase(from);
            dirs.insert(to);
            return;
        }
        files[to] = files[from];
        files.erase(from);
    }
    void remove_tree(const std::string& p) override {
        for (auto it = files.begin(); it != files.end();)
            it = it->first == p || it->first.rfind(p + "/", 0) == 0 ? files.erase(it) : std::next(it);
        dirs.erase(p);
    }
    void sync_directory(const std::string&) override {}

private:
    struct Sink : WritableFile {
        explicit Sink(std::string& s) : data(s) {}
        void write(const void* p, std::size_t n) override { data.append(static_cast<const char*>(p), n); }
        void sync() override {}
        void close() override {}
        std::string& data;
    };
    struct Source : ByteSource {
        explicit Source(const std::string& s) : data(s) {}
        std::size_t read(void* buffer, std::size_t n) override {
            n = std::min(n, data.size() - pos);
            std::memcpy(buffer, data.data() + pos, n);
            pos += n;
            return n;
        }
        const std::string& data;
        std::size_t pos = 0;
    };
};

// A ByteSink that keeps everything written to it.
struct StringSink : ByteSink {
    std::string data;
    bool closed = false;
    void write(const void* p, std::size_t n) override { data.append(static_cast<const char*>(p), n); }
    void close() override { closed = true; }
};

}  // namespace kura::test
