#!/usr/bin/env python3
"""qemu-snapshots.py: boots a QEMU guest, stops it and takes its snapshots.

    qemu-snapshots.py --out DIR (--debugcon-marker TEXT | --serial-marker TEXT)
                      [--fail-marker TEXT] [--halted | --user-mode TRIES]
                      [--exec-log RANGES] [--timeout S] -- QEMU_ARGS...

Runs qemu-system-x86_64 (TCG, no display, no default devices, a QMP socket,
the serial console and the debugcon port into files), waits until a whole
line with TEXT is on the debugcon port or the serial console (failing at
once on --fail-marker's text there) and, with --halted, until the vCPU has
halted; stops the guest (with --user-mode, resumes and stops it again, up
to TRIES times, until it stopped in user space, CPL 3), reads its
registers, and writes into DIR:

    registers.json   CR0, CR3, CR4, EFER, RIP, RSP, CPL and how it stopped
    savevm.qcow2     a qcow2 disk attached to the guest, holding the internal
                     snapshot (savevm) named by --tag (default "ipt")
    dump.elf         dump-guest-memory, ELF, paging off (guest-physical)
    migration.qevm   a migration stream (migrate "exec:cat > FILE")
    serial.log, debugcon.log, qemu.log (QEMU's own messages)
    exec.log         with --exec-log RANGES: QEMU's execution log
                     (-singlestep -d exec,cpu,nochain -dfilter RANGES)

The snapshots are taken in that order because the migration, once
complete, deactivates the guest's disks, after which savevm cannot write.
Python 3 standard library only. Every wait is bounded; a failure prints one
line, "qemu-snapshots: ...", and exits with status 1.

SPDX-License-Identifier: LGPL-2.1-or-later
"""

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time


class Failure(Exception):
    pass


class Qmp:
    """A minimal QMP client: commands in, their returns out, events noted."""

    def __init__(self, path, deadline, process, log_path):
        self.deadline = deadline
        self.buffer = b""
        self.events = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        while True:
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if process.poll() is not None:
                    raise Failure(exited(process, log_path))
                if time.monotonic() > deadline:
                    raise Failure("QMP socket %s never came up" % path)
                time.sleep(0.05)
        greeting = self._message()
        if "QMP" not in greeting:
            raise Failure("QMP greeting expected, got %r" % greeting)
        self.command("qmp_capabilities")

    def _message(self):
        while b"\n" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise Failure("QMP: no answer before the timeout")
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise Failure("QMP: no answer before the timeout")
            if not data:
                raise Failure("QMP: QEMU closed the connection")
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def command(self, name, **arguments):
        request = {"execute": name}
        if arguments:
            request["arguments"] = arguments
        self.sock.sendall(json.dumps(request).encode() + b"\n")
        while True:
            message = self._message()
            if "event" in message:
                self.events.append(message)
            elif "error" in message:
                raise Failure("QMP %s: %s" % (name, message["error"].get("desc", message)))
            elif "return" in message:
                return message["return"]

    def hmp(self, line):
        return self.command("human-monitor-command", **{"command-line": line})


def exited(process, log_path):
    """Why QEMU is gone: its status and its last message."""
    try:
        with open(log_path, errors="replace") as f:
            lines = [line.strip() for line in f if line.strip()]
    except OSError:
        lines = []
    return "QEMU exited (status %d)%s" % (process.returncode,
                                         ": " + lines[-1] if lines else "")


REGISTER_RE = re.compile(r"\b(RIP|RSP|CR0|CR2|CR3|CR4|EFER)=([0-9a-fA-F]+)")


def parse_registers(text):
    """The registers of `info registers` (x86-64 layout), as integers."""
    registers = {name.lower(): int(value, 16) for name, value in REGISTER_RE.findall(text)}
    cpl = re.search(r"\bCPL=(\d)", text)
    if not cpl or "rip" not in registers or "cr3" not in registers:
        raise Failure("cannot read RIP/CR3/CPL from 'info registers': %r" % text[:200])
    registers["cpl"] = int(cpl.group(1))
    return registers


def wait_for_text(path, text, fail_text, process, log_path, deadline):
    while True:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            data = b""
        # the whole line: the guest may still be writing what follows TEXT
        at = data.find(text.encode())
        if at >= 0 and b"\n" in data[at:]:
            return data.decode(errors="replace")
        if fail_text and fail_text.encode() in data:
            line = next(line for line in data.decode(errors="replace").splitlines()
                        if fail_text in line)
            raise Failure("the guest failed: %s" % line.strip())
        if process.poll() is not None:
            raise Failure("%s, before %r appeared in %s" % (exited(process, log_path), text, path))
        if time.monotonic() > deadline:
            raise Failure("%r did not appear in %s before the timeout" % (text, path))
        time.sleep(0.05)


