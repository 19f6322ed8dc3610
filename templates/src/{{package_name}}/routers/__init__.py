"""Your routers: every module in this package that defines `router` is served.

Add `routers/items.py` holding `router = APIRouter(prefix="/items", tags=["items"])`
and `create_app` includes it (modules in name order; names starting with `_` are
skipped, for helpers). Aegis renders this package once and never changes it.
"""
