"""Run the ``studiofund`` command as a real process, many times, quickly.

A *zygote* — a fresh Python process that has imported the CLI and every command module once —
forks one child per run. The child is the command as a user runs it (its own stdin, stdout,
stderr, working directory and exit status; an exception that escapes is printed as Python
prints it, so a traceback shows); the zygote waits for it with a deadline and kills its whole
process group when it passes (a hang). Forking an imported process costs milliseconds where a
new interpreter costs a second, so hundreds of probes run in a minute.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

_ZYGOTE = r'''
import importlib, io, json, os, signal, sys, time, traceback

from studiofund.cli import COMMANDS, main

for module, _ in COMMANDS.values():
    try:
        importlib.import_module(module)
    except ImportError:
        pass

requests = os.fdopen(0, "r", encoding="utf-8")
answers = os.fdopen(1, "w", encoding="utf-8")


def child(req):
    os.setpgrp()
    os.chdir(req["cwd"])
    os.environ.update(req["env"])
    fds = [os.open(req["stdin"], os.O_RDONLY), os.open(req["stdout"], os.O_WRONLY), os.open(req["stderr"], os.O_WRONLY)]
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", line_buffering=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", line_buffering=True)
    sys.argv = ["studiofund", *req["args"]]
    code = 0
    try:
        code = main()  # as the console script: sys.exit(main())
    except SystemExit as exc:
        code = exc.code
    except BaseException:
        traceback.print_exc()
        code = 1
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


for line in requests:
    req = json.loads(line)
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        child(req)
    timed_out = False
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - started > req["timeout"]:
            timed_out = True
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, status = os.waitpid(pid, 0)
            break
        time.sleep(0.005)
    try:  # grandchildren (worker processes) of a killed or finished run
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    code = os.waitstatus_to_exitcode(status)
    answers.write(json.dumps({"code": code, "timed_out": timed_out, "seconds": time.monotonic() - started}) + "\n")
    answers.flush()
'''


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    timed_out: bool
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Zygote:
    """One pre-imported ``studiofund`` process that forks a child per :meth:`run`."""

    def __init__(self) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="studiofund-zygote-"))
        self.process = subprocess.Popen([sys.executable, "-c", _ZYGOTE], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def run(self, args: list[str], *, cwd: Path, stdin: bytes = b"", env: dict[str, str] | None = None,
            timeout: float = 30.0) -> Run:
        names = {k: self.scratch / k for k in ("stdin", "stdout", "stderr")}
        names["stdin"].write_bytes(stdin)
        for k in ("stdout", "stderr"):
            names[k].write_bytes(b"")
        request = {"args": [str(a) for a in args], "cwd": str(cwd), "env": env or {}, "timeout": timeout,
                   **{k: str(v) for k, v in names.items()}}
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        read = lambda k: names[k].read_bytes().decode("utf-8", "replace")  # noqa: E731
        return Run(answer["code"], read("stdout"), read("stderr"), answer["timed_out"], answer["seconds"])

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)
        for child in self.scratch.iterdir():
            child.unlink()
        self.scratch.rmdir()
