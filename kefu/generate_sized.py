"""The sized sample generator (`kefu generate --size M|L`): realistic scale shapes streamed into business-date folders
by worker processes, one shard of shops each; the small seed-42 sample (size S) is kefu.generate's own."""
from __future__ import annotations

import json
import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from kefu.generate import (
    PLATFORMS,
    TABLE_COLUMNS,
    TOPICS,
    _World,
    _bad_rows,
    _browse,
    _chat_visit,
    _day_time,
    _plant,
    _ts,
    _write,
    _write_text,
)
from kefu.landing import business_date_columns

# --- sizes M and L: many shops of mixed size, one promotion day, streamed to date folders --------------------------
SIZES = {
    # messages: the raw_messages target over the default days (the promotion day included)
    # zipf: shop volume ~ 1 / rank^zipf, chosen so the biggest shop of the default count needs about 40 agents
    "M": dict(messages=5_000_000, days=30, shops=100, zipf=0.9),
    "L": dict(messages=30_000_000, days=60, shops=250, zipf=0.6),
}
PROMO_DAY_INDEX = 10  # day 10 of the period: 2026-11-11 (双11) from the default start
PROMO_FACTOR = 3.5  # buyer arrivals on the promotion day / an ordinary day
# the promotion day's curve: the midnight kick-off and the evening rush (an ordinary day follows _day_time)
PROMO_HOUR_WEIGHTS = [30, 22, 8, 2, 1, 1, 1, 2, 4, 6, 9, 9, 8, 7, 7, 7, 7, 7, 8, 10, 20, 28, 24, 14]
PROMO_CUM = [sum(PROMO_HOUR_WEIGHTS[: h + 1]) for h in range(24)]
# reply delays stretch with the promotion day's load: x(1 + PROMO_PRESSURE * hour weight / peak weight)
PROMO_PRESSURE = 1.0
MESSAGES_PER_ARRIVAL = 4.7  # raw_messages per buyer arrival (measured on generated M data)
CHAT_SHARE = 0.69  # sessions per buyer arrival
CHATS_PER_AGENT_DAY = 80  # staffing: agents = ordinary-day sessions / this, clamped to 3..40
SHARDS = 2  # shops are split into this many shards (file part-<shard>); fixed, so output ignores --workers
# the column that dates each table's rows (the sources YAML's meta.business_date); raw_order_items follow their
# order's created_at; raw_agents and raw_faq_questions stay flat
DATE_COLUMN = business_date_columns()
FLAT_TABLES = ("raw_agents", "raw_faq_questions")


class _FastRandom(random.Random):
    """M/L only: choice / randrange / randint from one random() call each (stdlib's are 2-3x slower; S keeps them)."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randrange(self, start, stop=None):
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))

    def randint(self, a, b):
        return a + int(self.random() * (b - a + 1))


class _ShopWorld(_World):
    """One shop's world (M/L): own random stream; ids carry a tag (shop index) so they are unique across the run."""

    def __init__(self, seed, start: datetime, days: int, tag: str):
        super().__init__(seed, start, days)
        self.rng = _FastRandom(seed)
        self.tag = tag
        self.pressure = 1.0

    def next_id(self, kind: str, width: int) -> str:
        self.n[kind] += 1
        return f"{kind}{self.tag}{self.n[kind]:08d}"

    def reply_delay(self) -> float:
        return super().reply_delay() * self.pressure


def _promo_time(rng: random.Random, day: datetime) -> datetime:
    hour = rng.choices(range(24), cum_weights=PROMO_CUM)[0]
    return day + timedelta(hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))


