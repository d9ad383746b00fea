"""Produce latency probe (librdkafka via confluent-kafka): a steady RATE msg/s for SECONDS,
acks=all, measuring produce() -> delivery report per message. Prints p50/p99/max in ms as JSON.

Before the clock starts, one message is produced and flushed, so the topic's metadata and its
leader connection exist: librdkafka before 2.10.1 looks up the leader of a topic first produced
through producev() (which confluent-kafka uses) only on its 1 s metadata timer (librdkafka#5032),
so without this the first second of messages of about one run in four waited ~1 s for it.
That is start-up, not the steady rate this probe measures.

socket.nagle.disable=true is what librdkafka itself defaults to from 2.10 (librdkafka#4986); a
latency-minded user of 2.0.2 sets it.

Besides its own clock (produce() -> delivery callback, which runs only at this thread's next
poll(), so up to one send interval plus the sleep's overshoot late, and later still when this
thread waits for a core), the probe reports librdkafka's statistics for the broker connection,
one window a second: `rtt` (request sent -> response read by librdkafka's broker thread) and
`int_latency` (produce() -> the broker thread takes the message). The median of the per-second
p99s of each is printed, so a probe p99 far above them is time spent in the client, not the broker.
It also prints how many Produce requests librdkafka sent (its statistics, read after the last
delivery): with linger 0 a message waits for no other, but when librdkafka's broker thread waits
for a core it finds several queued and sends them in one request.

Usage: kafka-latency-probe.py BOOTSTRAP TOPIC RATE SECONDS
"""
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, rate, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
latencies = []
# How late each message left against its slot: this thread's own wait for a core on a busy machine.
lags = []
errors = []

SETTINGS = {"acks": "all", "linger.ms": 0, "socket.nagle.disable": True}
stats = []
# The statistics JSON is only stored here (parsed after the run): the callback runs inside poll().
producer = Producer({"bootstrap.servers": bootstrap, **SETTINGS, "statistics.interval.ms": 1000, "stats_cb": stats.append})
payload = b"x" * 100

producer.produce(topic, payload, on_delivery=lambda err, msg: errors.append(str(err)) if err is not None else None)
if producer.flush(30) != 0:
    errors.append("warm-up message not delivered")

interval = 1.0 / rate
start = time.perf_counter()
total = int(rate * seconds)
for i in range(total):
    target = start + i * interval
    now = time.perf_counter()
    if target > now:
        time.sleep(target - now)
    sent = time.perf_counter()
    lags.append((sent - target) * 1000.0)
    producer.produce(topic, payload, on_delivery=lambda err, msg, sent=sent: latencies.append((time.perf_counter() - sent) * 1000.0) if err is None else errors.append(str(err)))
    producer.poll(0)
producer.flush(30)
elapsed = time.perf_counter() - start
# One statistics window that ends after the last delivery, for the count of Produce requests sent
# (cumulative): under CPU pressure librdkafka puts several messages in one request even with linger 0.
stats_seen = len(stats)
deadline = time.perf_counter() + 2.5
while len(stats) == stats_seen and time.perf_counter() < deadline:
    producer.poll(0.05)
latencies.sort()


def pct(p):
    return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else -1


def produce_requests():
    """Produce requests librdkafka sent to the leader since the producer started (its last statistics)."""
    last = json.loads(stats[-1]) if stats else {"brokers": {}}
    return sum(b.get("req", {}).get("Produce", 0) for b in last["brokers"].values() if b["nodeid"] >= 0)


def window_p99_median(name):
    """The median of the per-second p99s (ms) of a librdkafka latency window for the leader's connection."""
    values = sorted(b[name]["p99"] / 1000.0 for s in stats for b in json.loads(s)["brokers"].values() if b["nodeid"] >= 0 and b[name]["cnt"] > 0)
    return values[len(values) // 2] if values else -1


print(json.dumps({"count": len(latencies), "errors": len(errors), "rate": total / elapsed, "p50": pct(0.50), "p99": pct(0.99),
                  "max": latencies[-1] if latencies else -1, "rtt_p99": window_p99_median("rtt"),
                  "int_latency_p99": window_p99_median("int_latency"), "produce_requests": produce_requests(),
                  "send_lag_p99": sorted(lags)[int(len(lags) * 0.99)] if lags else -1, "settings": SETTINGS}))
