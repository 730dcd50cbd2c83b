"""The kura live ISO booted in QEMU and driven through its serial console, for the e2e tests.

QEMU runs with TCG (this machine's /dev/kvm is a nested kind that cannot run firmware),
-nographic so that the first serial port is this process's pexpect pipe, user networking
with restrict=on (the guest reaches nothing but explicit forwards to 127.0.0.1). Everything
the guest prints is fed into a pyte terminal of 80x24, so a test reads the screen the way
an operator at iLO's virtual serial port would, and types vt100 keys.
"""
import os
import re
import shutil
import socket
import time

import pexpect
import pyte

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"


def boot_entries():
    """The boot menu's entries in order, as (id, label): live-iso/boot-entries, the table
    both loaders' menus are written from."""
    entries = []
    with open(os.path.join(TOP, "live-iso", "boot-entries"), encoding="utf-8") as table:
        for line in table:
            if line.strip() and not line.startswith("#"):
                fields = [f.strip() for f in line.split("|")]
                entries.append((fields[0], fields[1]))
    return entries


KEYS = {"Up": "\x1bOA", "Down": "\x1bOB", "Enter": "\r", "Space": " ", "C-u": "\x15", "Esc": "\x1b",
        "Tab": "\t", "BTab": "\x1b[Z"}


def iso_path():
    path = os.environ.get("KURA_ISO", os.path.join(TOP, "build", "kura-live.iso"))
    if not os.path.exists(path):
        raise AssertionError("the live ISO %s is missing: run live-iso/build-iso (ctest's e2e.build_iso does)" % path)
    return path


