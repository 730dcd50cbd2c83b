// A repository on an SMB2/3 share, spoken to through libsmbclient (no kernel mount):
// smb://[domain;]user@server[:port]/share[/path][?protocol=SMB2|SMB3]. The password comes
// from the front (repo/smb_credentials.h) and never appears in describe() or any message; nor does
// the ?query. Transfers survive
// the server going away: see repo/remote_file.h.
#pragma once

#include "repo/remote_file.h"
#include "repo/smb_credentials.h"
#include "storage/repository.h"

#include <functional>
#include <memory>

namespace kura {

class SmbConnection;
class SmbConnectionPool;

class SmbRepository : public Repository {
public:
    // Connects at once, so a wrong password, share or server is reported before any work.
    // `options` give the credentials (repo/smb_credentials.h).
    SmbRepository(const std::string& url, const RepositoryOptions& options);
    ~SmbRepository() override;

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
    void on_connection(const std::function<void(SmbConnection&)>& op) const;
    RemoteFileOpener opener(const std::string& path, bool for_write) const;
    std::string url_of(const std::string& path) const;

    std::string display_;   // smb://user@server:port/share/path, no password
    std::string base_url_;  // smb://server:port/share/path, what libsmbclient gets
    std::shared_ptr<const SmbCredentials> credentials_;
    ReconnectPolicy policy_;
    // Connections are reused: by directory operations, and by one open file at a time each.
    std::shared_ptr<SmbConnectionPool> pool_;
};

}  // namespace kura
