"""tap.py: the TAP scaffolding of the gir suite's scripts.

    from tap import check, run

    @check("what the case shows")
    def _():
        assert ...

    run()        # prints the plan and a line per case, exits 1 if one failed

Every case runs, in order, whatever the ones before did; a failing case's
exception is printed as TAP diagnostics.
"""
import sys

_cases = []


def check(name):
    def wrap(func):
        _cases.append((name, func))
        return func
    return wrap


def run():
    print("1..%d" % len(_cases))
    failed = 0
    for number, (name, func) in enumerate(_cases, 1):
        try:
            func()
            print("ok %d %s" % (number, name))
        except Exception as error:  # report every failure, keep going
            failed += 1
            print("not ok %d %s" % (number, name))
            for line in repr(error).splitlines():
                print("# " + line)
    sys.exit(1 if failed else 0)
