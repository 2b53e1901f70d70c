#!/usr/bin/env python3
"""make_corpus.py - regenerate the seed corpora under fuzz/corpus/ (run from anywhere).

The seeds are small on purpose (a few dozen files per target, most under
8 KiB): libFuzzer grows its own working corpus from them in build-fuzz/.
They come from tests/fixtures, heads of data/sample and data sets made by
`compsight generate` (build/compsight must exist: run `make` first), plus
hand-written hostile strings.  The input layout of each target is described
at the top of its fuzz/fuzz_NAME.c.  Rerunning this script rewrites
fuzz/corpus/ completely; review `git status fuzz/corpus` afterwards.
"""
import csv
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
BIN = os.path.join(ROOT, "build", "compsight")
TABLES = ["plans", "reps", "deals", "quotas", "spiffs", "commissions", "roadmap",
          "promises", "collateral", "claims", "targets", "rates"]
# The header of each table, for a segment that only holds a place.
HEADERS = {"quotas": b"rep_id,period,quota\n", "spiffs": b"spiff_id,product,start_date,end_date\n",
           "commissions": b"rep_id,deal_id,commission\n", "roadmap": b"feature_id,status\n",
           "promises": b"promise_id,deal_id\n", "collateral": b"asset_id,owner_id,published_date\n",
           "claims": b"asset_id,claim\n", "targets": b"owner_id,period,target,actual\n"}
SEP = b"\xff"


