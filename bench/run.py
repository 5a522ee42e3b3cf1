"""Benchmarks against a served app, measured from this separate process.

    python -m bench.run --referrals 20000 [--engine postgres|sqlite] [--pdfs 30]

Writes bench/RESULTS.md: the machine, engine, data size, and each figure with its target.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import resource
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, check=True, cwd=ROOT
    )
    return done.stdout.strip()


def _database(engine: str, pg_url: str) -> str:
    if engine == "sqlite":
        path = ROOT / "var" / "bench.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(exist_ok=True)
        return f"sqlite:///{path}"
    import asyncpg

    # Another name lets several checkouts bench on one server without dropping each other's.
    name = os.environ.get("HELSEIARBEID_BENCH_DATABASE", "helseiarbeid_bench")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise SystemExit(f"HELSEIARBEID_BENCH_DATABASE {name!r}: lowercase letters, digits, _")

    async def recreate() -> None:
        connection = await asyncpg.connect(pg_url)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
        await connection.close()

    asyncio.run(recreate())
    return pg_url.rsplit("/", 1)[0] + f"/{name}"


def _serve(module_args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, *module_args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start")


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (``/proc/<pid>/stat``), in seconds."""
    if not pid:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(client: httpx.Client, url: str, n: int, **headers: str) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status() if response.status_code != 304 else None
    return times


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _wrk(url: str, token: str, body: str, seconds: int) -> dict[str, float]:
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_BODY": body}
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c32",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(ROOT / "bench" / "post.lua"),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    for line in out.splitlines():
        if line.startswith("status "):
            print(f"{url}: {line}")
    return {
        "rps": rps,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


def _pdf_figures(count: int) -> tuple[float, float]:
    """Median report render (ms) and RSS growth (MB) of this process over ``count`` renders."""
    from helseiarbeid.clinic_track.schemas import (
        AssessmentOut,
        CaseOut,
        ClarificationUpdate,
        ConsultationOut,
        Decision,
        Destination,
        OnwardReferralOut,
        Priority,
    )
    from helseiarbeid.core.pdf import _render
    from helseiarbeid.core.roles import Role
    from helseiarbeid.core.users import CurrentUser
    from helseiarbeid.referrals.schemas import (
        Complaint,
        EmployerIn,
        GpOut,
        NavConsent,
        PatientIn,
        ReferralOut,
        Urgency,
        WorkStatus,
    )
    from helseiarbeid.referrals.status import Status

    now = datetime.now(UTC)
    referral = ReferralOut(
        id=1,
        reference="HIA-BENCH1",
        status=Status.IN_PROGRESS,
        received_at=now,
        assessment_due=date.today(),
        patient=PatientIn(
            national_id="01010112345", name="Pasient Benk", address="Benkveien 1", phone="90000000"
        ),
        employer=EmployerIn(name="Arbeidsgiver AS"),
        occupation="Lager",
        work_status=WorkStatus.SICK_LEAVE_GRADED,
        sick_leave_percent=50,
        sick_leave_since=date.today(),
        complaint=Complaint.BOTH,
        description="Beskrivelse. " * 40,
        complaint_duration="6 måneder",
        question="Spørsmål?",
        history="",
        medication="",
        urgency=Urgency.ROUTINE,
        urgency_reason="",
        consent_nav_participation=True,
        nav_consent=NavConsent.GIVEN,
        gp=GpOut(
            name="Fastlege",
            hpr_number="1234567",
            office_name="Kontor",
            office_address="Gate 1",
            office_phone="1",
        ),
        source="api",
        version=5,
        history_of_status=[],
        information_requests=[],
    )
    case = CaseOut(
        referral_id=1,
        status=Status.IN_PROGRESS,
        version=5,
        triage_notes=[],
        assessments=[
            AssessmentOut(
                id=1,
                decision=Decision.ACCEPTED,
                has_right_to_care=True,
                start_deadline=date.today(),
                priority=Priority.NORMAL,
                reason="",
                assessed_by="Lege",
                assessed_at=now,
            )
        ],
        consultations=[
            ConsultationOut(
                id=i,
                starts_at=now,
                ends_at=now + timedelta(hours=1),
                duration_minutes=60,
                location="Rom 2",
                staff=["Psykolog", "NAV-veileder"],
                letter_url=None,
            )
            for i in range(3)
        ],
        clarification=ClarificationUpdate(
            summary="Oppsummering. " * 60,
            coping_plan="Plan. " * 40,
            work_recommendations="Gradert arbeid. " * 30,
            follow_up="Oppfølging. " * 20,
        ),
        onward_referrals=[
            OnwardReferralOut(
                id=1,
                destination_type=Destination.PHYSIOTHERAPY,
                destination_name="Fysioterapi",
                reason="Trening.",
                created_at=now,
                letter_url="",
            )
        ],
        documents=[],
        information_requests=[],
    )
    author = CurrentUser(
        id=1,
        email="",
        name="Lege Benk",
        role=Role.PHYSICIAN,
        hpr_number="1234567",
        workplace_name="",
        workplace_address="",
        workplace_phone="",
    )
    context = {"referral": referral, "case": case, "author": author, "today": date.today()}
    _render("clinic_track/report_pdf.html", context)  # warm up fonts and caches
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times = []
    for _ in range(count):
        started = time.perf_counter()
        _render("clinic_track/report_pdf.html", context)
        times.append((time.perf_counter() - started) * 1000)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
    return statistics.median(times), grown


@dataclass
class Served:
    base: str
    tokens: dict[str, str]
    env: dict[str, str]
    generate_seconds: float
    server_pid: int = 0


def _prepare(engine: str, referrals: int, pg_url: str) -> Served:
    """A fresh database of the engine, migrated and filled, with API tokens for the bench."""
    url = _database(engine, pg_url)
    env = {
        **os.environ,
        "HELSEIARBEID_DATABASE_URL": url,
        "HELSEIARBEID_LOG_LEVEL": "WARNING",
        # Bench patients have synthetic national IDs (Tenor), as in a test environment.
        "HELSEIARBEID_ACCEPT_SYNTHETIC_IDS": "true",
        # The receiver of the directorate's example referral (St Olavs, Ortopedisk kirurgi).
        "HELSEIARBEID_HER_IDS": "59,90998",
    }
    _run("-m", "helseiarbeid", "migrate", env=env)
    started = time.perf_counter()
    _run("-m", "bench.generate", "--referrals", str(referrals), env=env)
    seconds = time.perf_counter() - started
    emails = {
        "gp": "bench-gp0@bench.example",
        "staff": "bench-staff0@bench.example",
        "coordinator": "bench-staff95@bench.example",
    }
    emails["messaging"] = "bench-messaging@bench.example"
    _run(
        *("-m", "helseiarbeid", "create-user", "--email", emails["messaging"]),
        *("--name", "Meldingsmottak", "--role", "messaging", "--no-password"),
        env=env,
    )
    tokens = {
        who: _run("-m", "helseiarbeid", "create-token", "--email", email, env=env)
        for who, email in emails.items()
    }
    return Served(base="", tokens=tokens, env=env, generate_seconds=seconds)


def _reads(client: httpx.Client, served: Served) -> dict[str, float]:
    """p95 of the worklist API and the dashboard page, as the coordinator."""
    auth = {"Authorization": f"Bearer {served.tokens['coordinator']}"}
    _timed(client, "/api/v1/clinic/worklist", 5, **auth)
    _timed(client, "/klinikk/oversikt", 5, **auth)
    worklist = _timed(client, "/api/v1/clinic/worklist", 60, **auth)
    dashboard = _timed(client, "/klinikk/oversikt", 40, **auth)
    return {"worklist_p95": _p(worklist, 95), "dashboard_p95": _p(dashboard, 95)}


def _feed(client: httpx.Client, served: Served) -> dict[str, float]:
    """The staff feed of 2,000 events: first build in a fresh process, 304s, and a rebuild
    after one of its sessions changed (what calendar clients mostly cause)."""
    feed = client.post(
        "/api/v1/calendar-feeds",
        json={"kind": "staff"},
        headers={"Authorization": f"Bearer {served.tokens['staff']}"},
    ).json()
    path = feed["url"].removeprefix(served.base)
    started = time.perf_counter()
    first = client.get(path)
    cold = (time.perf_counter() - started) * 1000
    first.raise_for_status()
    etag = first.headers["etag"]
    not_modified = _timed(client, path, 30, **{"If-None-Match": etag})
    _run("-m", "bench.generate", "--touch-feed", env=served.env)
    # Within a minute of a change every fetch builds the feed again (see calendar_feeds).
    rebuilt = _timed(client, path, 10, **{"If-None-Match": etag})
    return {
        "feed_events": float(first.text.count("BEGIN:VEVENT")),
        "feed_cold_ms": cold,
        "feed_304_ms": statistics.median(not_modified),
        "feed_rebuild_ms": statistics.median(rebuilt),
    }


MESSAGE_EXAMPLE = Path(__file__).resolve().parent.parent / "tests" / "messaging" / "examples"


def _messages(client: httpx.Client, served: Served, count: int = 2000) -> dict[str, float]:
    """Receiving the directorate's Henvisning 2.0 (new referral) ``count`` times, each with its
    own MsgId, one after another through POST /api/v1/messages (parse, validate, store the
    referral and the log, AppRec): p95 of one, and messages per second over all of them."""
    example = (MESSAGE_EXAMPLE / "Henvisning_ny_tilstand_v2-0_Ny.xml").read_bytes()
    msg_id = b"76665c90-3198-11e8-b566-0800200c9a66"
    headers = {
        "Authorization": f"Bearer {served.tokens['messaging']}",
        "Content-Type": "application/xml",
    }
    times = []
    cpu_before = _cpu_seconds(served.server_pid)
    started = time.perf_counter()
    for number in range(count):
        body = example.replace(msg_id, f"bench-{number:08d}".encode())
        before = time.perf_counter()
        response = client.post("/api/v1/messages", content=body, headers=headers)
        times.append((time.perf_counter() - before) * 1000)
        if response.status_code != 200 or b'<Status V="1"' not in response.content:
            raise RuntimeError(f"message {number}: {response.status_code} {response.text[:300]}")
    total = time.perf_counter() - started
    cpu = _cpu_seconds(served.server_pid) - cpu_before
    return {
        "message_server_cpu_ms": cpu * 1000 / count,
        "message_p50": _p(times, 50),
        "message_p95": _p(times, 95),
        "message_p99": _p(times, 99),
        "message_rate": count / total,
        "message_count": float(count),
    }


def _phase(
    engine: str, referrals: int, pg_url: str, measure: Any
) -> tuple[dict[str, float], Served, subprocess.Popen[bytes]]:
    served = _prepare(engine, referrals, pg_url)
    port = _free_port()
    server = _serve(["-m", "helseiarbeid", "serve", "--port", str(port)], served.env, port)
    served.base = f"http://127.0.0.1:{port}"
    served.server_pid = server.pid
    try:
        with httpx.Client(base_url=served.base, timeout=60) as client:
            figures = measure(client, served)
    except BaseException:
        _stop(server)
        raise
    return figures, served, server


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=20_000)
    parser.add_argument("--engine", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "HELSEIARBEID_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--pdfs", type=int, default=30)
    parser.add_argument("--load-seconds", type=int, default=10)
    parser.add_argument(
        "--growth-from",
        type=int,
        default=0,
        help="also measure the reads at this many referrals, to compare with --referrals",
    )
    parser.add_argument(
        "--sqlite-reads", action="store_true", help="also measure the reads on SQLite"
    )
    parser.add_argument(
        "--messages-only",
        action="store_true",
        help="only the health-message row (receiving Henvisning 2.0); its own RESULTS.md section",
    )
    parser.add_argument("--messages", type=int, default=2000, help="messages to receive")
    args = parser.parse_args()

    if args.messages_only:
        load_before = os.getloadavg()

        def messages(client: httpx.Client, served: Served) -> dict[str, float]:
            return _messages(client, served, args.messages)

        figures, served, server = _phase(args.engine, args.referrals, args.postgres_url, messages)
        _stop(server)
        _write_messages(args, figures, load_before, os.getloadavg())
        print(RESULTS.read_text())
        return

    extra: dict[str, float] = {}
    if args.growth_from:
        small, _, server = _phase(args.engine, args.growth_from, args.postgres_url, _reads)
        _stop(server)
        extra.update({f"small_{key}": value for key, value in small.items()})

    def everything(client: httpx.Client, served: Served) -> dict[str, float]:
        return {**_reads(client, served), **_feed(client, served), **_messages(client, served)}

    figures, served, server = _phase(args.engine, args.referrals, args.postgres_url, everything)
    try:
        from tests.referrals.factories import referral_body

        body = json.dumps(referral_body())
        load = _wrk(f"{served.base}/api/v1/referrals", served.tokens["gp"], body, args.load_seconds)
        figures.update({f"post_{k}": v for k, v in load.items()})
        figures["server_rss_mb"] = _rss_mb(server.pid)
    finally:
        _stop(server)

    bare_port = _free_port()
    bare = _serve(
        ["-m", "uvicorn", "bench.bare_app:app", "--port", str(bare_port), "--log-level", "warning"],
        served.env,
        bare_port,
    )
    try:
        bare_load = _wrk(f"http://127.0.0.1:{bare_port}/bare", "", body, args.load_seconds)
    finally:
        _stop(bare)
    figures["bare_rps"] = bare_load["rps"]
    figures["pdf_median_ms"], figures["pdf_growth_mb"] = _pdf_figures(args.pdfs)

    if args.sqlite_reads:
        on_sqlite, _, server = _phase("sqlite", args.referrals, args.postgres_url, _reads)
        _stop(server)
        extra.update({f"sqlite_{key}": value for key, value in on_sqlite.items()})

    _write(args, {**figures, **extra}, served.generate_seconds)
    print(RESULTS.read_text())


