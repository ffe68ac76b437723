"""Stop 17, known defect: the hidden `.NAME.XXXXXXXX.part` file of a write stopped by SIGKILL or SIGTERM stayed
beside the target for ever. Its name now carries the writer's PID (`.NAME.PID_XXXXXXXX.part`) and the writer holds
a lock on it; the next write of the same target removes those whose PID names no live process and whose lock no one
holds. A live writer's file (or one whose PID was given to a live process since) is kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from helpfirst.fileio import write_text_atomic

# a writer that stops half-way through its output and waits to be killed
_WRITER = textwrap.dedent("""
    import sys, time
    from helpfirst.fileio import atomic_output
    with atomic_output(sys.argv[1]) as fh:
        fh.write("half of it")
        fh.flush()
        print("ready", flush=True)
        time.sleep(600)
""")


def _start_writer(target) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _parts(folder, name: str = "out.csv") -> list[str]:
    return sorted(p for p in os.listdir(folder) if p.startswith(f".{name}.") and p.endswith(".part"))


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(proc.stdout)


def _kill(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    proc.send_signal(sig)
    proc.wait(30)  # reaped: its PID names no process now


def test_part_of_a_killed_writer_is_removed_by_the_next_cli_write(tmp_path):
    target = tmp_path / "out.csv"
    for sig in (signal.SIGKILL, signal.SIGTERM):
        writer = _start_writer(target)
        [part] = _parts(tmp_path)
        assert part.startswith(f".out.csv.{writer.pid}_")  # the writer's PID is in its name
        _kill(writer, sig)
        assert _parts(tmp_path) == [part]  # killed outright: nothing of ours ran to remove it
        proc = subprocess.run([sys.executable, "-m", "helpfirst", "synth", "--posts", "50", "-o", str(target)],
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        assert _parts(tmp_path) == []
        assert target.stat().st_size > 0


def test_part_named_by_a_dead_pid_is_removed_by_a_write(tmp_path):
    target = tmp_path / "out.csv"
    stale = tmp_path / f".out.csv.{_dead_pid()}_k2j4h6g8.part"
    stale.write_text("left by a killed run")
    write_text_atomic(target, "new\n")
    assert not stale.exists() and _parts(tmp_path) == []
    assert target.read_text() == "new\n"


def test_live_writers_part_is_kept(tmp_path):
    target = tmp_path / "out.csv"
    writer = _start_writer(target)
    try:
        [part] = _parts(tmp_path)
        write_text_atomic(target, "mine\n")
        assert _parts(tmp_path) == [part]
        assert (tmp_path / part).read_text() == "half of it"
    finally:
        _kill(writer)
    write_text_atomic(target, "mine again\n")  # now it is stale
    assert _parts(tmp_path) == []


def test_part_whose_pid_is_a_live_process_is_kept(tmp_path):
    # a PID given since to another process: the file cannot be told from a live writer's, and stays
    sleeper = subprocess.Popen(["sleep", "600"])
    try:
        kept = tmp_path / f".out.csv.{sleeper.pid}_abcdefgh.part"
        kept.write_text("maybe a live writer's")
        write_text_atomic(tmp_path / "out.csv", "new\n")
        assert kept.exists()
    finally:
        _kill(sleeper)


def test_part_locked_by_a_live_process_is_kept_though_its_pid_is_dead(tmp_path):
    # a writer in another PID namespace sharing the folder: its PID means nothing here, its lock does
    held = tmp_path / f".out.csv.{_dead_pid()}_zz99zz99.part"
    held.write_text("a writer elsewhere")
    locker = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'rb+'); "
         "fcntl.flock(f, fcntl.LOCK_EX); print('ready', flush=True); time.sleep(600)", str(held)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "ready"
        write_text_atomic(tmp_path / "out.csv", "new\n")
        assert held.exists()
    finally:
        _kill(locker)
    write_text_atomic(tmp_path / "out.csv", "newer\n")
    assert not held.exists()


def test_other_files_are_left_alone(tmp_path):
    dead = _dead_pid()
    others = [
        tmp_path / ".out.csv.k2j4h6g8.part",  # the older form: names no writer
        tmp_path / ".out.csv.1234_678.part",  # the older form, though it begins with digits
        tmp_path / f".out.csv.bak.{dead}_k2j4h6g8.part",  # another target's
        tmp_path / f".out.csv.{dead}_k2j4h6g8.part.keep",
        tmp_path / f"out.csv.{dead}_k2j4h6g8.part",  # not hidden: not ours
    ]
    for path in others:
        path.write_text("x")
    folder_part = tmp_path / f".out.csv.{dead}_aaaaaaaa.part"
    folder_part.mkdir()  # not a file
    write_text_atomic(tmp_path / "out.csv", "new\n")
    assert all(path.exists() for path in others) and folder_part.is_dir()
