"""Two robustness defects of the command line around pipes (stop 14).

1. `helpfirst ... | head`: a reader that stops early made most commands end with status 1 (Typer turns the
   BrokenPipeError into exit 1, Rich its own; `synth -o /dev/stdout` even printed "cannot write (Broken pipe)").
   The rule now, for every command: the reader stopping is no error, the command stops at once, quietly (nothing
   on standard error), with exit status 0; a real error still ends with its message and status 1.
2. An endless stream on standard input filled the temporary folder: `audit -` (and `suggest --history -`,
   `kb add /dev/stdin`) copy a pipe whole before reading it (every post must be seen) and copied without a bound.
   The copies of a run now stop with an error past HELPFIRST_MAX_PIPE_COPY (default 8 GiB) or before they would
   leave less than 1 GiB (5% of a small file system) free; `classify -` streams line by line and copies nothing.

Every process here is real: the venv's `helpfirst`, real pipes, real files.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

HELPFIRST = str(Path(sys.executable).with_name("helpfirst"))
QUIET_END = ("Traceback", "Exception ignored", "BrokenPipeError", "Broken pipe", "error:")


def environment(tmp: Path, **extra: str) -> dict[str, str]:
    tmp.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    env["TMPDIR"] = str(tmp)
    env.update(extra)
    return env


def jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """Inputs whose outputs are far larger than a pipe's buffer (64 KiB), and a knowledge base."""
    folder = tmp_path_factory.mktemp("pipes")
    posts = jsonl(folder / "posts.jsonl", [{"id": str(i), "text": f"my order {i} never arrived, please help",
                                            "role": "customer"} for i in range(3000)])
    resources = jsonl(folder / "res.jsonl", [
        {"id": f"r{i}", "brand": "Acme", "kind": "article", "url": f"https://help.acme.com/a{i}",
         "title": f"Reset your password {i}", "body": "Open settings, then reset the password."} for i in range(1500)])
    queries = jsonl(folder / "q.jsonl", [{"id": f"q{i}", "brand": "Acme", "posts": [
        {"role": "customer", "text": "how do I reset my password"}]} for i in range(300)])
    archive = folder / "archive.csv"
    with archive.open("w", encoding="utf-8") as fh:
        fh.write("id,author,author_role,brand,created_at,text,parent_id\n")
        for i in range(400):
            fh.write(f"c{i},u{i},customer,Acme,2024-02-01T09:{i % 60:02d}:00Z,@Acme my order {i} is late,\n")
            fh.write(f"b{i},Acme,brand,Acme,2024-02-01T10:{i % 60:02d}:00Z,Sorry! Here: https://help.acme.com/a{i % 10},c{i}\n")
    kb = folder / "kb"
    done = subprocess.run([HELPFIRST, "kb", "add", str(resources), "--kb", str(kb)], capture_output=True, text=True,
                          env=environment(folder / "tmp"), timeout=120)
    assert done.returncode == 0, done.stderr
    return {"folder": folder, "posts": posts, "resources": resources, "queries": queries, "archive": archive, "kb": kb}


def closed_reader(args: list[str], env: dict[str, str], stdin=None, stderr_too: bool = False) -> tuple[int, str]:
    """Run helpfirst with its standard output a pipe whose reader has already gone (`| true`, or `| head -0`):
    its first write fails. (exit status, standard error)."""
    read, write = os.pipe()
    os.close(read)
    errors = subprocess.PIPE if not stderr_too else write
    try:
        proc = subprocess.Popen([HELPFIRST, *args], stdin=stdin, stdout=write, stderr=errors, env=env)
    finally:
        os.close(write)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    return proc.wait(timeout=300), err


