"""Settings, read once from the environment.

Every other module asks `settings()`; nothing else reads `os.environ`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

DOWNLOAD_TTL_CAP = 60  # seconds; see Settings.download_ttl_seconds


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    table_name: str
    files_bucket: str
    stripe_events_queue_url: str
    uploads_queue_url: str
    mail_queue_url: str
    views_queue_url: str
    # SES bounces and complaints (configuration set → SNS → this queue → mail_feedback_worker).
    mail_feedback_queue_url: str
    # The SES configuration set every message is sent with: it publishes those bounces and complaints.
    ses_configuration_set: str
    user_pool_id: str
    user_pool_client_id: str
    # Local only: the moto server every AWS client talks to. Empty in the cloud.
    aws_endpoint_url: str
    # Public origin used in links we hand out (share URLs). Empty: derive from request.
    public_base_url: str
    # Local only: the origin the offline checkout is served on (`make dev` uses a second port,
    # so it is cross-origin like Stripe's). Empty: the app's own origin.
    offline_checkout_url: str
    # Sender of transactional email; its domain is the SES identity the template creates.
    mail_from: str
    jwks_url: str
    presign_ttl_seconds: int
    in_lambda: bool
    # How long a secret read from SSM is reused: a rotated secret is picked up within this time.
    secret_ttl_seconds: int = 300
    # Background exports (access logs as CSV): the exports worker's queue.
    exports_queue_url: str = ""
    # Whether the stage has a Stripe secret key, as deploy.sh found it (STRIPE_CONFIGURED=true|false):
    # client pages then decide on Pay without an SSM read. None (unset): ask SSM (stripe_gateway).
    stripe_configured: bool | None = None
    # Level of the `paydrop` logs (chalicelib/logs.py): POWERTOOLS_LOG_LEVEL, else LOG_LEVEL, else INFO.
    log_level: str = "INFO"
    # Secrets given as PAYDROP_SECRET_<NAME> (local runs, tests); `chalicelib.secrets` reads them.
    # Kept out of repr (settings may be logged) and hash (a dict is unhashable).
    local_secrets: dict[str, str] = field(default_factory=dict, repr=False, hash=False)
    # Email replies to conversations: SES receives mail for this domain (reply+{token}@…), stores it
    # in this bucket (under `inbound/`), whose notification reaches this queue (inbound_mail_worker).
    # Read from the environment when the settings are made, like the fields above.
    mail_inbound_domain: str = field(default_factory=lambda: _env("MAIL_INBOUND_DOMAIN", "reply.paydrop.test").lower())
    inbound_mail_queue_url: str = field(default_factory=lambda: _env("INBOUND_MAIL_QUEUE_URL"))
    inbound_mail_bucket: str = field(default_factory=lambda: _env("INBOUND_MAIL_BUCKET"))
    # Outbound webhooks (services/developer): one message per event, fanned out by webhooks_worker.
    webhooks_queue_url: str = field(default_factory=lambda: _env("WEBHOOKS_QUEUE_URL"))
    # Local only: the dev outbox's loopback webhook receiver (an exact URL), the one non-public
    # address an endpoint may name; empty in the cloud, where only public https hosts are allowed.
    webhooks_dev_receiver: str = field(default_factory=lambda: _env("WEBHOOKS_DEV_RECEIVER"))

    @property
    def download_ttl_seconds(self) -> int:
        """How long a file download's presigned GET works. S3 cannot take back a URL it signed,
        so this is how long a revoke or a removed contact can lag behind: at most 60 s
        whatever PRESIGN_TTL_SECONDS says (an interrupted download goes back through
        `/files/{token}` and is decided again)."""
        return min(self.presign_ttl_seconds, DOWNLOAD_TTL_CAP)

    @property
    def is_local(self) -> bool:
        return bool(self.aws_endpoint_url)

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


_SECRET_PREFIX = "PAYDROP_SECRET_"


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings (cached: the environment does not change in a container)."""
    region = _env("AWS_REGION") or _env("AWS_DEFAULT_REGION") or "us-east-1"
    endpoint = _env("PAYDROP_AWS_ENDPOINT_URL")
    pool_id = _env("USER_POOL_ID")
    default_jwks = (
        f"{endpoint}/{pool_id}/.well-known/jwks.json"
        if endpoint
        else f"https://cognito-idp.{region}.amazonaws.com/{pool_id}/.well-known/jwks.json"
    )
    return Settings(
        stage=_env("PAYDROP_STAGE", "dev"),
        region=region,
        table_name=_env("TABLE_NAME", "paydrop-dev"),
        files_bucket=_env("FILES_BUCKET", "paydrop-dev-files"),
        stripe_events_queue_url=_env("STRIPE_EVENTS_QUEUE_URL"),
        uploads_queue_url=_env("UPLOADS_QUEUE_URL"),
        mail_queue_url=_env("MAIL_QUEUE_URL"),
        views_queue_url=_env("VIEWS_QUEUE_URL"),
        mail_feedback_queue_url=_env("MAIL_FEEDBACK_QUEUE_URL"),
        ses_configuration_set=_env("SES_CONFIGURATION_SET"),
        user_pool_id=pool_id,
        user_pool_client_id=_env("USER_POOL_CLIENT_ID"),
        aws_endpoint_url=endpoint,
        public_base_url=_env("PUBLIC_BASE_URL").rstrip("/"),
        offline_checkout_url=_env("OFFLINE_CHECKOUT_URL").rstrip("/"),
        mail_from=_env("MAIL_FROM", "Paydrop <no-reply@mail.paydrop.test>"),
        jwks_url=_env("COGNITO_JWKS_URL") or default_jwks,
        presign_ttl_seconds=min(int(_env("PRESIGN_TTL_SECONDS", "300") or 300), 300),
        in_lambda=bool(_env("AWS_LAMBDA_FUNCTION_NAME")),
        exports_queue_url=_env("EXPORTS_QUEUE_URL"),
        secret_ttl_seconds=max(int(_env("SECRET_TTL_SECONDS", "300") or 300), 0),
        stripe_configured={"true": True, "false": False}.get(_env("STRIPE_CONFIGURED").lower()),
        log_level=(_env("POWERTOOLS_LOG_LEVEL") or _env("LOG_LEVEL") or "INFO").upper(),
        local_secrets={
            name.removeprefix(_SECRET_PREFIX).lower().replace("_", "-"): value.strip()
            for name, value in os.environ.items()
            if name.startswith(_SECRET_PREFIX) and value.strip()
        },
    )


def trace_header() -> str:
    """Lambda's X-Ray header for the current invocation (`_X_AMZN_TRACE_ID`): the runtime sets it
    anew for every invocation, so unlike the settings it is read each time it is asked for."""
    return os.environ.get("_X_AMZN_TRACE_ID", "")


def reset_settings() -> None:
    """Forget cached settings (tests and the dev stack change the environment once)."""
    settings.cache_clear()
