"""Tests of the HTTP edge: CORS, security headers, the body size limit, origins."""
