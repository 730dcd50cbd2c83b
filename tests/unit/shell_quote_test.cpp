// The quoting of commands a person runs again (Info-saved-by-cmd.txt, kura-menu's
// equivalent command): what a POSIX shell splits back into the same words.
#include "core/shell_quote.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

TEST(ShellQuote, PlainWordsStayAsTheyAre) {
    EXPECT_EQ(shell_quote("/dev/sda1"), "/dev/sda1");
    EXPECT_EQ(shell_quote("wwid:naa.5000c500a1b2c3d4"), "wwid:naa.5000c500a1b2c3d4");
    EXPECT_EQ(shell_quote("nfs://10.0.0.5/export"), "nfs://10.0.0.5/export");
    EXPECT_EQ(shell_quote("smb://OFFICE;backup@nas/images"), "'smb://OFFICE;backup@nas/images'");
    EXPECT_EQ(shell_quote("--level=3"), "--level=3");
}

TEST(ShellQuote, AnythingElseIsSingleQuoted) {
    EXPECT_EQ(shell_quote(""), "''");
    EXPECT_EQ(shell_quote("two words"), "'two words'");
    EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
    EXPECT_EQ(shell_quote("'"), "''\\'''");
    EXPECT_EQ(shell_quote("~root"), "'~root'");
    EXPECT_EQ(shell_quote("#x"), "'#x'");
    EXPECT_EQ(shell_quote("a!b"), "'a!b'");
    EXPECT_EQ(shell_quote("smb://u@nas/s?protocol=SMB3"), "'smb://u@nas/s?protocol=SMB3'");
    EXPECT_EQ(shell_quote("serial:ABC 123$x"), "'serial:ABC 123$x'");
}

TEST(ShellQuote, CommandLineJoinsQuotedWords) {
    EXPECT_EQ(shell_command_line({"kura", "saveparts", "my image", "/dev/sda1"}), "kura saveparts 'my image' /dev/sda1");
    EXPECT_EQ(shell_command_line({}), "");
}

}  // namespace
}  // namespace kura