def out(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def head(data, lines):
    return b"".join(data.splitlines(keepends=True)[:lines])


def rows(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8", "surrogateescape"))))


def unparse(table):
    s = io.StringIO()
    w = csv.writer(s, lineterminator="\n")
    w.writerows(table)
    return s.getvalue().encode("utf-8", "surrogateescape")


def subset(d):
    """A small, mostly consistent data set from a generated directory d."""
    files = {t: read(os.path.join(d, t + ".csv")) for t in TABLES
             if os.path.exists(os.path.join(d, t + ".csv"))}
    deals = rows(files["deals"])
    kept = deals[:31]
    ids = {r[0] for r in kept[1:] if r}
    files["deals"] = unparse(kept)

    def keep_where(t, col, keys, limit):
        if t not in files:
            return
        r = rows(files[t])
        if not r:
            return
        i = r[0].index(col)
        files[t] = unparse([r[0]] + [x for x in r[1:] if len(x) > i and x[i] in keys][:limit])
    keep_where("promises", "deal_id", ids, 20)
    keep_where("commissions", "deal_id", ids, 15)
    if "collateral" in files:
        c = rows(files["collateral"])[:9]
        files["collateral"] = unparse(c)
        keep_where("claims", "asset_id", {r[0] for r in c[1:]}, 15)
    for t, n in (("roadmap", 25), ("targets", 10), ("quotas", 8)):
        if t in files:
            files[t] = head(files[t], n)
    return files


def dataset_input(files, opt=0, fiscal=0, map_text=None):
    segs = [map_text] if map_text is not None else []
    for t in TABLES:
        if t not in files:
            break
        segs.append(files[t])
    return bytes([opt, fiscal]) + SEP.join(segs)


def generated(args):
    tmp = tempfile.mkdtemp(prefix="cs-corpus-")
    try:
        subprocess.run([BIN, "generate", "--out", tmp + "/d", "--quiet"] + args, check=True,
                       stdout=subprocess.DEVNULL)
        return subset(tmp + "/d")
    finally:
        shutil.rmtree(tmp)


def main():
    if not os.path.exists(BIN):
        sys.exit("make_corpus.py: build/compsight not found; run make first")
    shutil.rmtree(CORPUS, ignore_errors=True)

    # --- csvread: option byte + CSV text ----------------------------------
    fx = os.path.join(ROOT, "tests", "fixtures", "csv")
    for i, name in enumerate(sorted(os.listdir(fx))):
        data = read(os.path.join(fx, name))
        out("csvread", name, bytes([0x00]) + data)
        out("csvread", "chunk1-" + name, bytes([0x20 | (i % 7)]) + data)
    sample = os.path.join(ROOT, "data", "sample")
    for name in sorted(os.listdir(sample)):
        out("csvread", "sample-" + name, bytes([0x25]) + head(read(os.path.join(sample, name)), 8))
    out("csvread", "maxfield", bytes([0x08 | 0x40]) + b'a,b\n"long field",x\n')
    out("csvread", "stop", bytes([0x80 | 0x03]) + b"h\n1\n2\n3\n4\n")
    out("csvread", "quotes-lines", bytes([0x01]) + b'a,"b\r\nc",d\r\n"e""f",g\rh,i\n')

    # --- dataset: options, fiscal start, 0xFF-separated files -------------
    sets = {
        "gen3": generated(["--deals", "100", "--seed", "3"]),
        "gen5-dirty": generated(["--deals", "100", "--seed", "5", "--dirty"]),
        "gen8-null": generated(["--deals", "100", "--seed", "8", "--null"]),
        "gen9-fiscal2": generated(["--deals", "100", "--seed", "9", "--fiscal-start", "2"]),
        "sample": subset(sample),
    }
    for name, files in sets.items():
        out("dataset", name, dataset_input(files, 0x00, 1 if "fiscal2" in name else 0))
        out("dataset", name + "-analysis", dataset_input(files, 0x10 | 0xa0, 0))
    small = os.path.join(ROOT, "tests", "fixtures", "whatif", "small")
    if os.path.isdir(small):
        out("dataset", "whatif-small", dataset_input(
            {t: read(os.path.join(small, t + ".csv")) for t in ("plans", "reps", "deals")}, 0x10))
    sf = os.path.join(ROOT, "tests", "cli", "salesforce")
    if os.path.isdir(sf):
        files = {t: read(os.path.join(sf, t + ".csv")) for t in ("plans", "reps", "deals")}
        out("dataset", "salesforce-map", dataset_input(
            files, 0x08 | 0x10, 0, read(os.path.join(ROOT, "data", "maps", "salesforce.ini"))))
    # SPEC 12's currencies: rates.csv (the last segment) and currency columns
    org = os.path.join(ROOT, "tests", "fixtures", "real", "currency")
    if os.path.isdir(org):
        files = {t: HEADERS.get(t, b"") for t in TABLES}
        for t in ("plans", "reps", "deals", "commissions", "rates"):
            files[t] = read(os.path.join(org, t + ".csv"))
        out("dataset", "currency-org", dataset_input(files, 0x10, 0))
        out("dataset", "currency-org-option", dataset_input(files, 0xa0, 0x80))
        files["rates"] = (b"currency,rate,start_date,next_start_date\nUSD,1,,\nEUR,0.9,,\nEUR,0.92,"
                          b"2026-01-01,2026-04-01\nEUR,0.93,2026-03-01,9999-12-31\nMXN,0,,\n"
                          b"COP,4000,2026-01-01,\nUSD,1.1,2026-01-01,2026-02-01\n")
        out("dataset", "currency-rejects", dataset_input(files, 0x00, 0))
        del files["rates"]
        out("dataset", "currency-no-rates", dataset_input(files, 0x00, 0))
    out("dataset", "defaults", bytes([0x10, 0x00]))
    out("dataset", "empty-plans", bytes([0x00, 0x00]) + SEP + b"rep_id,team\n")
    out("dataset", "decimal-comma", bytes([0x04 | 0x02 | 0x10, 0x00]) +
        b"plan_id,period_type,quota,tier_floor,rate\nP,quarter,\"100.000,00\",0,\"0,08\"\n"
        b"P,quarter,\"100.000,00\",\"1,5\",\"0,1\"\n" + SEP + b"rep_id,team,plan_id\nR1,East,P\n" + SEP +
        b"deal_id,rep_id,type,amount,close_date,stage,discount_pct\n"
        b"D1,R1,new,\"12.500,50\",31/1/2026,won,\"12,5%\"\nD2,R1,new,\"\xe2\x82\xac1.000\",1.2.2026,won,\n")

    # --- dataset: the real exports of SPEC 12 (tests/fixtures/real) -------
    real = os.path.join(ROOT, "tests", "fixtures", "real")
    maps = os.path.join(ROOT, "data", "maps")

    def real_files(d, names):
        return {t: read(os.path.join(real, d, n)) for t, n in names.items()}

    std = {"plans": "plans.csv", "reps": "reps.csv", "deals": "deals.csv"}
    out("dataset", "real-excel-1252", dataset_input(real_files("excel-1252", std), 0x04 | 0x10))
    out("dataset", "real-sf-report", dataset_input(
        real_files("sf-report", std), 0x08 | 0x10, 0, read(os.path.join(maps, "salesforce.ini"))))
    out("dataset", "real-sf-ddmm", dataset_input(
        real_files("sf-ddmm", std), 0x08, 0, read(os.path.join(maps, "salesforce.ini"))))
    api = read(os.path.join(maps, "salesforce-api.ini")).replace(
        b"\n[reps]\n", b"\n[reps]\nplan_id.default = AE-Q\n").replace(
        b"date_format = iso\n", b"date_format = iso\ntype.blank = new\n")
    out("dataset", "real-sf-export", dataset_input(real_files(
        "sf-export", {"plans": "plans.csv", "reps": "User.csv", "deals": "Opportunity.csv"}),
        0x08 | 0x10, 0, api))
    out("dataset", "real-vtiger", dataset_input(real_files(
        "vtiger", {"plans": "plans.csv", "reps": "reps.csv", "deals": "vtiger_potential.csv"}),
        0x08 | 0x10, 0, read(os.path.join(real, "vtiger", "vtiger.ini"))))
    out("dataset", "keys-all", dataset_input({
        "plans": b"plan_id;period_type;quota;tier_floor;rate\r\nP;quarter;1000;0;0,1\r\n",
        "reps": b"R1\tAnn\tEast\nR2\tBob\t\\N\n",
        "deals": b"deal_id,rep_id,Type,amount,close_date,Stage,Won,Closed,Kind\n"
                 b"D1,R1,,\"1.250,5\",7/4/26,x,true,true,Sales\n"
                 b"D2,R2,new,5,13/4/2026,y,0,1,Test\nD3,R1,renewal,\\N,,z,no,no,Sales\n"
                 b"\"Generated By: someone\"\n"}, 0x08 | 0x10, 0,
        b"[plans]\ndelimiter = ;\ndecimal_comma = true\n"
        b"[reps]\nheader = rep_id, name, team\ndelimiter = tab\nnull = \\N\n"
        b"team.blank = (none)\nplan_id.default = P\n"
        b"[deals]\ntype = -\ntype.default = new\nis_won = Won\nis_closed = Closed\n"
        b"stage = Stage\nexclude.Kind = Test\ndecimal_comma = true\ndate_format = eu\n"
        b"null = \\N\nencoding = windows-1252\n"))

    # --- dialect: option byte + text ----------------------------------------
    for i, name in enumerate(sorted(os.listdir(fx))):
        out("dialect", "auto-" + name, bytes([0x04 | (i % 4) << 4]) + read(os.path.join(fx, name)))
    for d in sorted(os.listdir(real)):
        if not os.path.isdir(os.path.join(real, d)):
            continue
        for name in sorted(os.listdir(os.path.join(real, d))):
            if name.endswith(".csv"):
                esc = 0x08 if d == "vtiger" else 0
                out("dialect", d + "-" + name, bytes([0x04 | esc]) +
                    head(read(os.path.join(real, d, name)), 12))
    out("dialect", "semicolon", bytes([0x01]) + b'a;b;"c;d"\r\n1,5;2;"x""y"\r\n')
    out("dialect", "tab", bytes([0x02 | 0x10]) + b"a\tb\t c \t\n\t\"x\"\t y\n")
    out("dialect", "pipe", bytes([0x03 | 0x20]) + b"a|b|c\n1| |3\n")
    out("dialect", "escapes", bytes([0x08 | 0x10]) +
        b'1,"Acme \\"Big\\"",\\N,a\\,b,"one\\\ntwo","C:\\\\x"\r\n2,\\t,\\n,\\r\\\r\nz\n')
    out("dialect", "escape-errors", bytes([0x08]) + b'a"b\n"c"d\n"open\\"\n')
    out("dialect", "nul", bytes([0x04]) + b"id,note\n1,a\x00b\n2,\x00\n")
    out("dialect", "utf16", bytes([0x04]) + b"\xff\xfea\x00,\x00b\x00\n\x00")
    out("dialect", "long-first-line", bytes([0x04 | 0x40]) + b"a;b;c;" * 50 + b"\n1;2;3\n")
    out("dialect", "round-trip", bytes([0x80]) + b'a\x1fb c \x1f"q"\x1e\x1f\x1e,;|\t\\x')
    out("dialect", "round-trip-esc", bytes([0x80 | 0x08 | 0x01]) + b'a;b\x1f\\N\x1f"\\"\x1e x ')
    out("dialect", "round-trip-tab", bytes([0x80 | 0x08 | 0x02]) + b"a\tb\x1f \x1f\x00\x1e")

    # --- mapfile ------------------------------------------------------------
    for d in (os.path.join(ROOT, "tests", "fixtures", "maps"), os.path.join(ROOT, "data", "maps")):
        for name in sorted(os.listdir(d)):
            if name.endswith(".ini"):
                out("mapfile", name, read(os.path.join(d, name)))
    out("mapfile", "vtiger.ini", read(os.path.join(real, "vtiger", "vtiger.ini")))
    out("mapfile", "export-keys.ini",
        "[deals]\nfile = q1.csv,\n    q2.csv\nencoding = windows-1252\ndelimiter = ;  ; semicolons\n"
        "header = id, owner,\n    close\nnull = NULL\nescape = backslash\ntype = -\n"
        "type.default = new\ntype.blank = renewal\nis_won.blank = false\n"
        "exclude.Record Type = Partner, Test,\n    Internal\nexclude.StageName = Omitted\n"
        "stage.won = Closed Won\n"
        "[reps]\ndelimiter = tab\nencoding = latin1\nteam.blank = (none)\n")

    # --- parse: one cell --------------------------------------------------
    cells = ["12500", "$12,500.00", "-$5", "$-5", "\u20ac1.234,50", "\u00a3 3", "15%", "0,500",
             "1e308", "1e309", "1e-400", ".5", "5.", "+0", "-0", "1,234,567.891", "12,34",
             "9007199254740993", "0.1", "123456789012345678901234567890",
             "2026-02-28", "2026-02-29", "2024-02-29T12:00", "2026-13-01", " 2026-01-01 ",
             "1/31/2026", "31/1/2026", "31.1.2026", "1/31/2026 10:00", "0001-01-01",
             "9999-12-31", "2026Q3", "2026q4", "2026", "999Q1", "2026Q5", "Closed Won",
             "closedwon", "\xff\xfe", "\u00e9t\u00e9", "nan", "inf", "0x10", "1_000"]
    for i, c in enumerate(cells):
        out("parse", "cell%02d" % i, c.encode("utf-8", "surrogateescape")
            if not c.startswith("\xff") else b"\xff\xfe")
    out("parse", "bad-utf8", b"\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80")
    out("parse", "day-number", struct.pack("<i", 20000) + b"2026-01-01")

    # --- escapers: hostile strings ----------------------------------------
    hostile = [b"plain", b"=cmd|' /C calc'!A0", b"+1", b"-2+3", b"@SUM(A1)", b"\tx", b"\rx",
               b"a,b", b'say "hi"', b"line\nbreak", b"cr\rlf\r\n", b" lead", b"trail ",
               b"<script>alert(1)</script>", b"a & b", b"it's", b"|pipe|", b"`whoami`",
               b"system('id')", b"'|cat /etc/passwd'", b"''", b"'''", b"@macro", b"%n%s%%",
               b"6%", b"\\", b"\\'", b"\xe2\x80\x8b'", b"caf\xc3\xa9 \xe2\x82\xac",
               b"bad \xff utf8", b"#comment", b"*_[]`|<>#", b"\x7f\x1b[31mred",
               b"\xef\xbb\xbfbom"]
    for i, s in enumerate(hostile):
        out("csvcell", "text%02d" % i, bytes([0x01]) + s)
        out("csvcell", "num%02d" % i, bytes([0x02]) + struct.pack("<d", 0.1 * (i - 10)) + s)
        out("html", "s%02d" % i, s)
        out("gpquote", "s%02d" % i, s)
        out("json", "s%02d" % i, struct.pack("<d", [0.1, 1e300, -0.0, 5e-324][i % 4]) + s)
    out("json", "nan", struct.pack("<d", float("nan")) + b"x")
    out("json", "inf", struct.pack("<d", float("inf")))
    out("json", "big", struct.pack("<d", 1.7976931348623157e308))


if __name__ == "__main__":
    main()
