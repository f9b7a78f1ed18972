"""API endpoints of the strategy app."""

from ninja import Router

router = Router()