def run(args):
    start = time.monotonic()
    deadline = start + args.timeout
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    files = {name: os.path.join(out, name) for name in
             ("registers.json", "savevm.qcow2", "dump.elf", "migration.qevm",
              "serial.log", "debugcon.log", "qemu.log", "exec.log")}
    for path in files.values():
        if os.path.exists(path):
            os.unlink(path)

    qemu_img = subprocess.run([args.qemu_img, "create", "-q", "-f", "qcow2",
                               files["savevm.qcow2"], "1M"],
                              capture_output=True, text=True, timeout=30)
    if qemu_img.returncode != 0:
        raise Failure("qemu-img create failed: %s" % qemu_img.stderr.strip())

    # A short path: a unix socket's name has room for about 100 bytes only.
    sockdir = tempfile.mkdtemp(prefix="ipt-qmp-")
    socket_path = os.path.join(sockdir, "qmp")
    command = [args.qemu, "-accel", "tcg", "-display", "none", "-nodefaults",
               "-no-reboot", "-S",
               "-qmp", "unix:%s,server=on,wait=off" % socket_path,
               "-serial", "file:" + files["serial.log"],
               "-debugcon", "file:" + files["debugcon.log"],
               "-drive", "file=%s,if=none,id=snapshots,format=qcow2" % files["savevm.qcow2"]]
    if args.exec_log:
        command += ["-singlestep", "-d", "exec,cpu,nochain", "-dfilter", args.exec_log,
                    "-D", files["exec.log"]]
    command += args.qemu_args
    log = open(files["qemu.log"], "wb")
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                               stderr=subprocess.STDOUT)
    facts = {"command": command}
    try:
        qmp = Qmp(socket_path, deadline, process, files["qemu.log"])
        # Started stopped (-S): the guest runs from its first instruction
        # only once the monitor is there.
        qmp.command("cont")
        if args.debugcon_marker:
            where, text = files["debugcon.log"], args.debugcon_marker
        else:
            where, text = files["serial.log"], args.serial_marker
        output = wait_for_text(where, text, args.fail_marker, process, files["qemu.log"],
                               deadline)
        facts["marker_seconds"] = round(time.monotonic() - start, 2)
        facts["marker_line"] = next(line for line in output.splitlines() if text in line)

        # A guest that halts when done: wait for it, so that it stops at
        # the same instruction every time.
        while args.halted and not re.search(r"\bHLT=1\b", qmp.hmp("info registers")):
            if time.monotonic() > deadline:
                raise Failure("the guest did not halt before the timeout")
            time.sleep(0.02)

        # Stop; in user space if asked, by resuming and stopping at random
        # moments until the vCPU stopped at CPL 3.
        attempts = 0
        while True:
            attempts += 1
            qmp.command("stop")
            registers = parse_registers(qmp.hmp("info registers"))
            if not args.user_mode or registers["cpl"] == 3 or attempts >= args.user_mode:
                break
            qmp.command("cont")
            time.sleep(random.uniform(0.02, 0.2))
        facts["stop_attempts"] = attempts
        facts["registers"] = registers
        if args.user_mode and registers["cpl"] != 3:
            raise Failure("the guest never stopped in user space in %d tries (CPL %d, RIP 0x%x)"
                          % (attempts, registers["cpl"], registers["rip"]))

        answer = qmp.hmp("savevm " + args.tag).strip()
        if answer:
            raise Failure("savevm %s: %s" % (args.tag, answer))
        qmp.command("dump-guest-memory", paging=False, protocol="file:" + files["dump.elf"])
        # The guest is stopped: no reason to hold the stream to 32 MiB/s.
        qmp.command("migrate-set-parameters", **{"max-bandwidth": 1 << 40})
        qmp.command("migrate", uri="exec:cat > '%s'" % files["migration.qevm"].replace("'", "'\\''"))
        while True:
            status = qmp.command("query-migrate").get("status")
            if status == "completed":
                break
            if status in ("failed", "cancelled"):
                raise Failure("migration to %s %s" % (files["migration.qevm"], status))
            if time.monotonic() > deadline:
                raise Failure("migration to %s did not complete before the timeout"
                              % files["migration.qevm"])
            time.sleep(0.05)
        version = qmp.command("query-version")["qemu"]
        facts["qemu_version"] = "%(major)d.%(minor)d.%(micro)d" % version
        facts["seconds"] = round(time.monotonic() - start, 2)
        facts["files"] = {name: path for name, path in files.items()
                          if os.path.exists(path)}
        with open(files["registers.json"], "w") as f:
            json.dump(facts, f, indent=2, sort_keys=True)
            f.write("\n")
        try:
            qmp.command("quit")
        except Failure:
            pass  # QEMU may close the socket before it answers
        process.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        raise Failure("QEMU did not quit before the timeout")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(sockdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="where the snapshots go")
    marker = parser.add_mutually_exclusive_group(required=True)
    marker.add_argument("--debugcon-marker", help="text on the debugcon port (0xe9) that means ready")
    marker.add_argument("--serial-marker", help="text on the serial console that means ready")
    parser.add_argument("--fail-marker", metavar="TEXT",
                        help="text in the same place that means the guest failed")
    stop = parser.add_mutually_exclusive_group()
    stop.add_argument("--halted", action="store_true",
                      help="after the marker, wait until the vCPU has halted")
    stop.add_argument("--user-mode", type=int, default=0, metavar="TRIES",
                      help="stop the guest in user space (CPL 3), trying up to TRIES times")
    parser.add_argument("--exec-log", metavar="RANGES",
                        help="write exec.log, one instruction a line, for -dfilter RANGES")
    parser.add_argument("--tag", default="ipt", help="the savevm snapshot's name")
    parser.add_argument("--timeout", type=float, default=120, help="for everything, in seconds")
    parser.add_argument("--qemu", default="qemu-system-x86_64")
    parser.add_argument("--qemu-img", default="qemu-img")
    parser.add_argument("qemu_args", nargs="*", help="the guest's own QEMU arguments, after --")
    args = parser.parse_args()
    try:
        run(args)
    except Failure as e:
        print("qemu-snapshots: %s" % e, file=sys.stderr)
        return 1
    except OSError as e:
        print("qemu-snapshots: %s: %s" % (e.filename or args.qemu, e.strerror or e),
              file=sys.stderr)
        return 1
    except Exception as e:  # still one line, whatever went wrong
        print("qemu-snapshots: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
