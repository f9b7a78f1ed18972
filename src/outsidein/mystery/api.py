"""API endpoints of the mystery app."""

from ninja import Router

router = Router()