def _row(what: str, value: str, target: str, met: bool) -> str:
    return f"| {what} | {value} | {target} | {'yes' if met else '**no**'} |"


def _write(args: argparse.Namespace, f: dict[str, float], generate_seconds: float) -> None:
    pg = args.engine == "postgres"
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = (
        int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 1024**2
    )  # type: ignore[union-attr]
    limit = 150 if pg else 300
    engine = "PostgreSQL" if pg else "SQLite"
    size = f"{args.referrals // 1000}k"
    ratio = f["post_rps"] / f["bare_rps"]
    post = (
        f"{f['post_rps']:.0f} req/s (p99 {f['post_p99_ms']:.0f} ms, "
        f"{f['post_errors']:.0f} non-2xx); bare INSERT {f['bare_rps']:.0f} req/s; "
        f"ratio {ratio:.2f}"
    )
    events = f"{f['feed_events']:.0f}"
    rows = [
        _row("POST /api/v1/referrals, 32 connections", post, "≥ 0.5 × bare", ratio >= 0.5),
        _row(
            f"worklist API p95, {size}",
            f"{f['worklist_p95']:.0f} ms",
            f"< {limit} ms",
            f["worklist_p95"] < limit,
        ),
        _row(
            f"clinic dashboard page p95, {size}",
            f"{f['dashboard_p95']:.0f} ms",
            f"< {limit} ms",
            f["dashboard_p95"] < limit,
        ),
    ]
    if "sqlite_worklist_p95" in f:
        for name, key in (("worklist API", "worklist"), ("clinic dashboard page", "dashboard")):
            value = f[f"sqlite_{key}_p95"]
            rows.append(
                _row(f"{name} p95, {size}, SQLite", f"{value:.0f} ms", "< 300 ms", value < 300)
            )
    if "small_worklist_p95" in f:
        small = f"{args.growth_from // 1000}k"
        for name, key in (("worklist API", "worklist"), ("clinic dashboard page", "dashboard")):
            grown = f[f"{key}_p95"] / f[f"small_{key}_p95"]
            rows.append(
                _row(
                    f"growth of the {name} p95, {small} → {size}",
                    f"{f[f'small_{key}_p95']:.0f} → {f[f'{key}_p95']:.0f} ms ({grown:.2f}×)",
                    "< 2×",
                    grown < 2,
                )
            )
    rows += [
        _row(
            f"staff feed of {events} events, first build in a fresh process",
            f"{f['feed_cold_ms']:.0f} ms",
            "< 150 ms",
            f["feed_cold_ms"] < 150,
        ),
        _row(
            f"staff feed of {events} events, rebuilt after one session changed (median of 10)",
            f"{f['feed_rebuild_ms']:.0f} ms",
            "< 150 ms",
            f["feed_rebuild_ms"] < 150,
        ),
        _row(
            "staff feed, 304 path (median of 30)",
            f"{f['feed_304_ms']:.1f} ms",
            "< 5 ms",
            f["feed_304_ms"] < 5,
        ),
        _row(
            f"receiving one Henvisning 2.0 (POST /api/v1/messages: validate, store, AppRec), "
            f"p95 of {f['message_count']:,.0f}, {engine}",
            f"{f['message_p95']:.1f} ms ({f['message_rate']:.0f} messages/s one at a time)",
            "< 25 ms" if pg else "—",
            f["message_p95"] < 25 or not pg,
        ),
        _row(
            f"report PDF, median of {args.pdfs}",
            f"{f['pdf_median_ms']:.0f} ms",
            "< 400 ms",
            f["pdf_median_ms"] < 400,
        ),
        _row(
            f"report PDF, growth of the process over {args.pdfs} renders",
            f"{f['pdf_growth_mb']:.1f} MB",
            "< 50 MB (200 renders)",
            f["pdf_growth_mb"] < 50,
        ),
        _row(
            "server resident memory after the POST load",
            f"{f['server_rss_mb']:.0f} MB",
            "< 300 MB",
            f["server_rss_mb"] < 300,
        ),
    ]
    command = f"--referrals {args.referrals} --engine {args.engine} --pdfs {args.pdfs}"
    if args.growth_from:
        command += f" --growth-from {args.growth_from}"
    if args.sqlite_reads:
        command += " --sqlite-reads"
    lines = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `python -m bench.run {command}`.",
        "",
        f"- Machine: {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB memory, "
        f"Python {platform.python_version()}",
        f"- Engine: {engine}; one server worker (`helseiarbeid serve`); load from wrk in a "
        "separate process on loopback",
        f"- Data: {args.referrals:,} referrals over three years with status history and audit "
        "rows, 2,000 GPs, 100 staff, 5,000 enterprises, 22,000 sessions "
        f"(generated in {generate_seconds:.0f} s)",
        "",
        "| what | measured | target | met |",
        "|---|---|---|---|",
        *rows,
        "",
        "What the profiles showed, and what was done, is in bench/README.md.",
    ]
    previous = RESULTS.read_text() if RESULTS.exists() else ""
    messages = (
        MESSAGES_HEADING + previous.split(MESSAGES_HEADING)[1]
        if MESSAGES_HEADING in previous
        else ""
    )
    RESULTS.write_text("\n".join(lines) + "\n" + (f"\n{messages}" if messages else ""))


