"""Staff sign-in through Cognito, and verification of the ID tokens it issues.

API Gateway verifies tokens in the cloud too, but `chalice local` and the test client
only decode them, so the app verifies signature, issuer, audience and expiry itself.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from chalicelib.aws import cognito
from chalicelib.config import settings
from chalicelib.domain.errors import Forbidden, Unauthorized, Unavailable
from chalicelib.domain.permissions import permissions_for
from chalicelib.domain.principal import Principal

BUSINESS_CLAIM = "custom:business_id"
_LEEWAY_SECONDS = 30


@lru_cache(maxsize=1)
def _jwks_client() -> Any:
    import jwt

    # Keys are cached for the life of the container; an unknown `kid` triggers one refetch.
    return jwt.PyJWKClient(settings().jwks_url, cache_keys=True, lifespan=3600, timeout=5)


def verify_id_token(token: str) -> Principal:
    """The principal behind a Cognito ID token. Raises Unauthorized, Forbidden or Unavailable."""
    import jwt

    s = settings()
    try:
        key = _jwks_client().get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token, key.key, algorithms=["RS256"], audience=s.user_pool_client_id,
            issuer=s.issuer, leeway=_LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.PyJWKClientConnectionError as e:
        raise Unavailable("Sign-in cannot be checked right now; try again shortly.") from e
    except (jwt.PyJWTError, ValueError) as e:
        raise Unauthorized("Your session is not valid; sign in again.") from e
    if claims.get("token_use") != "id":
        raise Unauthorized("Send the ID token from sign-in.")
    business_id = claims.get(BUSINESS_CLAIM)
    if not business_id:
        raise Forbidden("This account does not belong to a business.")
    groups = tuple(claims.get("cognito:groups") or ())
    return Principal(
        user_id=claims["sub"], email=claims.get("email", ""), business_id=business_id,
        groups=groups, permissions=permissions_for(groups),
    )


def _tokens(result: dict[str, Any]) -> dict[str, Any]:
    auth = result.get("AuthenticationResult")
    if not auth:
        raise Unauthorized("This account must finish setting up its password first.")
    tokens = {
        "id_token": auth["IdToken"],
        "access_token": auth["AccessToken"],
        "expires_in": auth["ExpiresIn"],
        "token_type": "Bearer",
    }
    if "RefreshToken" in auth:
        tokens["refresh_token"] = auth["RefreshToken"]
    return tokens


def _initiate(flow: str, parameters: dict[str, str]) -> dict[str, Any]:
    from botocore.exceptions import ClientError, EndpointConnectionError

    idp = cognito()
    try:
        return _tokens(idp.initiate_auth(
            AuthFlow=flow, ClientId=settings().user_pool_client_id, AuthParameters=parameters,
        ))
    except (idp.exceptions.NotAuthorizedException, idp.exceptions.UserNotFoundException) as e:
        raise Unauthorized("The email or password is not correct.") from e
    except EndpointConnectionError as e:
        raise Unavailable("Sign-in is not available right now; try again shortly.") from e
    except ClientError as e:
        if e.response["Error"]["Code"] in ("TooManyRequestsException", "LimitExceededException"):
            raise Unavailable("Too many sign-in attempts; wait a minute and try again.") from e
        raise


def login(email: str, password: str) -> dict[str, Any]:
    """Cognito tokens for an email and password (USER_PASSWORD_AUTH)."""
    return _initiate("USER_PASSWORD_AUTH", {"USERNAME": email, "PASSWORD": password})


def refresh(refresh_token: str) -> dict[str, Any]:
    """Fresh ID and access tokens for a refresh token."""
    return _initiate("REFRESH_TOKEN_AUTH", {"REFRESH_TOKEN": refresh_token})
