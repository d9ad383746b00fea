"""kafka-python 2.0.2: produce N keyed messages (acks=1), then read them back with assign().

Usage: kafka-python-roundtrip.py BOOTSTRAP TOPIC COUNT COMPRESSION
Prints one JSON line: {"offsets": [...first/last produced...], "read": [[offset, key, value], ...]}.
"""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

bootstrap, topic, count, compression = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
compression = None if compression == "none" else compression

producer = KafkaProducer(bootstrap_servers=bootstrap, acks=1, compression_type=compression, linger_ms=5)
futures = [producer.send(topic, key=b"k%d" % (i % 7), value=b"value-%d" % i) for i in range(count)]
producer.flush(30)
metas = [f.get(timeout=30) for f in futures]
producer.close()

consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                         consumer_timeout_ms=10000, auto_offset_reset="earliest")
tp = TopicPartition(topic, 0)
consumer.assign([tp])
consumer.seek_to_beginning(tp)
read = []
for message in consumer:
    read.append([message.offset, message.key.decode(), message.value.decode()])
    if len(read) == count:
        break
end = consumer.end_offsets([tp])[tp]
consumer.close()
print(json.dumps({"offsets": [m.offset for m in metas], "read": read, "end": end}))
