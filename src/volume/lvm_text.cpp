// The tokenizer and tree builder for lvm2's config syntax (lib/config/config.c is the
// reference for what lvm2 writes). Everything is bounded: the text's size by the caller,
// and here the nesting, the number of nodes, each string and each list, so that hostile
// text costs at most a few times its own size in memory and linear time.
#include "volume/lvm_text.h"

#include <limits>
#include <set>
#include <stdexcept>

namespace kura {
namespace {

constexpr int max_depth = 16;            // lvm2 writes 4: VG { logical_volumes { lv { segment {
constexpr std::size_t max_nodes = 1u << 20;
constexpr std::size_t max_string = 64u << 10;  // descriptions hold a command line
constexpr std::size_t max_list = 1u << 18;

bool is_word_char(char c) {
    // The characters of VG, LV and key names (lvm2 allows a-z A-Z 0-9 + _ . -) and of numbers.
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '+' || c == '-';
}

class Reader {
public:
    explicit Reader(const std::string& text) : text_(text) {}

    LvmTextNode top() {
        LvmTextNode root;
        root.is_section = true;
        items(root, 0);
        skip_blank();
        if (at_ < text_.size()) fail("'}' without a section to close");
        return root;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::invalid_argument("line " + std::to_string(line_) + ": " + what);
    }

    void skip_blank() {
        while (at_ < text_.size()) {
            const char c = text_[at_];
            if (c == '\n') {
                ++line_;
                ++at_;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                ++at_;
            } else if (c == '#') {
                while (at_ < text_.size() && text_[at_] != '\n') ++at_;
            } else {
                return;
            }
        }
    }

    bool peek(char c) {
        skip_blank();
        return at_ < text_.size() && text_[at_] == c;
    }

    void expect(char c) {
        if (!peek(c)) fail(std::string("expected '") + c + "'");
        ++at_;
    }

    std::string word() {
        skip_blank();
        const std::size_t start = at_;
        while (at_ < text_.size() && is_word_char(text_[at_])) ++at_;
        if (at_ == start) {
            if (at_ >= text_.size()) fail("the text ends where a name or value was expected");
            fail(std::string("unexpected character '") + text_[at_] + "'");
        }
        if (at_ - start > 256) fail("a name or number longer than 256 characters");
        return text_.substr(start, at_ - start);
    }

    void count_node() {
        if (++nodes_ > max_nodes) fail("more than " + std::to_string(max_nodes) + " entries");
    }

    void items(LvmTextNode& section, int depth) {
        std::set<std::string> seen;
        for (;;) {
            skip_blank();
            if (at_ >= text_.size() || text_[at_] == '}') return;
            LvmTextNode node;
            node.line = line_;
            node.key = word();
            if (!seen.insert(node.key).second) fail("'" + node.key + "' appears twice in one section");
            count_node();
            if (peek('{')) {
                ++at_;
                if (depth + 1 > max_depth) fail("sections nested deeper than " + std::to_string(max_depth));
                node.is_section = true;
                items(node, depth + 1);
                expect('}');
            } else {
                expect('=');
                if (peek('[')) {
                    ++at_;
                    node.is_list = true;
                    if (!peek(']')) {
                        for (;;) {
                            if (node.values.size() >= max_list) fail("a list longer than " + std::to_string(max_list));
                            node.values.push_back(scalar());
                            count_node();
                            if (!peek(',')) break;
                            ++at_;
                        }
                    }
                    expect(']');
                } else {
                    node.values.push_back(scalar());
                }
            }
            section.children.push_back(std::move(node));
        }
    }

    LvmTextScalar scalar() {
        skip_blank();
        if (at_ < text_.size() && text_[at_] == '"') return quoted();
        const std::string w = word();
        return integer(w);
    }

    std::string quoted() {
        ++at_;  // the opening quote
        std::string s;
        for (;;) {
            if (at_ >= text_.size()) fail("a string is not closed");
            char c = text_[at_++];
            if (c == '"') return s;
            if (c == '\n') ++line_;
            if (c == '\\') {
                if (at_ >= text_.size()) fail("a string is not closed");
                c = text_[at_++];
            }
            if (s.size() >= max_string) fail("a string longer than " + std::to_string(max_string) + " bytes");
            s += c;
        }
    }

    std::int64_t integer(const std::string& w) {
        std::size_t i = 0;
        bool negative = false;
        if (w[0] == '-' || w[0] == '+') {
            negative = w[0] == '-';
            i = 1;
        }
        if (i == w.size()) fail("'" + w + "' is not a number");
        std::uint64_t v = 0;
        for (; i < w.size(); ++i) {
            if (w[i] < '0' || w[i] > '9') fail("'" + w + "' is not an integer");
            const unsigned d = unsigned(w[i] - '0');
            if (v > (std::uint64_t(std::numeric_limits<std::int64_t>::max()) - d) / 10)
                fail("'" + w + "' is out of range");
            v = v * 10 + d;
        }
        return negative ? -std::int64_t(v) : std::int64_t(v);
    }

    const std::string& text_;
    std::size_t at_ = 0;
    int line_ = 1;
    std::size_t nodes_ = 0;
};

}  // namespace

const LvmTextNode* LvmTextNode::find(const std::string& name) const {
    for (const auto& c : children)
        if (c.key == name) return &c;
    return nullptr;
}

LvmTextNode parse_lvm_text(const std::string& text) { return Reader(text).top(); }

}  // namespace kura