class LiveGuest:
    def __init__(self, workdir, firmware="bios", entry="serial0", params="", drives=(), devices=(),
                 guest_forwards=(), memory_mib=1536, log_name="serial.log", qemu_args=(), medium="cd"):
        self.workdir = workdir
        self.firmware = firmware
        self.entry = entry
        self.params = params
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self.log_path = os.path.join(workdir, log_name)
        self.monitor = os.path.join(workdir, "qemu-monitor.sock")
        netdev = "user,id=n0,restrict=on"
        relay = os.path.join(HERE, "tcp_relay.py")
        for guest_address, guest_port, host_port in guest_forwards:
            # One relay process per connection (tcp_relay.py says why not a tcp: chardev).
            netdev += ",guestfwd=tcp:%s:%d-cmd:/usr/bin/python3 %s 127.0.0.1 %d" % (
                guest_address, guest_port, relay, host_port)
        argv = ["qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-m", str(memory_mib), "-smp", "2",
                "-nographic", "-monitor", "unix:%s,server,nowait" % self.monitor,
                "-netdev", netdev, "-device", "virtio-net-pci,netdev=n0"]
        if medium == "cd":
            argv += ["-cdrom", iso_path(), "-boot", "d"]
        elif medium == "usb":
            # The same ISO written to a USB stick (it is a hybrid image), first to boot.
            # The stick is a snapshot: the guest may write, the built ISO stays as it is.
            argv += ["-device", "qemu-xhci,id=xhci",
                     "-drive", "if=none,id=stick,format=raw,snapshot=on,file=" + iso_path(),
                     "-device", "usb-storage,bus=xhci.0,drive=stick,bootindex=0"]
        else:
            raise ValueError("medium is cd or usb, not %r" % medium)
        if firmware == "uefi":
            vars_copy = os.path.join(workdir, "OVMF_VARS.fd")
            shutil.copy(OVMF_VARS, vars_copy)
            argv += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_CODE,
                     "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy]
        for d in drives:
            argv += ["-drive", d]
        for d in devices:
            argv += ["-device", d]
        argv += list(qemu_args)
        self.argv = argv
        self.process = None
        self.started = None
        self.menu_seconds = None

    # ---- the QEMU process

    def start(self):
        self.started = time.monotonic()
        self.logfile = open(self.log_path, "wb")
        self.process = pexpect.spawn(self.argv[0], self.argv[1:], timeout=600, echo=False)
        self.process.logfile_read = self.logfile
        if self.entry is not None:
            self._choose_boot_entry()
        return self

    def close(self):
        if self.process is not None and self.process.isalive():
            self.process.terminate(force=True)
        if self.process is not None:
            self.logfile.close()
        self.process = None

    def wait_exit(self, timeout):
        """The guest powering itself off ends QEMU."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._pump(1.0)
            if not self.process.isalive():
                return True
        return False

    # ---- reading the screen

    def _pump(self, seconds):
        """Reads what the guest printed during `seconds` into the terminal."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                data = self.process.read_nonblocking(65536, timeout=min(left, 0.2))
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                return
            self.raw += data
            self.stream.feed(data)

    def text(self):
        return "\n".join(line.rstrip() for line in self.screen.display)

    def serial_text(self):
        """Everything printed so far, escape sequences removed."""
        return re.sub(r"\x1b(\[[0-9;?]*[A-Za-z]|[()][0-9A-Za-z]|[=>])", "", self.raw.decode("utf-8", "replace"))

    def wait_for(self, *texts, timeout=120, absent=()):
        deadline = time.monotonic() + timeout
        while True:
            self._pump(0.3)
            shown = self.text()
            if all(t in shown for t in texts) and not any(a in shown for a in absent):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError("waited %d s for %r; the screen shows:\n%s\n--- serial tail:\n%s"
                                     % (timeout, texts, shown, self.serial_text()[-3000:]))
            if not self.process.isalive():
                raise AssertionError("QEMU ended while waiting for %r; serial tail:\n%s"
                                     % (texts, self.serial_text()[-3000:]))

    def wait_serial(self, pattern, timeout=120):
        """A regular expression in the serial stream (boot messages scroll off the screen)."""
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.serial_text())
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError("waited %d s for /%s/ on the serial line; tail:\n%s"
                                     % (timeout, pattern, self.serial_text()[-3000:]))
            if not self.process.isalive():
                raise AssertionError("QEMU ended while waiting for /%s/; tail:\n%s"
                                     % (pattern, self.serial_text()[-3000:]))
            self._pump(0.3)

    # ---- typing

    def keys(self, *names):
        for name in names:
            self.process.send(KEYS.get(name, name))
            self._pump(0.15)

    def type(self, text, delay=0.03):
        for ch in text:
            self.process.send(ch)
            time.sleep(delay)
        self._pump(0.1)

    def highlighted_line(self):
        for y in range(self.screen.lines):
            row = self.screen.buffer[y]
            if sum(1 for x in range(self.screen.columns) if row[x].reverse and row[x].data.strip()) >= 3:
                return y
        return None

    def select(self, text):
        """Moves the highlight onto the item whose line holds `text` with Up and Down."""
        pattern = re.compile(r"(?:[\u2502x|] )(?:\[[ x]\] )?" + re.escape(text) + r"(?![0-9A-Za-z])")
        for _ in range(60):
            self._pump(0.2)
            lines = self.screen.display
            cursor = self.highlighted_line()
            if cursor is not None and pattern.search(lines[cursor]):
                return
            targets = [i for i, line in enumerate(lines) if pattern.search(line)]
            if not targets or cursor is None:
                self._pump(0.5)
                continue
            self.keys("Up" if targets[0] < cursor else "Down")
        raise AssertionError("no item %r to highlight; the screen shows:\n%s" % (text, self.text()))

    def choose(self, text):
        self.select(text)
        self.keys("Enter")

    # ---- the boot loaders

    def _choose_boot_entry(self):
        p = self.process
        p.expect(rb"Default settings, VGA|Press \[Tab\] to edit options", timeout=180)
        self.raw += p.before + p.after
        time.sleep(1.0)
        if self.firmware == "bios":
            # isolinux: Esc leaves the menu for the boot: prompt, where a label and extra
            # parameters are typed - sturdier than arrow keys, whose escape sequences
            # isolinux may take for a lone Esc when they arrive split under TCG (the arrow
            # keys themselves are test_live_boot_menu's). Once the prompt came twice
            # (SeaBIOS mirrored the text screen): any run of b, o, t ending in ':' is it
            # ("Automatic boot in" has no colon). Missing it costs the boot: left alone for
            # a few seconds, the prompt goes back to the menu, whose countdown then boots
            # the default (VGA) entry - so the entry is typed at once. Should the Esc itself get lost, it is
            # sent again (at the prompt an Esc does nothing).
            for attempt in range(3):
                p.send("\x1b")
                try:
                    p.expect(rb"b[bot]*:", timeout=3)
                    self.raw += p.before + p.after
                    break
                except pexpect.TIMEOUT:
                    pass
            else:
                raise AssertionError("no boot: prompt after Esc in isolinux's menu; the line shows:\n%r"
                                     % p.before[-1500:])
            time.sleep(0.5)
            self.type(self.entry + (" " + self.params if self.params else ""), delay=0.08)
            p.send("\r")
        else:
            if self.params:
                # GRUB: every entry appends $kura_extra; set it at the command prompt.
                p.send("c")
                time.sleep(1.0)
                self.type("set kura_extra='%s'" % self.params, delay=0.08)
                p.send("\r")
                time.sleep(0.5)
                p.send("\x1b")
                time.sleep(1.0)
            self._grub_highlight(self.entry)
            p.send("\r")
        self.boot_selected = time.monotonic()

    def _grub_highlight(self, entry):
        """Moves GRUB's highlight onto `entry` with its own v and ^ keys, checking each step.

        Not the arrow keys: under TCG the three bytes of an arrow's escape sequence may
        reach GRUB far enough apart that it takes the Esc alone and drops the rest, and
        Enter then boots the default (VGA) entry, silent on this line. GRUB redraws the
        highlighted entry as "*LABEL" after every move, which tells where it is; a key
        that got no answer is sent again."""
        p = self.process
        entries = boot_entries()
        target = [e for e, _ in entries].index(entry)
        labels = [label for _, label in entries]
        highlighted = re.compile(rb"\*(" + b"|".join(re.escape(label.encode()) for label in labels) + rb")")

        def highlight_now(wait):
            """Where the newest redraw put the highlight, read until the line goes quiet;
            None when GRUB drew nothing within `wait` seconds."""
            drawn = b""
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                try:
                    drawn += p.read_nonblocking(65536, timeout=0.3)
                except pexpect.TIMEOUT:
                    if highlighted.search(drawn):
                        break
            self.raw += drawn
            found = highlighted.findall(drawn)
            return labels.index(found[-1].decode()) if found else None

        current = highlight_now(1.5)  # the first draw, or the one after the command line
        current = 0 if current is None else current
        for _ in range(4 * len(entries)):
            if current == target:
                return
            p.send("v" if current < target else "^")
            moved = highlight_now(5)
            if moved is not None:
                current = moved
        raise AssertionError("GRUB's highlight did not reach %r; the line shows:\n%r" % (entry, bytes(self.raw[-1500:])))

    def wait_menu(self, *texts, timeout=240):
        shown = self.wait_for(*texts, timeout=timeout)
        if self.menu_seconds is None:
            self.menu_seconds = time.monotonic() - self.started
        return shown

    # ---- a shell through the menu

    def shell_from_mode(self, mode_title="Mode"):
        """From the mode screen: the menu's shell, on this serial line."""
        self.wait_for(mode_title, "shell")
        self.choose("shell")
        self.wait_serial(r"type 'exit' to return to the menu", timeout=30)
        self._pump(0.5)

    def run(self, command, timeout=60):
        """One command in the shell: its output and exit status. The output is what comes
        between a begin and an end marker that the shell prints; the quotes in the typed
        markers keep the echoed command line (which the terminal may wrap anywhere) from
        matching them."""
        marker = "KURA%d" % int(time.monotonic() * 1000)
        typed = marker[:4] + "''" + marker[4:]
        before = len(self.serial_text())
        self.process.send("echo %s-BEGIN; %s; echo %s-END-$?\r" % (typed, command, typed))
        found = None
        deadline = time.monotonic() + timeout
        pattern = re.compile(re.escape(marker) + r"-BEGIN\r*\n(.*?)" + re.escape(marker) + r"-END-(\d+)", re.S)
        while found is None:
            self._pump(0.3)
            found = pattern.search(self.serial_text()[before:])
            if time.monotonic() > deadline:
                raise AssertionError("`%s` did not finish in %d s; tail:\n%s"
                                     % (command, timeout, self.serial_text()[-2000:]))
        return found.group(1).replace("\r", ""), int(found.group(2))

    def monitor_command(self, command):
        """One command to QEMU's human monitor; what it answered."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as monitor:
            monitor.connect(self.monitor)
            monitor.settimeout(10)
            answer = b""
            while not answer.endswith(b"(qemu) "):
                answer += monitor.recv(4096)
            monitor.sendall((command + "\n").encode())
            answer = b""
            deadline = time.monotonic() + 20
            while not answer.endswith(b"(qemu) ") and time.monotonic() < deadline:
                try:
                    answer += monitor.recv(4096)
                except socket.timeout:
                    break
        text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", answer.decode("utf-8", "replace"))
        return text.replace("\r", "")

    def screendump(self, path):
        """The VGA screen as a PPM file, through QEMU's monitor; (width, height, pixels)."""
        self.monitor_command("screendump %s" % path)
        deadline = time.monotonic() + 20
        while not os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.2)
        with open(path, "rb") as f:
            data = f.read()
        # P6, width height, maxval, then RGB bytes.
        header = data.split(b"\n", 3)
        width, height = (int(v) for v in header[1].split())
        return width, height, header[3]


def write_png(path, width, height, rgb):
    """RGB bytes as a PNG (zlib only: no imaging library on the test machines)."""
    import struct
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    rows = b"".join(b"\0" + rgb[y * width * 3:(y + 1) * width * 3] for y in range(height))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
