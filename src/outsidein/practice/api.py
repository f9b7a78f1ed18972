"""API endpoints of the ideas app."""

from ninja import Router

router = Router()
