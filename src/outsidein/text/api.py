"""API endpoints of the text app."""

from ninja import Router

router = Router()
