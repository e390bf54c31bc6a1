#!/usr/bin/python3
"""normalize-padding.py: lets abidiff see a vfunc or field that took the
place of reserved padding as no change, and every other change as one.

    normalize-padding.py BASELINE.abi CORPUS.abi OUTPUT.abi

For each struct of BASELINE that has a reserved-padding member ('padding',
'_ipt_reserved'), drops from that struct in CORPUS every data member at or
after the padding's offset in BASELINE; the struct's size stays. Run on
both the baseline and the new corpus, abidiff then compares the members
before the padding (their offsets and types) and the sizes: a reorder, an
insertion before the padding, a removed member or a grown struct are still
changes. (libabigail's own has_data_member_inserted_between suppression is
not used: it also hides changes without any insertion, such as a reorder.)
"""
import sys
import xml.etree.ElementTree as ET

PADDING = ("padding", "_ipt_reserved")


def member_name(member):
    decl = member.find("var-decl")
    return decl.get("name") if decl is not None else None


def padding_offsets(root):
    offsets = {}
    for struct in root.iter("class-decl"):
        for member in struct.findall("data-member"):
            if member_name(member) in PADDING:
                offsets[struct.get("name")] = int(member.get("layout-offset-in-bits"))
    return offsets


def main(baseline, corpus, output):
    offsets = padding_offsets(ET.parse(baseline).getroot())
    tree = ET.parse(corpus)
    for struct in tree.getroot().iter("class-decl"):
        start = offsets.get(struct.get("name"))
        if start is None:
            continue
        for member in struct.findall("data-member"):
            if int(member.get("layout-offset-in-bits", "0")) >= start:
                struct.remove(member)
    tree.write(output, encoding="unicode")


if __name__ == "__main__":
    main(*sys.argv[1:4])
