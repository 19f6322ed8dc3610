"""Liveness and readiness probes."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from fastapi import APIRouter, FastAPI, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

CHECK_TIMEOUT_SECONDS = 2.0

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


class Health(BaseModel):
    """Body of a healthy answer."""

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """What each dependency answered, and whether the service can serve."""

    status: Literal["ready", "degraded", "unavailable"]
    checks: dict[str, Literal["ok", "unavailable"]]


@dataclass(frozen=True)
class ReadinessCheck:
    """One dependency to probe: `probe` raises when it cannot answer.

    Attributes:
        probe: A cheap round trip, such as `SELECT 1` or `PING`.
        required: Whether the service cannot serve without it (answer 503) or only
            serves less well (answer 200, "degraded").
    """

    probe: Callable[[], Awaitable[object]]
    required: bool = True


NOT_READY = "A required dependency is down"


def add_readiness_check(app: FastAPI, name: str, check: ReadinessCheck) -> None:
    """Have `GET /ready` probe one more dependency of the app."""
    if not hasattr(app.state, "readiness_checks"):
        app.state.readiness_checks = {}
    app.state.readiness_checks[name] = check


@router.get("/health")
async def health() -> Health:
    """Report that the process is up and serving requests; touches nothing else."""
    return Health()


# Load balancers and uptime checkers probe with HEAD: the probes answer it too.
@router.head("/health", response_class=Response)
async def health_headers() -> Response:
    """Answer as `GET /health` does, without the body."""
    return _headers_only(Health())


@router.get("/ready", responses={503: {"model": Readiness, "description": NOT_READY}})
async def ready(request: Request, response: Response) -> Readiness:
    """Probe every dependency (for a load balancer deciding where to send traffic)."""
    response.status_code, readiness = await _readiness(request)
    return readiness


@router.head("/ready", response_class=Response, responses={503: {"description": NOT_READY}})
async def ready_headers(request: Request) -> Response:
    """Probe as `GET /ready` does, and answer its status and headers without the body."""
    status_code, readiness = await _readiness(request)
    return _headers_only(readiness, status_code=status_code)


async def _readiness(request: Request) -> tuple[int, Readiness]:
    checks: dict[str, ReadinessCheck] = getattr(request.app.state, "readiness_checks", {})
    answers = await asyncio.gather(*(_probe(name, check) for name, check in checks.items()))
    results = dict(zip(checks, answers, strict=True))
    down = [checks[name] for name, answer in results.items() if answer != "ok"]
    if any(check.required for check in down):
        return status.HTTP_503_SERVICE_UNAVAILABLE, Readiness(status="unavailable", checks=results)
    return status.HTTP_200_OK, Readiness(status="degraded" if down else "ready", checks=results)


def _headers_only(body: BaseModel, *, status_code: int = status.HTTP_200_OK) -> Response:
    # The headers of GET's answer, its Content-Length included (RFC 9110 section 9.3.2),
    # with no body: a HEAD answer's body is never read.
    get = JSONResponse(body.model_dump(mode="json"), status_code=status_code)
    return Response(status_code=status_code, headers=get.headers)


async def _probe(name: str, check: ReadinessCheck) -> Literal["ok", "unavailable"]:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            await check.probe()
    except Exception as error:  # any failure means "not ready", never a 500
        logger.debug("Readiness check %r failed: %r", name, error)  # probes come often
        return "unavailable"
    return "ok"