MESSAGES_HEADING = "## Receiving health messages (`--messages-only`)"


def _write_messages(
    args: argparse.Namespace,
    f: dict[str, float],
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    """Replace (or add) the health-message section at the end of RESULTS.md, keeping the
    full run's table above it."""
    pg = args.engine == "postgres"
    engine = "PostgreSQL" if pg else "SQLite"
    count = f"{f['message_count']:,.0f}"
    lines = [
        MESSAGES_HEADING,
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `python -m bench.run --messages-only "
        f"--referrals {args.referrals} --engine {args.engine} --messages {args.messages}`: "
        f"{count} copies of the directorate's Henvisning 2.0 (new referral), each with its own "
        "MsgId, posted one after another by one client over loopback to one server worker "
        f"(validate, store the referral and the message log, AppRec), on {engine} with "
        f"{args.referrals:,} referrals already stored.",
        "",
        f"- Machine: {os.cpu_count()} cores, shared with other work: load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after (1-minute).",
        "",
        "| what | measured | target | met |",
        "|---|---|---|---|",
        _row(
            f"receiving one Henvisning 2.0, p95 of {count}",
            f"{f['message_p95']:.1f} ms (p50 {f['message_p50']:.1f}, p99 {f['message_p99']:.1f})",
            "< 25 ms" if pg else "—",
            f["message_p95"] < 25 or not pg,
        ),
        _row(
            f"throughput over the {count} messages, one at a time",
            f"{f['message_rate']:.0f} messages/s",
            "—",
            True,
        ),
        _row(
            "CPU time of the server process per message (the app's own work, whatever the load)",
            f"{f['message_server_cpu_ms']:.1f} ms",
            "—",
            True,
        ),
        "",
    ]
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    kept = text.split(MESSAGES_HEADING)[0].rstrip() + "\n\n"
    RESULTS.write_text(kept + "\n".join(lines))


if __name__ == "__main__":
    main()
