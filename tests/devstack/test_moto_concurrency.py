"""`make dev`'s moto under concurrent requests: reads racing writes neither fail nor lose data.

Before `devstack.moto_atomic.serialise_backends`, a Scan iterating the table while PutItems
added to it failed with `RuntimeError: dictionary changed size during iteration` (a 500)."""
from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from devstack.server import free_port, start_moto

SECONDS = 3.0


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server, url = start_moto(free_port())
    yield url
    server.stop()


def _client(service: str, endpoint: str) -> Any:
    # One attempt: a 500 from moto must show, not be retried away.
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def _hammer(workers: list[Any]) -> list[str]:
    """Run each worker(stop) in its own thread for SECONDS; the errors they collected."""
    errors: list[str] = []
    stop = threading.Event()

    def run(worker: Any) -> None:
        while not stop.is_set():
            try:
                worker()
            except ClientError as e:
                errors.append(f"{e.response['Error'].get('Code')}: {e.response['Error'].get('Message', '')[:200]}")

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show within seconds
    try:
        for thread in threads:
            thread.start()
        time.sleep(SECONDS)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        sys.setswitchinterval(interval)
    return errors


def test_scans_and_queries_while_items_are_written_all_succeed(endpoint: str) -> None:
    ddb = _client("dynamodb", endpoint)
    ddb.create_table(TableName="race", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"},
                                           {"AttributeName": "g", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "ALL"}}])
    for start in range(0, 1000, 25):
        items = [{"pk": {"S": f"p{i}"}, "sk": {"S": "0"}, "g": {"S": "g"}} for i in range(start, start + 25)]
        ddb.batch_write_item(RequestItems={"race": [{"PutRequest": {"Item": item}} for item in items]})
    counter = iter(range(10**9))

    def write() -> None:
        n = next(counter)
        ddb.put_item(TableName="race", Item={"pk": {"S": f"new{n}"}, "sk": {"S": "0"}, "g": {"S": "g"}})

    def scan() -> None:
        ddb.scan(TableName="race", Select="COUNT")

    def query_index() -> None:
        ddb.query(TableName="race", IndexName="byg", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": {"S": "g"}}, Select="COUNT")

    errors = _hammer([write, write, scan, scan, query_index])
    assert errors == []
    written = next(counter)
    assert ddb.scan(TableName="race", Select="COUNT")["Count"] == 1000 + written


def test_messages_sent_while_others_are_deleted_are_all_delivered(endpoint: str) -> None:
    sqs = _client("sqs", endpoint)
    url = sqs.create_queue(QueueName="race")["QueueUrl"]
    sent: list[str] = []
    received: set[str] = set()

    def send() -> None:
        body = f"m{len(sent)}-{threading.get_ident()}-{time.monotonic_ns()}"
        sqs.send_message(QueueUrl=url, MessageBody=body)
        sent.append(body)

    def receive_and_delete() -> None:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            received.add(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    errors = _hammer([send, send, send, receive_and_delete, receive_and_delete])
    deadline = time.monotonic() + 10
    while len(received) < len(sent) and time.monotonic() < deadline:
        receive_and_delete()
    assert errors == []
    assert set(sent) - received == set()  # none lost
