# SPDX-License-Identifier: GPL-3.0-or-later
"""The real kura-menu in a real terminal: tmux runs it at 80x25 on a private tmux server,
the test types keys (send-keys) and reads the screen (capture-pane), as an operator on a
remote console would. The tmux server is stopped by its PID when the test ends.

With KURA_SCREENS_DIR set, snap() also writes each screen to <dir>/<prefix>/<name>.txt; the
user guides' screen captures (docs/user-guide*.md) are pasted from these files by
tests/integration/guide_screens.py.
"""

import os
import re
import shlex
import signal
import subprocess
import time

KURA_MENU_BIN = os.environ.get("KURA_MENU_BIN",
                               os.path.join(os.path.dirname(os.environ.get("KURA_BIN", "")), "kura-menu"))


class MenuTerminal:
    def __init__(self, argv, env=None, columns=80, lines=25, term="xterm", screens_prefix=None):
        self.socket = "kura-menu-test-%d-%d" % (os.getpid(), time.monotonic_ns() % 1000000)
        self.screens_prefix = screens_prefix
        # Box lines as UTF-8 characters rather than the terminal's alternate character set,
        # so that capture-pane (and the user guide's captures) show them as lines.
        environment = {"LANG": "C.UTF-8", "TERM": term, "NCURSES_NO_UTF8_ACS": "1"}
        environment.update(env or {})
        command = "env " + " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in environment.items())
        # The menu's exit status is kept on screen (remain-on-exit) so a test can read it.
        command += " " + " ".join(shlex.quote(a) for a in [KURA_MENU_BIN] + list(argv))
        self._tmux("-f", "/dev/null", "new-session", "-d", "-s", "menu", "-x", str(columns), "-y", str(lines),
                   command)
        self._tmux("set-option", "-t", "menu", "remain-on-exit", "on")
        self.server_pid = int(self._tmux("display-message", "-p", "-t", "menu", "#{pid}").strip())
        self.menu_pid = int(self._tmux("display-message", "-p", "-t", "menu", "#{pane_pid}").strip())

    def _tmux(self, *args):
        return subprocess.run(["tmux", "-u", "-L", self.socket] + list(args), check=True, capture_output=True,
                              text=True).stdout

    def screen(self):
        return self._tmux("capture-pane", "-p", "-t", "menu")

    def wait_for(self, *texts, timeout=30.0, absent=()):
        """Waits until every one of `texts` is on the screen (and none of `absent`)."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if all(t in shown for t in texts) and not any(a in shown for a in absent):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError("waited %.0f s for %r; the screen shows:\n%s" % (timeout, texts, shown))
            time.sleep(0.1)

    def keys(self, *names):
        """Named keys: Enter, Escape, Up, Down, Space, End, BSpace, C-u, y, n ..."""
        for name in names:
            self._tmux("send-keys", "-t", "menu", name)
            time.sleep(0.05)

    def type(self, text):
        self._tmux("send-keys", "-t", "menu", "-l", "--", text)
        time.sleep(0.05)

    def select(self, text):
        """Moves the highlight onto the item whose line holds `text`, with Up and Down only
        (vt100 has no Home key), and returns. The highlight is the line in reverse video."""
        # An item's line starts with its label (after the box and a checklist's tick box);
        # "loop3" must not match "loop30": the text ends where a name could not go on.
        pattern = re.compile(r"\u2502 (?:\[[ x]\] )?" + re.escape(text) + r"(?![0-9A-Za-z])")
        for _ in range(80):
            lines, cursor = self.lines_and_cursor()
            if cursor is not None and pattern.search(lines[cursor]):
                return
            targets = [i for i, line in enumerate(lines) if pattern.search(line)]
            if not targets or cursor is None:
                break
            self.keys("Up" if targets[0] < cursor else "Down")
        raise AssertionError("no item %r to highlight; the screen shows:\n%s" % (text, self.screen()))

    def lines_and_cursor(self):
        """The screen's lines and the index of the one drawn in reverse video (None if none)."""
        raw = self._tmux("capture-pane", "-p", "-e", "-t", "menu").splitlines()
        lines = [_strip_escapes(l) for l in raw]
        for i, line in enumerate(raw):
            if re.search(r"\x1b\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m", line):
                return lines, i
        return lines, None

    def snap(self, name):
        shown = self.screen()
        if self.screens_prefix and os.environ.get("KURA_SCREENS_DIR"):
            directory = os.path.join(os.environ["KURA_SCREENS_DIR"], self.screens_prefix)
            os.makedirs(directory, exist_ok=True)
            # The 25 rows without the empty ones around the box: one blank line between the
            # box and the key help is enough on paper.
            lines = []
            for line in (l.rstrip() for l in shown.splitlines()):
                if line or (lines and lines[-1]):
                    lines.append(line)
            while lines and not lines[-1]:
                lines.pop()
            with open(os.path.join(directory, name + ".txt"), "w") as f:
                f.write("\n".join(lines) + "\n")
        return shown

    def running(self):
        return self._tmux("display-message", "-p", "-t", "menu", "#{pane_dead}").strip() == "0"

    def close(self):
        for pid in (self.menu_pid, self.server_pid):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(self.server_pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        try:
            os.kill(self.server_pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _strip_escapes(line):
    out, i = [], 0
    while i < len(line):
        if line[i] == "\x1b":
            j = i + 1
            if j < len(line) and line[j] == "[":
                j += 1
                while j < len(line) and not ("@" <= line[j] <= "~"):
                    j += 1
            i = j + 1
            continue
        out.append(line[i])
        i += 1
    return "".join(out)
