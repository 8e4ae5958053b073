from tests.support.webhooks import receiver, webhooks_worker  # noqa: F401 - fixtures (the webhooks worker)
