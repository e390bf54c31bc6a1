"""gir_tap.py: the TAP harness of the gir suite's scripts: @check("name")
registers a test function, run() runs them all (every failure reported,
the others still run) and exits non-zero when one failed."""
import sys

_results = []


def check(name):
    def wrap(func):
        _results.append((name, func))
        return func
    return wrap


def run():
    print("1..%d" % len(_results))
    failed = 0
    for number, (name, func) in enumerate(_results, 1):
        try:
            func()
            print("ok %d %s" % (number, name))
        except Exception as error:  # report every failure, keep going
            failed += 1
            print("not ok %d %s" % (number, name))
            for line in repr(error).splitlines():
                print("# " + line)
    sys.exit(1 if failed else 0)
