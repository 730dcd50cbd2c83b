#include "core/sha256.h"

#include "core/error.h"

#include <openssl/evp.h>

namespace kura {

struct Sha256::State {
    EVP_MD_CTX* ctx = nullptr;
    ~State() { EVP_MD_CTX_free(ctx); }
};

namespace {

void start(EVP_MD_CTX* ctx) {
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1)
        throw Error(ExitCode::internal, "OpenSSL could not start a SHA-256 digest");
}

std::string finish_hex(EVP_MD_CTX* ctx) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx, digest, &length) != 1)
        throw Error(ExitCode::internal, "OpenSSL failed to finish a digest");
    static const char hex[] = "0123456789abcdef";
    std::string text;
    for (unsigned int i = 0; i < length; ++i) {
        text += hex[digest[i] >> 4];
        text += hex[digest[i] & 15];
    }
    return text;
}

}  // namespace

Sha256::Sha256() : state_(std::make_unique<State>()) {
    state_->ctx = EVP_MD_CTX_new();
    if (!state_->ctx) throw Error(ExitCode::internal, "OpenSSL could not allocate a digest context");
    start(state_->ctx);
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, std::size_t length) {
    if (length > 0 && EVP_DigestUpdate(state_->ctx, data, length) != 1)
        throw Error(ExitCode::internal, "OpenSSL failed to hash data");
}

std::string Sha256::hex_digest() {
    std::string text = finish_hex(state_->ctx);
    start(state_->ctx);
    return text;
}

std::string Sha256::peek_hex_digest() const {
    // EVP contexts cannot be serialised, but they can be copied: the copy is finished.
    State copy;
    copy.ctx = EVP_MD_CTX_new();
    if (!copy.ctx || EVP_MD_CTX_copy_ex(copy.ctx, state_->ctx) != 1)
        throw Error(ExitCode::internal, "OpenSSL could not copy a digest context");
    return finish_hex(copy.ctx);
}

}  // namespace kura
