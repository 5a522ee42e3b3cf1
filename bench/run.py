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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

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

    async def recreate() -> None:
        connection = await asyncpg.connect(pg_url)
        await connection.execute('DROP DATABASE IF EXISTS "helseiarbeid_bench" WITH (FORCE)')
        await connection.execute('CREATE DATABASE "helseiarbeid_bench"')
        await connection.close()

    asyncio.run(recreate())
    return pg_url.rsplit("/", 1)[0] + "/helseiarbeid_bench"


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
    args = parser.parse_args()

    url = _database(args.engine, args.postgres_url)
    env = {**os.environ, "HELSEIARBEID_DATABASE_URL": url, "HELSEIARBEID_LOG_LEVEL": "WARNING"}
    _run("-m", "helseiarbeid", "migrate", env=env)
    started = time.perf_counter()
    _run("-m", "bench.generate", "--referrals", str(args.referrals), env=env)
    generate_seconds = time.perf_counter() - started
    gp_token = _run(
        "-m", "helseiarbeid", "create-token", "--email", "bench-gp0@bench.example", env=env
    )
    staff_token = _run(
        "-m", "helseiarbeid", "create-token", "--email", "bench-staff0@bench.example", env=env
    )
    coordinator_token = _run(
        "-m", "helseiarbeid", "create-token", "--email", "bench-staff95@bench.example", env=env
    )

    port = _free_port()
    server = _serve(["-m", "helseiarbeid", "serve", "--port", str(port)], env, port)
    base = f"http://127.0.0.1:{port}"
    figures: dict[str, float] = {}
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            auth = {"Authorization": f"Bearer {coordinator_token}"}
            _timed(client, "/api/v1/clinic/worklist", 3, **auth)
            worklist = _timed(client, "/api/v1/clinic/worklist", 40, **auth)
            dashboard = _timed(client, "/klinikk/oversikt", 20, **auth)
            figures["worklist_p95"] = _p(worklist, 95)
            figures["dashboard_p95"] = _p(dashboard, 95)
            feed = client.post(
                "/api/v1/calendar-feeds",
                json={"kind": "staff"},
                headers={"Authorization": f"Bearer {staff_token}"},
            ).json()
            feed_path = feed["url"].removeprefix(base)
            built = _timed(client, feed_path, 1)
            response = client.get(feed_path)
            figures["feed_events"] = response.text.count("BEGIN:VEVENT")
            figures["feed_build_ms"] = built[0]
            not_modified = _timed(
                client, feed_path, 20, **{"If-None-Match": response.headers["etag"]}
            )
            figures["feed_304_ms"] = statistics.median(not_modified)
        from tests.referrals.factories import referral_body

        body = json.dumps(referral_body())
        load = _wrk(f"{base}/api/v1/referrals", gp_token, body, args.load_seconds)
        figures.update({f"post_{k}": v for k, v in load.items()})
        figures["server_rss_mb"] = _rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)

    bare_port = _free_port()
    bare = _serve(
        ["-m", "uvicorn", "bench.bare_app:app", "--port", str(bare_port), "--log-level", "warning"],
        env,
        bare_port,
    )
    try:
        bare_load = _wrk(f"http://127.0.0.1:{bare_port}/bare", "", body, args.load_seconds)
    finally:
        bare.terminate()
        bare.wait(timeout=10)
    figures["bare_rps"] = bare_load["rps"]
    figures["pdf_median_ms"], figures["pdf_growth_mb"] = _pdf_figures(args.pdfs)

    _write(args, figures, generate_seconds)
    print(RESULTS.read_text())


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
    ratio = f["post_rps"] / f["bare_rps"]
    post = (
        f"{f['post_rps']:.0f} req/s (p99 {f['post_p99_ms']:.0f} ms, "
        f"{f['post_errors']:.0f} non-2xx); bare INSERT {f['bare_rps']:.0f} req/s; "
        f"ratio {ratio:.2f}"
    )
    rows = [
        ("POST /api/v1/referrals, 32 connections", post, "≥ 0.5 × bare", ratio >= 0.5),
        (
            "worklist API p95",
            f"{f['worklist_p95']:.0f} ms",
            f"< {limit} ms",
            f["worklist_p95"] < limit,
        ),
        (
            "clinic dashboard page p95",
            f"{f['dashboard_p95']:.0f} ms",
            f"< {limit} ms",
            f["dashboard_p95"] < limit,
        ),
        (
            f"staff feed of {f['feed_events']:.0f} events, first build",
            f"{f['feed_build_ms']:.0f} ms",
            "< 150 ms",
            f["feed_build_ms"] < 150,
        ),
        (
            "staff feed, 304 path (median)",
            f"{f['feed_304_ms']:.1f} ms",
            "< 5 ms",
            f["feed_304_ms"] < 5,
        ),
        (
            f"report PDF, median of {args.pdfs}",
            f"{f['pdf_median_ms']:.0f} ms",
            "< 400 ms",
            f["pdf_median_ms"] < 400,
        ),
        (
            f"report PDF, growth over {args.pdfs} renders",
            f"{f['pdf_growth_mb']:.1f} MB",
            "< 50 MB (200 renders)",
            f["pdf_growth_mb"] < 50,
        ),
        (
            "server resident memory after the POST load",
            f"{f['server_rss_mb']:.0f} MB",
            "< 300 MB",
            f["server_rss_mb"] < 300,
        ),
    ]
    lines = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `python -m bench.run` "
        f"(`--referrals {args.referrals} --engine {args.engine}`).",
        "",
        f"- Machine: {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB memory, "
        f"Python {platform.python_version()}",
        f"- Engine: {'PostgreSQL' if pg else 'SQLite'}; one server worker; "
        "load from wrk in a separate process on loopback",
        f"- Data: {args.referrals:,} referrals with status history and audit rows, "
        "2,000 GPs, 100 staff, "
        f"5,000 enterprises, 22,000 sessions (generated in {generate_seconds:.0f} s)",
        "",
        "| what | measured | target | met |",
        "|---|---|---|---|",
        *[
            f"| {what} | {value} | {target} | {'yes' if met else '**no**'} |"
            for what, value, target, met in rows
        ],
        "",
        "Not yet measured: the 20k-vs-200k growth comparison and the fault tests.",
    ]
    RESULTS.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
