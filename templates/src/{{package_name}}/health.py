"""Liveness probe."""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """Body of a healthy answer."""

    status: Literal["ok"] = "ok"


@router.get("/health")
async def health() -> Health:
    """Report that the process is up and serving requests."""
    return Health()
