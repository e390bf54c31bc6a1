"""tap.py: the TAP output the qemu suite's Python tests share: numbered
"ok"/"not ok" lines, "# " diagnostics, and the plan at the end."""

count = 0
failed = 0


def check(ok, what):
    """One test line; returns @ok."""
    global count, failed
    count += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", count, what), flush=True)
    if not ok:
        failed += 1
    return ok


def diag(text):
    for line in str(text).splitlines():
        print("# " + line, flush=True)


def done():
    """Prints the plan; the exit status: 1 when a test failed."""
    print("1..%d" % count, flush=True)
    return 1 if failed else 0
