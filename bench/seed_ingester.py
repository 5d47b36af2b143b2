"""The seed's ingester design, for `npm run bench -- system` to compare against: a FastAPI
handler hands each log to a kafka-python producer and answers without waiting for Kafka's
acknowledgement. One uvicorn worker; its own topic (SEED_TOPIC) that nothing consumes."""
import json
import os
import uuid

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from kafka import KafkaProducer

TOPIC = os.environ["SEED_TOPIC"]
producer = KafkaProducer(bootstrap_servers=os.environ.get("KAFKA_BROKERS", "127.0.0.1:9092").split(","))
app = FastAPI()


@app.get("/")
async def hello():
    return {"message": "seed ingester"}


@app.post("/logs")
async def ingest(request: Request):
    log = await request.json()
    log_id = log.get("id") or str(uuid.uuid4())
    producer.send(TOPIC, key=log_id.encode(), value=json.dumps(log).encode())
    return JSONResponse({"id": log_id}, status_code=202)
