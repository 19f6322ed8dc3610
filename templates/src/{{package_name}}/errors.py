"""Error answers shared by every route: validation failures and undecodable bodies."""

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

# FastAPI answers 400 to a body it cannot decode (invalid UTF-8, say): document it.
MALFORMED_BODY: dict[int | str, dict[str, str]] = {
    400: {"description": "The request body could not be decoded"}
}


async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
    """Answer 422 like FastAPI does, without echoing the rejected input back.

    FastAPI's own handler returns the input, which fails with a 500 for a NaN or
    Infinity in a JSON body (they cannot be encoded back), and would put a rejected
    password into the response.
    """
    errors = [{k: v for k, v in e.items() if k != "input"} for e in error.errors()]
    return JSONResponse(
        {"detail": jsonable_encoder(errors)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the shared error handlers on ``app``."""
    app.exception_handler(RequestValidationError)(validation_error)
