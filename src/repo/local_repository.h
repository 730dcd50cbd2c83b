// A repository in a local directory: /home/partimag by default, or wherever a disk, a USB
// stick or a kernel-mounted share is mounted.
#pragma once

#include "storage/repository.h"

#include <sys/types.h>

namespace kura {

class LocalRepository : public Repository {
public:
    explicit LocalRepository(std::string root);

    std::string describe() const override { return root_; }
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
    std::string full(const std::string& path) const;
    void restrict_to_owner(int fd, mode_t mode, const std::string& what);
    std::string root_;
    bool warned_about_permissions_ = false;
};

}  // namespace kura
