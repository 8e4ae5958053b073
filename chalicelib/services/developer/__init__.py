"""Developer API: outbound webhooks (endpoints, events, signed deliveries with retries),
personal API keys, and the OpenAPI document of the staff API. docs/ARCHITECTURE.md,
"Developer API: webhooks, OpenAPI, API keys"."""
