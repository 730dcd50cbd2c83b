// A repository on an NFSv3 server, spoken to directly through libnfs (no kernel mount):
// nfs://server[:port]/export[/subdir][?uid=N&gid=N&mountport=N]. Transfers survive the
// server going away: see repo/remote_file.h.
#pragma once

#include "repo/remote_file.h"
#include "storage/repository.h"

#include <functional>
#include <memory>
#include <mutex>

namespace kura {

class NfsConnection;

class NfsRepository : public Repository {
public:
    // Mounts at once, so a wrong server or export is reported before any work starts.
    explicit NfsRepository(const std::string& url);
    ~NfsRepository() override;

    std::string describe() const override { return display_; }
    bool exists(const std::string& path) const override;
    bool is_directory(const std::string& path) const override;
    std::vector<std::string> list(const std::string& dir) const override;
    std::uint64_t file_size(const std::string& path) const override;
    EntryInfo entry_info(const std::string& path) const override;
    std::uint64_t free_bytes() const override;
    void make_directory(const std::string& path) override;
    std::unique_ptr<WritableFile> create_file(const std::string& path) override;
    std::unique_ptr<WritableFile> reopen_file(const std::string& path, std::uint64_t keep_bytes) override;
    std::unique_ptr<ByteSource> open_file(const std::string& path) const override;
    void rename(const std::string& from, const std::string& to) override;
    void remove_tree(const std::string& path) override;
    void sync_directory(const std::string& path) override;

private:
    // Runs a metadata operation on the shared connection, reconnecting if it dropped.
    void on_connection(const std::string& what, const std::function<void(NfsConnection&)>& op) const;
    RemoteFileOpener opener(const std::string& path) const;
    std::string remote_path(const std::string& path) const;

    std::string display_;     // the URL as given, for messages
    std::string libnfs_url_;  // the URL in libnfs 4.0's syntax (port as ?nfsport=)
    std::string export_;      // what is mounted
    std::string subdir_;      // below the export, "" or "/a/b"
    ReconnectPolicy policy_;
    mutable std::mutex mutex_;
    mutable std::unique_ptr<NfsConnection> connection_;
};

}  // namespace kura