def head_1(args: list[str], env: dict[str, str], stdin=None) -> tuple[bytes, int, str]:
    """`helpfirst ARGS | head -1`: the first line read, then the reader goes. (line, exit status, standard error)."""
    proc = subprocess.Popen([HELPFIRST, *args], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    return first, proc.wait(timeout=300), err


def quiet(err: str) -> bool:
    return not any(word in err for word in QUIET_END)


COMMANDS = {
    "classify": lambda f: ["classify", str(f["posts"])],
    "classify one process": lambda f: ["classify", str(f["posts"]), "--jobs", "1"],
    "kb list": lambda f: ["kb", "list", "--kb", str(f["kb"])],
    "kb list --json": lambda f: ["kb", "list", "--kb", str(f["kb"]), "--json"],
    "kb search": lambda f: ["kb", "search", "password", "--kb", str(f["kb"]), "--k", "1500"],
    "kb search --json": lambda f: ["kb", "search", "password", "--kb", str(f["kb"]), "--k", "1500", "--json"],
    "formats": lambda f: ["formats"],
    "formats --json": lambda f: ["formats", "--json"],
    "audit": lambda f: ["audit", str(f["archive"]), "--no-signals"],
    "audit --json": lambda f: ["audit", str(f["archive"]), "--no-signals", "--json"],
    "suggest": lambda f: ["suggest", "--kb", str(f["kb"]), "--input", str(f["queries"]), "--semantic", "off",
                          "--index", str(f["folder"] / "ix")],
    "suggest --json": lambda f: ["suggest", "--kb", str(f["kb"]), "--input", str(f["queries"]), "--semantic", "off",
                                 "--index", str(f["folder"] / "ix"), "--json"],
    "synth -o /dev/stdout": lambda f: ["synth", "--posts", "500", "-o", "/dev/stdout"],
    "--help": lambda f: ["--help"],
    "classify --help": lambda f: ["classify", "--help"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_reader_gone_before_the_first_write_ends_the_command_quietly_with_status_0(files, name):
    status, err = closed_reader(COMMANDS[name](files), environment(files["folder"] / "tmp"))
    assert status == 0 and quiet(err), (status, err)


@pytest.mark.parametrize("name", ["classify", "kb list --json", "kb search --json", "suggest --json", "audit"])
def test_head_1_ends_the_command_quietly_with_status_0(files, name):
    first, status, err = head_1(COMMANDS[name](files), environment(files["folder"] / "tmp"))
    assert first.strip()
    assert status == 0 and quiet(err), (status, err)


def test_classify_of_standard_input_into_head_1(files):
    with files["posts"].open("rb") as stdin:
        first, status, err = head_1(["classify", "-"], environment(files["folder"] / "tmp"), stdin=stdin)
    assert json.loads(first)["id"] == "0"
    assert status == 0 and quiet(err), (status, err)


def test_standard_error_into_the_same_closed_pipe(files):
    """`helpfirst classify F 2>&1 | true`: the summary line meets the closed pipe too."""
    status, err = closed_reader(["classify", str(files["posts"])], environment(files["folder"] / "tmp"), stderr_too=True)
    assert status == 0


def test_a_real_error_is_still_an_error_when_the_reader_is_gone(files, tmp_path):
    """Nothing was written to the closed pipe: the missing file is reported, status 1, as without the pipe."""
    status, err = closed_reader(["audit", str(tmp_path / "missing.csv"), "--json"], environment(files["folder"] / "tmp"))
    assert status == 1 and "missing.csv: no such file" in err


def test_classify_out_to_a_pipe_whose_reader_stops(files):
    """`classify F --out >(head -c 10)`: the reader of the --out pipe stopping is the same quiet end."""
    read, write = os.pipe()
    reader = threading.Thread(target=lambda: (os.read(read, 10), os.close(read)), daemon=True)
    reader.start()
    try:
        proc = subprocess.run([HELPFIRST, "classify", str(files["posts"]), "--out", f"/dev/fd/{write}"],
                              capture_output=True, text=True, pass_fds=(write,), env=environment(files["folder"] / "tmp"),
                              timeout=300)
    finally:
        os.close(write)
    reader.join(5)
    assert proc.returncode == 0 and quiet(proc.stderr), (proc.returncode, proc.stderr)


# -- 2. an endless or very large stream on standard input -------------------------------------------------------

LINE = b'{"id":"1","author":"a","author_role":"customer","created_at":"2024-01-01T00:00:00Z","text":"hi @Acme"}\n'
#: the most any run here may write (RLIMIT_FSIZE): a run that copied without a bound stops here, not at a full disk
FILE_LIMIT = 256 << 20


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))


def endless(proc: subprocess.Popen, line: bytes, stop: threading.Event) -> threading.Thread:
    """Feed `line` to the process's standard input until it stops reading (or `stop`): `yes LINE | helpfirst ...`."""
    block = line * (65536 // len(line))

    def feed() -> None:
        try:
            while not stop.is_set():
                proc.stdin.write(block)
        except (BrokenPipeError, ValueError, OSError):
            pass

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return thread


def copies(tmp: Path) -> list[Path]:
    return sorted(p for p in tmp.rglob("*") if p.is_file())


def run_endless(args: list[str], tmp: Path, line: bytes = LINE, timeout: float = 120, **env: str):
    """helpfirst ARGS with an endless producer on standard input; (status, stdout, stderr, largest copy seen)."""
    proc = subprocess.Popen([HELPFIRST, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=environment(tmp, **env), preexec_fn=limited)
    stop = threading.Event()
    feeder = endless(proc, line, stop)
    largest = 0
    outputs: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda n=n: outputs.__setitem__(n, getattr(proc, n).read()), daemon=True)
               for n in ("stdout", "stderr")]
    for r in readers:
        r.start()
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        largest = max([largest, *(p.stat().st_size for p in copies(tmp) if p.exists())])
        time.sleep(0.05)
    stop.set()
    if proc.poll() is None:
        proc.kill()
        proc.wait()
        pytest.fail(f"helpfirst {' '.join(args)} still ran after {timeout} s of an endless input")
    for r in readers:
        r.join(10)
    feeder.join(10)
    return proc.returncode, outputs.get("stdout", b"").decode(), outputs.get("stderr", b"").decode(), largest


def test_audit_of_an_endless_standard_input_stops_at_the_copy_limit(tmp_path):
    tmp = tmp_path / "tmp"
    status, out, err, largest = run_endless(["audit", "-", "--no-signals", "--json"], tmp, HELPFIRST_MAX_PIPE_COPY="8M")
    assert status == 1, err
    assert "error: <stdin>: more than 8 MiB came through the pipe, the most helpfirst copies (HELPFIRST_MAX_PIPE_COPY)" in err
    assert "save the stream to a file and give the file" in err
    assert largest <= 8 << 20
    assert copies(tmp) == [] and "File size limit" not in err


def test_suggest_history_of_an_endless_standard_input_stops_at_the_copy_limit(tmp_path, files):
    tmp = tmp_path / "tmp"
    status, out, err, largest = run_endless(
        ["suggest", "--kb", str(files["kb"]), "--history", "-", "--input", str(files["queries"]), "--semantic", "off",
         "--index", str(tmp_path / "ix"), "--json"], tmp, HELPFIRST_MAX_PIPE_COPY="4M")
    assert "<stdin>: more than 4 MiB came through the pipe" in err
    assert largest <= 4 << 20 and copies(tmp) == []


def _audit_two_pipes(tmp_path, first: bytes, second: bytes):
    """audit of two pipes fed `first` and `second` under a 5 MiB copy limit: the run and the pipes' fds."""
    fds = []
    for data in (first, second):
        read, write = os.pipe()
        threading.Thread(target=_fill, args=(write, data), daemon=True).start()
        fds.append(read)
    try:
        done = subprocess.run([HELPFIRST, "audit", f"/dev/fd/{fds[0]}", f"/dev/fd/{fds[1]}", "--no-signals", "--json"],
                              capture_output=True, text=True, pass_fds=fds,
                              env=environment(tmp_path / "tmp", HELPFIRST_MAX_PIPE_COPY="5M"), timeout=120)
    finally:
        for fd in fds:
            os.close(fd)
    return done, fds


def test_the_limit_is_for_the_copies_of_a_run_together(tmp_path):
    """Two pipes of 3 MiB each pass a 5 MiB limit together: the second one is refused."""
    data = b"id,author,author_role,created_at,text,parent_id\n" + b"".join(
        b"c%d,u,customer,2024-02-01T09:00:00Z,@Acme my order is late,\n" % i for i in range(70_000))
    assert 3 << 20 < len(data) < (5 << 20) - 4096
    done, fds = _audit_two_pipes(tmp_path, data, data)
    doc = json.loads(done.stdout)
    assert done.returncode == 0, done.stderr
    assert doc["rows_loaded"] == 70_000
    # the second pipe is not blamed for the first one's bytes: both are named
    assert any(f"/dev/fd/{fds[1]}: the pipes of this run together passed 5 MiB (this input " in e
               and "so far, earlier ones 4.2 MiB)" in e for e in doc["errors"]), doc["errors"]


def _fill(fd: int, data: bytes) -> None:
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except OSError:
        pass


def test_a_bad_limit_is_named(tmp_path):
    done = subprocess.run([HELPFIRST, "audit", "-", "--no-signals", "--json"], input=LINE.decode(), capture_output=True,
                          text=True, env=environment(tmp_path / "tmp", HELPFIRST_MAX_PIPE_COPY="lots"), timeout=60)
    assert done.returncode == 1
    assert "HELPFIRST_MAX_PIPE_COPY 'lots': expected a size such as 500M, 8G or 1.5T" in done.stderr


def test_a_stream_under_the_limit_is_audited_as_before(tmp_path):
    data = ("id,author,author_role,created_at,text,parent_id\n"
            "c1,sam,customer,2024-02-01T09:00:00Z,Hi @Acme help,\n"
            "c2,Acme,brand,2024-02-01T09:10:00Z,Sure,c1\n")
    done = subprocess.run([HELPFIRST, "audit", "-", "--no-signals", "--json"], input=data, capture_output=True, text=True,
                          env=environment(tmp_path / "tmp", HELPFIRST_MAX_PIPE_COPY="1K"), timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows_loaded"] == 2


def test_classify_streams_an_endless_standard_input_without_copying_it(tmp_path, files):
    """`yes POST | helpfirst classify - | head -1`: the first line comes out while the input is still flowing,
    nothing is copied to the temporary folder, and the command ends quietly when its reader goes."""
    tmp = tmp_path / "tmp"
    proc = subprocess.Popen([HELPFIRST, "classify", "-", "--batch-size", "1000"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment(tmp), preexec_fn=limited)
    stop = threading.Event()
    feeder = endless(proc, b'{"id":"1","text":"hi, my parcel is late","role":"customer"}\n', stop)
    lines = [proc.stdout.readline() for _ in range(3000)]  # three batches: the stream is classified as it comes
    assert copies(tmp) == []
    proc.stdout.close()
    err = proc.stderr.read().decode()
    status = proc.wait(timeout=120)
    stop.set()
    feeder.join(10)
    assert all(json.loads(line)["id"] == "1" for line in lines)
    assert status == 0 and quiet(err), (status, err)


# -- 3. review of stop 14: failures stay failures, a dead standard error stops nothing ----------------------------

BAD_CSV = "id,author,author_role,created_at,text,parent_id\nc1,sam,customer,not-a-date,,\n"
SMALL_CSV = ("id,author,author_role,created_at,text,parent_id\n"
             "c1,sam,customer,2024-02-01T09:00:00Z,Hi @Acme help,\n"
             "c2,Acme,brand,2024-02-01T09:10:00Z,Sure,c1\n")


@pytest.mark.parametrize("json_output", [False, True], ids=["scorecard", "--json"])
def test_an_audit_that_loaded_nothing_fails_when_the_reader_is_gone(tmp_path, json_output):
    """The scorecard is printed before the failure is known: its reader being gone must not turn the 1 into a 0."""
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    status, err = closed_reader(["audit", str(bad), "--no-signals", *(["--json"] if json_output else [])],
                                environment(tmp_path / "tmp"))
    assert status == 1, (status, err)
    assert "error: no posts could be loaded (1 rows read, 1 rejected)" in err


def closed_stderr(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """`helpfirst ARGS 2> >(true)`: standard error a pipe whose reader has gone, standard output read."""
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.Popen([HELPFIRST, *args], stdout=subprocess.PIPE, stderr=write, env=env, cwd=cwd)
    finally:
        os.close(write)
    out = proc.stdout.read().decode("utf-8", "replace")
    return proc.wait(timeout=300), out


@pytest.mark.parametrize("args", [
    ["audit", "missing.csv"],
    ["synth", "--posts", "10", "-o", "/dev/null/dir/x.csv"],  # a missing folder is made: a file in the way is not
    ["classify", "missing.jsonl"],
], ids=["audit missing", "synth bad -o", "classify missing"])
def test_a_failure_is_status_1_when_standard_error_and_output_are_gone(tmp_path, args):
    """`helpfirst ... 2>&1 | true`: the error message meets the closed pipe; that is no reason to end with 0."""
    status, _ = closed_reader(args, environment(tmp_path / "tmp"), stderr_too=True)
    assert status == 1


def test_classify_goes_on_when_standard_error_is_gone(tmp_path):
    """One bad line among 4,001: its error line meets a dead standard error; every good line is still written."""
    lines = [json.dumps({"id": str(i), "text": f"my order {i} never arrived", "role": "customer"}) for i in range(4000)]
    lines.insert(2000, "not json {")
    source = tmp_path / "mixed.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, _ = closed_stderr(["classify", str(source), "--out", "out.jsonl"], environment(tmp_path / "tmp"), tmp_path)
    assert status == 0
    written = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len([line for line in written if json.loads(line).get("intent")]) == 4000


def test_an_audit_with_a_warning_writes_its_report_when_standard_error_is_gone(tmp_path):
    (tmp_path / "small.csv").write_text(SMALL_CSV, encoding="utf-8")
    status, out = closed_stderr(["audit", "small.csv", "--no-signals", "--holiday", "2024-12-25", "--report", "r.html"],
                                environment(tmp_path / "tmp"), tmp_path)
    assert status == 0, out
    assert (tmp_path / "r.html").stat().st_size > 0
    assert "r.html" in out


# -- 4. a file system that reports no size --------------------------------------------------------------------------

def test_free_space_is_not_judged_when_the_file_system_reports_no_size():
    from helpfirst.ingest import FREE_RESERVE, free_space_short

    def fs(blocks: int, avail: int, frsize: int = 4096) -> os.statvfs_result:
        return os.statvfs_result((4096, frsize, blocks, avail, avail, 1000, 900, 900, 0, 255))

    assert free_space_short(fs(0, 0), 1 << 20) is None  # tmpfs size=0, some FUSE and network file systems
    assert free_space_short(fs(1000, 0, frsize=0), 1 << 20) is None
    assert free_space_short(fs(1 << 30, 1 << 30), 1 << 20) is None  # 4 TiB free
    assert free_space_short(fs(1 << 30, 100), 1 << 20) == FREE_RESERVE  # 400 KiB free of 4 TiB
    assert free_space_short(fs(1000, 300), 1 << 20) == int(1000 * 4096 * 0.05)  # a small file system: 5%


def test_a_pipe_is_copied_to_a_tmpfs_that_reports_no_size(tmp_path):
    """`mount -t tmpfs -o size=0` (no limit) reports f_blocks 0: the copy was refused as 'less than 0 bytes free'."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=0", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        assert os.statvfs(mnt).f_blocks == 0
        done = subprocess.run([HELPFIRST, "audit", "-", "--no-signals", "--json"], input=SMALL_CSV, capture_output=True,
                              text=True, env=environment(mnt), timeout=60)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["rows_loaded"] == 2
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


# -- 5. a refused copy frees its share of the limit ------------------------------------------------------------------

def test_a_refused_pipe_does_not_count_against_the_next_ones(tmp_path):
    """A 6 MiB pipe passes a 5 MiB limit and is refused (its partial copy removed); a 3 MiB pipe after it fits."""
    head = b"id,author,author_role,created_at,text,parent_id\n"
    row = b"c%d,u,customer,2024-02-01T09:00:00Z,@Acme my order is late,\n"
    big = head + b"".join(row % i for i in range(120_000))
    small = head + b"".join(row % i for i in range(70_000))
    assert len(big) > 5 << 20 and 3 << 20 < len(small) < (5 << 20) - 4096
    done, fds = _audit_two_pipes(tmp_path, big, small)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["rows_loaded"] == 70_000, doc["errors"]
    assert any(f"/dev/fd/{fds[0]}: more than 5 MiB came through the pipe" in e for e in doc["errors"]), doc["errors"]
