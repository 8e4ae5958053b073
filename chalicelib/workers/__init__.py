"""SQS workers: the functions behind `@app.on_sqs_message`, one module per queue."""
