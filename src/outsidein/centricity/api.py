"""API endpoints of the centricity app."""

from ninja import Router

router = Router()
