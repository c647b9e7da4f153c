"""Load-test the Slack server against a minimal Bolt app, on loopback; prints figures only.

Usage: python bench/slack_load.py [--quick] [--rounds N] [--database-url URL] [--no-pin]

Both servers run as subprocesses on 127.0.0.1, each with its own fake Slack Web API (in this
process), and get the same signed requests:

- baseline: a minimal Bolt AsyncApp (same Bolt flags and Web API client logger level as
  ours) that acks /finops-path with one static block and answers a mention with one static
  say();
- ours: `finops-bot serve --host 127.0.0.1` on a copy of the bundled knowledge.

Printed: /finops-path throughput at 64 concurrent; mention throughput at 64 concurrent (full
FAQ match + answer, counted as chat.postMessage calls the fake API receives per second); the
server's CPU time per request during those runs (user + system, all threads, from /proc); p99
latency at 16 concurrent for both; ours/baseline ratios; RSS after 10,000 requests; time from
process start to a healthy /healthz; auth.test calls; failed requests during 20 admin reloads;
what our store (the default SQLite file, in the bench's temporary directory) recorded, and
its failure and drop counts.
With two or more CPUs the servers run on one CPU and the load generator and fake APIs on the
others, so absolute figures are a floor and the ratios are the point. Throughput and latency
are measured in N rounds (default 3) that alternate between the two servers, and the medians
are reported with each round's ratio: on this shared 2-core machine single runs swung by 30%,
while CPU per request (ratio = the throughput a server would reach on a CPU of its own, when
CPU is what limits it) varied by about 3%.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # everything stays on loopback
SECRET = "bench-signing-secret"  # noqa: S105 - a fake secret for a fake Slack
TOKEN = "xoxb-bench-token"  # noqa: S105
ADMIN = "U0ADMIN"
QUESTION = "How long is the FOCP exam and what is the format?"
STATIC_BLOCK = [{"type": "section", "text": {"type": "mrkdwn", "text": "A static path."}}]


# ----- the baseline server (run as a subprocess of this script)


def serve_baseline(port: int, api_url: str) -> None:
    """Run the minimal Bolt app on 127.0.0.1:*port* (called in the child process)."""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request  # noqa: PLC0415
    from slack_bolt.async_app import AsyncApp  # noqa: PLC0415
    from slack_sdk.web.async_client import AsyncWebClient  # noqa: PLC0415

    # The same Web API client settings as ours (bot/adapters/slack/app.py), so that the
    # ratio measures our work: slack_sdk's logger at INFO, which skips formatting each call
    # into a debug line nobody prints.
    web_logger = logging.getLogger("slack_sdk.web.async_client")
    web_logger.setLevel(logging.INFO)
    app = AsyncApp(
        name="baseline",
        client=AsyncWebClient(token=TOKEN, base_url=api_url, logger=web_logger),
        signing_secret=SECRET,
        process_before_response=False,
        request_verification_enabled=True,
        ignoring_self_events_enabled=True,
        attaching_conversation_kwargs_enabled=False,
    )

    @app.command("/finops-path")
    async def path(ack: Any) -> None:
        await ack(text="A static path.", blocks=STATIC_BLOCK, response_type="ephemeral")

    @app.event("app_mention")
    async def mention(event: dict[str, Any], say: Any) -> None:
        await say(text="A static answer.", thread_ts=event["ts"])

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    web_app.router.add_get("/healthz", healthz)
    web.run_app(web_app, host=HOST, port=port, print=None, access_log=None)


# ----- the fake Slack Web API (in this process)


@dataclass
class FakeApi:
    """Counts Web API calls and notes when each threaded answer arrived."""

    calls: Counter[str] = field(default_factory=Counter)
    answered_at: dict[str, float] = field(default_factory=dict)
    # thread_ts -> future a latency probe awaits (no polling: the driver shares this core).
    waiters: dict[str, asyncio.Future[float]] = field(default_factory=dict)
    webhook_texts: list[str] = field(default_factory=list)
    runner: web.AppRunner | None = None
    port: int = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/webhook", self._webhook)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, HOST, 0).start()
        self.port = self.runner.addresses[0][1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/api/"

    @property
    def webhook(self) -> str:
        return f"http://{HOST}:{self.port}/webhook"

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls[method] += 1
        if method == "auth.test":
            return web.json_response(
                {"ok": True, "user_id": "U_BOT", "bot_id": "B_BOT", "team_id": "T1", "user": "b"}
            )
        if method == "chat.postMessage":
            raw = await request.read()
            body = json.loads(raw) if request.content_type == "application/json" else {}
            if not body:
                body = dict(parse_qsl(raw.decode()))
            thread = str(body.get("thread_ts") or "")
            if thread:
                now = self.answered_at[thread] = time.perf_counter()
                waiter = self.waiters.pop(thread, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(now)
            return web.json_response({"ok": True, "ts": "1.1"})
        return web.json_response({"ok": True})

    async def _webhook(self, request: web.Request) -> web.Response:
        self.calls["webhook"] += 1
        self.webhook_texts.append(await request.text())
        return web.Response(text="ok")


# ----- signed requests


class Driver:
    """Sends signed Slack requests to one server and counts what came back."""

    def __init__(self, name: str, base: str, api: FakeApi, session: aiohttp.ClientSession):
        self.name = name
        self.base = base
        self.api = api
        self.session = session
        self.verifier = SignatureVerifier(SECRET)
        self.sent = 0
        self.failed = 0
        self._ids = 0

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    async def _post(self, body: str, content_type: str) -> bool:
        ts = str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=ts, body=body) or "",
        }
        self.sent += 1
        try:
            async with self.session.post(
                self.base + "/slack/events", data=body.encode(), headers=headers
            ) as resp:
                await resp.read()
                ok = resp.status == 200
        except (aiohttp.ClientError, TimeoutError):
            ok = False
        if not ok:
            self.failed += 1
        return ok

    async def command(
        self, command: str = "/finops-path", text: str = "sre 3 years", user: str = "U0USER"
    ) -> bool:
        form = {
            "team_id": "T1",
            "channel_id": "C0GENERAL",
            "user_id": user,
            "command": command,
            "text": text,
            "response_url": self.api.webhook,
            "trigger_id": "1.2.3",
            "api_app_id": "A1",
        }
        return await self._post(urlencode(form), "application/x-www-form-urlencoded")

    def next_ts(self) -> str:
        """Return a fresh message ts (which the answer carries back as thread_ts)."""
        return f"1700000000.{self._next_id():06d}"

    async def mention(self, ts: str | None = None) -> str:
        """Send one app_mention (with *ts* or a fresh one); return its ts."""
        n = self._next_id()
        ts = ts or f"1700000000.{n:06d}"
        envelope = {
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{self.name}{n}",
            "event_time": int(time.time()),
            "event": {
                "type": "app_mention",
                "user": "U0USER",
                "text": f"<@U_BOT> {QUESTION}",
                "ts": ts,
                "channel": "C0GENERAL",
                "event_ts": ts,
            },
        }
        await self._post(json.dumps(envelope), "application/json")
        return ts


async def run_workers(workers: int, total: int, job: Callable[[], Awaitable[Any]]) -> list[float]:
    """Run *job* *total* times over *workers* concurrent loops; return per-call seconds."""
    remaining = [total]
    samples: list[float] = []

    async def loop() -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            start = time.perf_counter()
            await job()
            samples.append(time.perf_counter() - start)

    await asyncio.gather(*(loop() for _ in range(workers)))
    return samples


async def until(predicate: Callable[[], bool], within: float, step: float = 0.001) -> bool:
    """Poll *predicate* until it holds or *within* seconds pass; return whether it held."""
    deadline = time.perf_counter() + within
    while not predicate():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(step)
    return True


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user and system, every thread) process *pid* has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Target:
    """One server under test: its process, fake API and driver."""

    name: str
    process: asyncio.subprocess.Process
    api: FakeApi
    driver: Driver
    started: float
    healthy_after: float = 0.0
    figures: dict[str, float] = field(default_factory=dict)
    # Each round's figure, by key; the report shows the median and the ratio's range.
    rounds: dict[str, list[float]] = field(default_factory=dict)


# The figures measured once per round (throughput at 64 concurrent, latency at 16).
ROUND_KEYS = (
    "slash_rps",
    "mention_pps",
    "slash_cpu_ms",
    "mention_cpu_ms",
    "slash_p50_ms",
    "slash_p99_ms",
    "mention_p50_ms",
    "mention_p99_ms",
)


async def start_target(
    name: str, session: aiohttp.ClientSession, workdir: Path, log: Path
) -> Target:
    """Start one server subprocess and wait until its /healthz answers 200."""
    api = FakeApi()
    await api.start()
    port = free_port()
    if name == "ours":
        knowledge = workdir / "knowledge"
        if not knowledge.exists():
            shutil.copytree(ROOT / "knowledge", knowledge)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": api.url,
            "PORT": str(port),
            "KNOWLEDGE_DIR": str(knowledge),
            "FINOPS_ADMINS": ADMIN,
            "FINOPS_STATE_FILE": str(workdir / "state.json"),
            # The default store: an SQLite file (kept out of the repository), or the
            # PostgreSQL named with --database-url.
            **(
                {"DATABASE_URL": DATABASE_URL}
                if DATABASE_URL
                else {"FINOPS_DB_PATH": str(workdir / "finops.db")}
            ),
        }
        cmd = [sys.executable, "-m", "bot", "serve", "--host", HOST]
    else:
        env = {"PATH": os.environ.get("PATH", "")}
        cmd = [sys.executable, __file__, "--serve-baseline", str(port), api.url]
    started = time.perf_counter()
    with log.open("ab") as handle:
        process = await asyncio.create_subprocess_exec(
            *cmd, env=env, cwd=ROOT, stdout=handle, stderr=handle, preexec_fn=_pin_server
        )
    base = f"http://{HOST}:{port}"
    target = Target(name, process, api, Driver(name, base, api, session), started)
    deadline = started + 30
    while True:
        if process.returncode is not None or time.perf_counter() > deadline:
            raise SystemExit(f"{name} did not become healthy; see {log}")
        try:
            async with session.get(base + "/healthz") as resp:
                if resp.status == 200:
                    break
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.01)
    target.healthy_after = time.perf_counter() - started
    return target


def _pin_server() -> None:
    """Run in the child before it starts: keep the server (and its threads) on its CPU."""
    if SERVER_CPU is not None:
        os.sched_setaffinity(0, {SERVER_CPU})


async def slash_throughput(t: Target, total: int) -> None:
    cpu = cpu_seconds(t.process.pid)
    start = time.perf_counter()
    await run_workers(64, total, t.driver.command)
    t.figures["slash_rps"] = total / (time.perf_counter() - start)
    t.figures["slash_cpu_ms"] = (cpu_seconds(t.process.pid) - cpu) / total * 1000


async def mention_throughput(t: Target, total: int) -> None:
    before = t.api.calls["chat.postMessage"]
    cpu = cpu_seconds(t.process.pid)
    start = time.perf_counter()
    await run_workers(64, total, t.driver.mention)
    await until(lambda: t.api.calls["chat.postMessage"] - before >= total, 30)
    done = t.api.calls["chat.postMessage"] - before
    t.figures["mention_pps"] = done / (time.perf_counter() - start)
    t.figures["mention_cpu_ms"] = (cpu_seconds(t.process.pid) - cpu) / max(done, 1) * 1000
    t.figures["mentions_lost"] = total - done


async def latencies(t: Target, total: int) -> None:
    samples = await run_workers(16, total, t.driver.command)
    t.figures["slash_p99_ms"] = p99(samples) * 1000
    t.figures["slash_p50_ms"] = statistics.median(samples) * 1000

    answered: list[float] = []
    loop = asyncio.get_running_loop()

    async def one() -> None:
        ts = t.driver.next_ts()
        waiter = t.api.waiters[ts] = loop.create_future()
        start = time.perf_counter()
        await t.driver.mention(ts)
        try:
            answered.append(await asyncio.wait_for(waiter, 10) - start)
        except TimeoutError:
            t.api.waiters.pop(ts, None)

    await run_workers(16, total, one)
    t.figures["mention_p99_ms"] = p99(answered) * 1000
    t.figures["mention_p50_ms"] = statistics.median(answered) * 1000


async def reloads_under_load(t: Target, seconds: float) -> tuple[int, int, int, int]:
    """Drive mixed load while sending 20 admin reloads; return (requests, failed, ok, lost)."""
    driver = t.driver
    sent0, failed0 = driver.sent, driver.failed
    posts0 = t.api.calls["chat.postMessage"]
    mentions = 0
    stop = time.perf_counter() + seconds

    async def load() -> None:
        nonlocal mentions
        n = 0
        while time.perf_counter() < stop:
            n += 1
            if n % 2:
                await driver.command()
            else:
                await driver.mention()
                mentions += 1

    async def reloads() -> None:
        for _ in range(20):
            await driver.command("/finops-admin", "reload", user=ADMIN)
            await asyncio.sleep(seconds / 24)

    webhooks0 = len(t.api.webhook_texts)
    await asyncio.gather(reloads(), *(load() for _ in range(32)))
    await until(lambda: t.api.calls["chat.postMessage"] - posts0 >= mentions, 10, 0.01)
    await until(lambda: len(t.api.webhook_texts) - webhooks0 >= 20, 10, 0.01)
    reload_ok = sum("Knowledge reloaded" in text for text in t.api.webhook_texts[webhooks0:])
    lost = mentions - (t.api.calls["chat.postMessage"] - posts0)
    return driver.sent - sent0, driver.failed - failed0, reload_ok, lost


DATABASE_URL = ""
# With two or more CPUs, the servers run on one CPU and this process (load generator and fake
# APIs) on another, so that neither steals the other's time; None runs everything anywhere.
SERVER_CPU: int | None = None


async def bench(quick: bool, rounds: int) -> None:
    scale = 0.25 if quick else 1.0
    n_slash, n_mention, n_latency = int(3000 * scale), int(3000 * scale), int(1000 * scale)
    connector = aiohttp.TCPConnector(limit=128)
    timeout = aiohttp.ClientTimeout(total=30)
    targets: list[Target] = []
    wall = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="finops-bench-") as tmp:
        workdir = Path(tmp)
        log = workdir / "servers.log"
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            try:
                for name in ("baseline", "ours"):
                    targets.append(await start_target(name, session, workdir, log))
                for t in targets:
                    await run_workers(16, 200, t.driver.command)  # warm-up
                    await run_workers(16, 100, t.driver.mention)
                lost = dict.fromkeys(("baseline", "ours"), 0.0)
                for _ in range(rounds):
                    # Interleaved rounds: whatever else the machine does hits both alike.
                    for t in targets:
                        await slash_throughput(t, n_slash)
                        await mention_throughput(t, n_mention)
                        await latencies(t, n_latency)
                        lost[t.name] += t.figures["mentions_lost"]
                        for key in ROUND_KEYS:
                            t.rounds.setdefault(key, []).append(t.figures[key])
                for t in targets:
                    for key in ROUND_KEYS:
                        t.figures[key] = statistics.median(t.rounds[key])
                    t.figures["mentions_lost"] = lost[t.name]
                    while t.driver.sent < 10_000:
                        await run_workers(64, min(2000, 10_000 - t.driver.sent), t.driver.command)
                    t.figures["rss_mib"] = rss_mib(t.process.pid)
                    t.figures["requests"] = t.driver.sent
                ours = targets[1]
                reload_figures = await reloads_under_load(ours, 6.0 * max(scale, 0.5))
                async with session.get(ours.driver.base + "/healthz") as resp:
                    store_health = (await resp.json()).get("store", {})
            finally:
                for t in targets:
                    t.process.terminate()
                for t in targets:
                    await asyncio.wait_for(t.process.wait(), 10)
                    if t.api.runner is not None:
                        await t.api.runner.cleanup()
            report(targets, reload_figures, time.perf_counter() - wall)
            report_store(store_health, workdir / "finops.db", ours.driver.sent)


def report_store(health: dict[str, Any], db: Path, sent: int) -> None:
    """Print what the store recorded (read from the SQLite file after the server stopped)."""
    if DATABASE_URL:
        print(
            f"store (postgresql): failures {health.get('failures')}, "
            f"dropped {health.get('dropped')} over {sent} requests (from /healthz)"
        )
        return
    with sqlite3.connect(db) as conn:
        questions = conn.execute("SELECT count(*) FROM finops_questions").fetchone()[0]
        claims = conn.execute("SELECT count(*) FROM finops_dedup").fetchone()[0]
        audit = conn.execute("SELECT count(*) FROM finops_admin_actions").fetchone()[0]
    print(
        f"store (sqlite): {questions} questions, {claims} dedup claims, {audit} admin actions "
        f"recorded over {sent} requests; failures {health.get('failures')}, "
        f"dropped {health.get('dropped')} (from /healthz before shutdown)"
    )


def report(targets: list[Target], reload_figures: tuple[int, int, int, int], wall: float) -> None:
    base, ours = targets
    rows = [
        ("/finops-path throughput @64 (req/s)", "slash_rps", "{:.0f}"),
        ("mention answers @64 (postMessage/s)", "mention_pps", "{:.0f}"),
        ("server CPU per /finops-path (ms)", "slash_cpu_ms", "{:.3f}"),
        ("server CPU per mention answer (ms)", "mention_cpu_ms", "{:.3f}"),
        ("/finops-path p50 @16 (ms)", "slash_p50_ms", "{:.1f}"),
        ("/finops-path p99 @16 (ms)", "slash_p99_ms", "{:.1f}"),
        ("mention->answer p50 @16 (ms)", "mention_p50_ms", "{:.1f}"),
        ("mention->answer p99 @16 (ms)", "mention_p99_ms", "{:.1f}"),
        ("RSS after requests (MiB)", "rss_mib", "{:.1f}"),
        ("requests sent", "requests", "{:.0f}"),
        ("mentions never answered", "mentions_lost", "{:.0f}"),
    ]
    n = len(base.rounds.get(ROUND_KEYS[0], []))
    print(f"medians of {n} interleaved round(s); last column: each round's ratio, low to high")
    print(f"{'':40} {'baseline':>10} {'ours':>10} {'ours/base':>10}  per round")
    for label, key, fmt in rows:
        b, o = base.figures.get(key, float("nan")), ours.figures.get(key, float("nan"))
        ratio = f"{o / b:.2f}" if b else "-"
        spread = ""
        if key in ours.rounds:
            each = sorted(x / y for x, y in zip(ours.rounds[key], base.rounds[key], strict=True))
            spread = f"{each[0]:.2f}-{each[-1]:.2f}"
        print(f"{label:40} {fmt.format(b):>10} {fmt.format(o):>10} {ratio:>10}  {spread}")
    print(
        f"{'time to healthy after start (s)':40} {base.healthy_after:>10.2f} "
        f"{ours.healthy_after:>10.2f} {ours.healthy_after / base.healthy_after:>10.2f}"
    )
    print(
        f"{'auth.test calls':40} {base.api.calls['auth.test']:>10} "
        f"{ours.api.calls['auth.test']:>10}"
    )
    sent, failed, reload_ok, lost = reload_figures
    print(
        f"20 admin reloads under load (ours): {sent} requests, {failed} failed, "
        f"{reload_ok}/20 reloads reported ok, {lost} mentions unanswered"
    )
    print(f"total bench time: {wall:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a quarter of the requests")
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved measuring rounds (default 3)"
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="run our server's store on this PostgreSQL (loopback only) instead of SQLite",
    )
    parser.add_argument(
        "--no-pin",
        action="store_true",
        help="let servers and load generator share every CPU (default: a CPU for the servers)",
    )
    parser.add_argument(
        "--serve-baseline", nargs=2, metavar=("PORT", "API_URL"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve_baseline:
        serve_baseline(int(args.serve_baseline[0]), args.serve_baseline[1])
        return 0
    global DATABASE_URL, SERVER_CPU  # noqa: PLW0603 - run-wide settings, read at server start
    DATABASE_URL = args.database_url
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) >= 2 and not args.no_pin:
        SERVER_CPU = cpus[-1]
        os.sched_setaffinity(0, set(cpus[:-1]))
    print(
        f"servers on CPU {SERVER_CPU}, load generator on CPUs {cpus[:-1]}"
        if SERVER_CPU is not None
        else "servers and load generator share every CPU"
    )
    asyncio.run(bench(args.quick, max(1, args.rounds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