def _sized_shops(n: int, seed: int, days: int, arrivals_per_shop: float, zipf: float):
    """n shops, platforms in turn, long-tailed sizes (Zipf over a shuffled rank), agents by volume (3..40)."""
    rng = random.Random(f"kefu-layout-{seed}")
    ranks = list(range(n))
    rng.shuffle(ranks)
    raw = [1.0 / (r + 1) ** zipf for r in ranks]
    mean = sum(raw) / n
    shops = []
    for i in range(n):
        platform, code = PLATFORMS[i % 4]
        sid = f"{code}{i // 4 + 1:03d}"
        arrivals = arrivals_per_shop * raw[i] / mean
        n_agents = max(3, min(40, round(arrivals * CHAT_SHARE / CHATS_PER_AGENT_DAY)))
        n_after = max(1, n_agents // 6)
        agents = [f"{sid}_a{k:02d}" for k in range(1, n_agents + 1)]
        shops.append(dict(platform=platform, shop_id=sid, agents=agents, index=i, presale=agents[:-n_after],
                          after=agents[-n_after:], weights=[rng.choice([1, 1, 2, 3]) for _ in agents[:-n_after]],
                          max_concurrent=[rng.choice([6, 8, 10, 12]) for _ in agents], arrivals=arrivals,
                          buyers=max(50, int(arrivals * days * 0.6)),
                          faqs=[f"{sid}_f{k:02d}" for k in range(1, 7)]))
    return shops


def _roster_and_faqs(shops, start: datetime) -> dict[str, list[dict]]:
    rows = {"raw_agents": [], "raw_faq_questions": []}
    for shop in shops:
        for k, a in enumerate(shop["agents"]):
            presale = k < len(shop["presale"])
            row = dict(agent_id=a, platform=shop["platform"], shop_id=shop["shop_id"], agent_name=f"客服{k + 1}",
                       group_name="售前" if presale else "售后", routing_weight=shop["weights"][k] if presale else 1,
                       max_concurrent=shop["max_concurrent"][k], is_active=True,
                       updated_at=_ts(start - timedelta(days=30)))
            rows["raw_agents"].append(row)
            if k == 1:  # a routing-weight change mid-period (two versions), as in S
                rows["raw_agents"].append({**row, "routing_weight": 3, "updated_at": _ts(start + timedelta(days=2))})
        for k, f in enumerate(shop["faqs"]):
            rows["raw_faq_questions"].append(dict(faq_id=f, platform=shop["platform"], shop_id=shop["shop_id"],
                                                  topic=TOPICS[k % len(TOPICS)], question=f"常见问题{k + 1}"))
    return rows


def _agent_day_status(w: _World, shop, base: datetime, promo: bool):
    """Early (08:00-18:00) and late (14:00-23:45) shifts with a busy and an away spell; on the promotion day every
    agent is also online for the midnight kick-off (00:00-02:30) and the early shift runs to 20:00."""
    rng, rows = w.rng, w.rows["raw_agent_status"]
    for k, a in enumerate(shop["agents"]):
        if not promo and rng.random() < 0.08:
            continue  # a day off
        if promo:
            rows.append(dict(agent_id=a, status="online", started_at=_ts(base),
                             ended_at=_ts(base + timedelta(hours=2, minutes=30))))
        late = k % 3 == 2
        on = base + timedelta(hours=14 if late else 8, minutes=rng.randrange(0, 30))
        off = base + (timedelta(hours=23, minutes=45) if late else timedelta(hours=20 if promo else 18))
        busy = on + timedelta(hours=3, minutes=rng.randrange(0, 60))
        rows += [dict(agent_id=a, status="online", started_at=_ts(on), ended_at=_ts(busy)),
                 dict(agent_id=a, status="busy", started_at=_ts(busy), ended_at=_ts(busy + timedelta(minutes=45))),
                 dict(agent_id=a, status="away", started_at=_ts(busy + timedelta(minutes=45)),
                      ended_at=_ts(busy + timedelta(minutes=90))),
                 dict(agent_id=a, status="online", started_at=_ts(busy + timedelta(minutes=90)), ended_at=_ts(off))]


def _simulate_shop_day(w: _ShopWorld, shop, day: int, promo: bool):
    """One business day of one shop: buyer arrivals on the day's curve, each browsing, ordering silently or
    chatting (the same _chat_visit as S); on the promotion day PROMO_FACTOR x the arrivals, reply delays stretched."""
    rng, sid = w.rng, shop["shop_id"]
    base = w.start + timedelta(days=day)
    _agent_day_status(w, shop, base, promo)
    when = _promo_time if promo else _day_time
    peak = max(PROMO_HOUR_WEIGHTS)
    arrivals = round(shop["arrivals"] * (PROMO_FACTOR if promo else 1.0) * rng.uniform(0.85, 1.15))
    for _ in range(arrivals):
        b = f"{sid}_b{rng.randrange(1, shop['buyers'] + 1):07d}"
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            _browse(w, shop, b, when(rng, base))
        r = rng.random()
        if r < 0.45:
            continue  # visitor only
        if r < 0.52:
            t = when(rng, base)
            w.order(shop, b, t, pay_delay_s=rng.choice([20, 60, 600, None]))  # silent buyer
            continue
        for _ in range(rng.choice([1, 1, 1, 2])):
            t = when(rng, base)
            w.pressure = 1.0 + PROMO_PRESSURE * PROMO_HOUR_WEIGHTS[t.hour] / peak if promo else 1.0
            _chat_visit(w, shop, b, t, shop["agents"], shop["presale"], shop["weights"], shop["after"], shop["faqs"])
    w.pressure = 1.0


def _valid_day(value) -> str | None:
    try:
        return datetime.strptime(value[:10], "%Y-%m-%d").strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return None


class _DateBuffer:
    """Rows by (business date, table) for one output part; a date is written once, when it is complete."""

    def __init__(self, out: Path, part: str, fallback_day: str, check: bool = False):
        self.out, self.part, self.fallback, self.check = out, part, fallback_day, check
        self.rows: dict[str, dict[str, list[dict]]] = {}
        self.written: set[str] = set()
        self.counts = {t: 0 for t in TABLE_COLUMNS}

    def _day(self, value) -> str:
        if self.check:  # planted and bad rows: an unparsable timestamp lands on the fallback day
            return _valid_day(value) or self.fallback
        return value[:10]

    def take(self, w: _World):
        """Move a world's finished rows into the buffer (the world's lists are emptied)."""
        created = {o["order_id"]: self._day(o["created_at"]) for o in w.rows["raw_orders"]}
        for table, rows in w.rows.items():
            if not rows or table in FLAT_TABLES:
                continue
            column = DATE_COLUMN.get(table)
            days = ([self._day(row[column]) for row in rows] if column else
                    [created.get(row["order_id"], self.fallback) for row in rows])
            first = days[0]
            if days.count(first) == len(days):  # the usual case: the whole batch on one date
                self.rows.setdefault(first, {}).setdefault(table, []).extend(rows)
            else:
                for day, row in zip(days, rows):
                    self.rows.setdefault(day, {}).setdefault(table, []).append(row)
            rows.clear()

    def flush(self, before: str | None = None):
        """Write every buffered date earlier than `before` (all when None)."""
        for day in sorted(d for d in self.rows if before is None or d < before):
            if day in self.written:
                raise RuntimeError(f"date {day} written twice for part {self.part}")
            for table, rows in self.rows.pop(day).items():
                folder = self.out / table / f"date={day}"
                folder.mkdir(parents=True, exist_ok=True)
                _write_text(rows, TABLE_COLUMNS[table], folder / f"part-{self.part}.parquet")
                self.counts[table] += len(rows)
            self.written.add(day)


def _run_shard(job) -> dict:
    """Simulate a shard's shops day by day; write each date as soon as no later activity can add to it."""
    import resource

    out, shard, shops, seed, start, days, promo_index = job
    buffer = _DateBuffer(Path(out), str(shard), _ts(start)[:10])
    worlds = [_ShopWorld(f"kefu-{seed}-shop-{shop['index']}", start, days, f"{shop['index']:04d}") for shop in shops]
    for w, shop in zip(worlds, shops):
        # history: paid orders before the period (after-sale context for some buyers)
        for _ in range(int(shop["buyers"] * 0.12)):
            b = f"{shop['shop_id']}_b{w.rng.randrange(1, shop['buyers'] + 1):07d}"
            w.order(shop, b, start - timedelta(days=w.rng.randint(2, 30), hours=-w.rng.randint(9, 20)), pay_delay_s=90)
        buffer.take(w)
    for day in range(days):
        # activity starting on `day` never lands earlier: every date before it is complete
        buffer.flush(before=_ts(start + timedelta(days=day))[:10])
        for w, shop in zip(worlds, shops):
            _simulate_shop_day(w, shop, day, day == promo_index)
            buffer.take(w)
    buffer.flush()
    return dict(counts=buffer.counts, peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def _generate_sized(out: Path, size: str, seed: int, shops: int | None, days: int | None, start: str, scale: float,
                    workers: int) -> tuple[dict[str, int], dict]:
    spec = SIZES[size]
    days = spec["days"] if days is None else days
    n_shops = spec["shops"] if shops is None else shops
    begin = datetime.strptime(start, "%Y-%m-%d")
    promo_index = PROMO_DAY_INDEX if days > PROMO_DAY_INDEX else days // 2
    # arrivals per shop and ordinary day so that the default shops x days give the size's message target
    arrivals = spec["messages"] * scale / MESSAGES_PER_ARRIVAL / (spec["days"] - 1 + PROMO_FACTOR) / spec["shops"]
    shop_list = _sized_shops(n_shops, seed, days, arrivals, spec["zipf"])
    out.mkdir(parents=True, exist_ok=True)
    for table in TABLE_COLUMNS:
        shutil.rmtree(out / table, ignore_errors=True)
    (out / "_manifest.json").unlink(missing_ok=True)
    # shards balanced by expected volume (largest first onto the lightest shard); fixed, whatever --workers says
    shards: list[list[dict]] = [[] for _ in range(SHARDS)]
    load = [0.0] * SHARDS
    for shop in sorted(shop_list, key=lambda s: (-s["arrivals"], s["index"])):
        k = min(range(SHARDS), key=lambda j: (load[j], j))
        shards[k].append(shop)
        load[k] += shop["arrivals"]
    jobs = [(str(out), k, sorted(shard, key=lambda s: s["index"]), seed, begin, days, promo_index)
            for k, shard in enumerate(shards)]
    if workers > 1:
        # fresh ("spawn") worker processes: forking a process that runs threads (a test runner, a scheduler) can copy
        # a held lock into the child and hang the pool
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(workers, SHARDS), mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_run_shard, jobs))
    else:
        results = [_run_shard(job) for job in jobs]
    # planted cases and bad rows: their own world and part file, as in S
    w = _ShopWorld(f"kefu-{seed}-planted", begin, days, "x")
    _plant(w, shop_list)
    _bad_rows(w, shop_list)
    extra = _DateBuffer(out, str(SHARDS), _ts(begin + timedelta(days=2))[:10], check=True)
    extra.take(w)
    extra.flush()
    counts = {t: extra.counts[t] + sum(r["counts"][t] for r in results) for t in TABLE_COLUMNS}
    for table, rows in _roster_and_faqs(shop_list, begin).items():
        (out / table).mkdir(parents=True, exist_ok=True)
        _write(rows, TABLE_COLUMNS[table], out / table / "part-0.parquet")
        counts[table] = len(rows)
    manifest = dict(size=size, seed=seed, shops=n_shops, days=days, start=start, scale=scale, counts=counts,
                    promo_date=_ts(begin + timedelta(days=promo_index))[:10], layout="date-partitioned",
                    planted=w.planted, bad_rows=w.bad,
                    shop_list=[dict(platform=s["platform"], shop_id=s["shop_id"], agents=s["agents"],
                                    after_sale_agents=s["after"], arrivals_per_day=round(s["arrivals"], 1))
                               for s in shop_list])
    (out / "_manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True))
    return counts, dict(worker_peak_rss_mib=[r["peak_rss_mib"] for r in results])
